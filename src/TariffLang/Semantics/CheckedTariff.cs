using System.Collections.Immutable;
using NodaTime;
using TariffLang.Syntax;
using TariffLang.Text;

namespace TariffLang.Semantics;

internal sealed record CheckedRule(RuleKind Kind, EventSymbol Event, BoundExpr? Condition, string Reason, Validity Validity, TextSpan Span);

internal sealed record CheckedEventCharge(string Label, EventSymbol Event, BoundExpr? Condition, BoundExpr Price, string Unit,
    Validity Validity, int Index, TextSpan Span);

/// <summary>
/// A period charge. <see cref="Price"/> is null for a plain amount. <see cref="Aggregates"/> are the aggregates
/// its value reads (through lets too): the events they read are the rows this line rates.
/// </summary>
internal sealed record CheckedAggregateCharge(string Label, BoundExpr Amount, BoundExpr? Price, string Unit, Validity Validity,
    ImmutableArray<BoundAggregate> Aggregates, int Index, TextSpan Span)
{
    /// <summary>For <c>charge "L" by KEY = …</c>: the key attribute; the amount is computed per group and summed.</summary>
    public string? GroupKey { get; init; }

    /// <summary>For <c>by KEY whole within D</c>: groups are billed whole in their first period, events up to D after its end
    /// included.</summary>
    public TimeSpan? Grace { get; init; }

    /// <summary>For <c>charge "L" = QUANTITY at TIERS</c>: the tiers that price the quantity, one line per band used.</summary>
    public TiersSymbol? Tiers { get; init; }
}

internal sealed record CheckedGrant(string Label, DateOnly? Once, int Month, int Day, BoundExpr Amount, StateSymbol Wallet, int Index,
    TextSpan Span)
{
    /// <summary>What the credit it adds carries: its own terms, else its wallet's.</summary>
    public LotTerms Lot { get; init; } = LotTerms.Default;
}

/// <summary>A named group of charges (by label): what a minimum, a maximum or a tax applies to together.</summary>
internal sealed record ChargeGroupSymbol(string Name, ImmutableArray<string> Labels, int Index, TextSpan Span);

/// <summary>A minimum or maximum on a group's subtotal (or the invoice's when <see cref="Group"/> is null).</summary>
internal sealed record CheckedLimit(bool Minimum, string Label, BoundExpr Amount, ChargeGroupSymbol? Group, int Index, TextSpan Span);

/// <summary>A tax rate on a group's lines (or, when <see cref="Group"/> is null, on every line no group tax covers).</summary>
internal sealed record CheckedTax(string Label, BoundExpr Rate, ChargeGroupSymbol? Group, bool PerLine, int Index, TextSpan Span);

/// <summary>The billing period: a fixed number of months, or one length per value of a text setting.</summary>
internal sealed record PeriodSpec(int Months, StateSymbol? ChoiceSetting, ImmutableDictionary<string, int> ChoiceMonths, DateTimeZone Zone);

internal sealed record CheckedTariff(
    string Name,
    string Title,
    string Currency,
    string? TaxBasis,
    PeriodSpec Period,
    DateOnly? EffectiveFrom,
    ImmutableArray<ParamSymbol> Params,
    ImmutableArray<EventSymbol> Events,
    ImmutableArray<PlanSymbol> Plans,
    ImmutableArray<TableSymbol> Tables,
    ImmutableArray<WindowSymbol> Windows,
    ImmutableArray<StateSymbol> States,
    ImmutableArray<LetSymbol> Lets,
    ImmutableArray<CheckedRule> Rules,
    ImmutableArray<CheckedEventCharge> EventCharges,
    ImmutableArray<CheckedAggregateCharge> AggregateCharges,
    ImmutableArray<CheckedGrant> Grants,
    ImmutableArray<CheckedExample> Examples,
    string SourcePath)
{
    /// <summary>The tariff's tiers tables, by index.</summary>
    public ImmutableArray<TiersSymbol> Tiers { get; init; } = [];

    public ImmutableArray<ChargeGroupSymbol> Groups { get; init; } = [];

    /// <summary>Minimums and maximums, in the order they are written: groups' first, then the invoice's.</summary>
    public ImmutableArray<CheckedLimit> Limits { get; init; } = [];

    public ImmutableArray<CheckedTax> Taxes { get; init; } = [];

    public EventSymbol? FindEvent(string name) => Events.FirstOrDefault(e => e.Name == name);

    public ParamSymbol? FindParam(string name) => Params.FirstOrDefault(p => p.Name == name);

    public PlanSymbol? FindPlan(string name) => Plans.FirstOrDefault(p => p.Name == name);
}

// Examples

/// <summary>A usage line of an example: <paramref name="First"/> is its first row's time, its other rows follow a minute apart.</summary>
internal sealed record ExampleUsage(int Count, DateTimeOffset First, EventSymbol Event,
    ImmutableArray<(string Name, string Value)> Args, string? ExpectedOutcome, TextSpan Span);

internal abstract record ExampleExpectation(string? Month, TextSpan Span);

internal sealed record ExpectTotal(decimal Total, string? Month, string? Disputed, TextSpan Span) : ExampleExpectation(Month, Span)
{
    public TotalKind Kind { get; init; }
}

internal sealed record ExpectLine(string Label, bool Absent, decimal? Quantity, decimal? Amount, string? Month, string? Disputed,
    TextSpan Span) : ExampleExpectation(Month, Span);

internal sealed record ExpectCount(string Outcome, int Count, string? Month, TextSpan Span) : ExampleExpectation(Month, Span);

internal sealed record ExpectBalance(string Wallet, decimal Balance, string? Month, TextSpan Span) : ExampleExpectation(Month, Span);

internal sealed record CheckedExample(string Name, ImmutableDictionary<string, string> Params, ImmutableArray<ExampleUsage> Usages,
    ImmutableArray<ExampleExpectation> Expectations, TextSpan Span)
{
    public bool IsDisputed => Expectations.Any(e => e is ExpectTotal { Disputed: not null } or ExpectLine { Disputed: not null });
}
