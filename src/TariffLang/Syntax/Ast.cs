using System.Collections.Immutable;
using TariffLang.Text;

namespace TariffLang.Syntax;

// The abstract syntax tree: immutable records, free of ANTLR types. Every node keeps its span.

internal abstract record SyntaxNode(TextSpan Span);

internal sealed record NameSyntax(string Text, TextSpan Span) : SyntaxNode(Span);

internal sealed record TariffSyntax(NameSyntax Name, string? Title, ImmutableArray<ItemSyntax> Items, TextSpan Span) : SyntaxNode(Span);

internal sealed record TypeSyntax(NameSyntax Name, NameSyntax? PerUnit, bool Optional, TextSpan Span) : SyntaxNode(Span);

// Items

internal abstract record ItemSyntax(TextSpan Span) : SyntaxNode(Span);

internal sealed record CurrencySyntax(NameSyntax Code, string? TaxBasis, TextSpan Span) : ItemSyntax(Span);

internal sealed record PeriodLengthSyntax(int Count, NameSyntax Unit, TextSpan Span) : SyntaxNode(Span);

internal sealed record PeriodChoiceSyntax(string Key, PeriodLengthSyntax Length, TextSpan Span) : SyntaxNode(Span);

/// <summary>Either a fixed length or, with <see cref="ChoiceSetting"/>, one length per value of a setting.</summary>
internal sealed record PeriodSyntax(PeriodLengthSyntax? Length, NameSyntax? ChoiceSetting, ImmutableArray<PeriodChoiceSyntax> Choices,
    string Zone, TextSpan ZoneSpan, TextSpan Span) : ItemSyntax(Span);

internal sealed record EffectiveSyntax(string Date, TextSpan DateSpan, TextSpan Span) : ItemSyntax(Span);

/// <summary>The tariff's holidays: local dates that <c>is_holiday(t)</c> recognises.</summary>
internal enum TierScheme { Graduated, Volume }

/// <summary>One band: <c>up to BOUND</c> (or <c>above</c> when <paramref name="Bound"/> is null), a unit price and/or a flat fee.</summary>
internal sealed record TierBandSyntax(ExprSyntax? Bound, ExprSyntax? Price, ExprSyntax? Flat, TextSpan Span) : SyntaxNode(Span);

/// <summary><c>tiers NAME graduated|volume { … }</c>.</summary>
internal sealed record TiersSyntax(NameSyntax Name, TierScheme Scheme, ImmutableArray<TierBandSyntax> Bands, TextSpan Span)
    : ItemSyntax(Span);

/// <summary><c>group NAME { "Label", … }</c>: charges named by their labels.</summary>
internal sealed record GroupSyntax(NameSyntax Name, ImmutableArray<(string Label, TextSpan Span)> Labels, TextSpan Span) : ItemSyntax(Span);

/// <summary><c>minimum|maximum "Label" AMOUNT [for GROUP]</c>: a true-up line when the group's (or invoice's) subtotal is outside
/// it.</summary>
internal sealed record LimitSyntax(bool Minimum, string Label, TextSpan LabelSpan, ExprSyntax Amount, NameSyntax? Group, TextSpan Span)
    : ItemSyntax(Span);

/// <summary><c>tax "Label" RATE [for GROUP] [rounded per line|invoice]</c>.</summary>
internal sealed record TaxSyntax(string Label, TextSpan LabelSpan, ExprSyntax Rate, NameSyntax? Group, bool PerLine, TextSpan Span)
    : ItemSyntax(Span);

internal sealed record HolidaysSyntax(ImmutableArray<(string Text, TextSpan Span)> Dates, TextSpan Span) : ItemSyntax(Span);

internal sealed record UnitSyntax(ImmutableArray<NameSyntax> Names, TextSpan Span) : ItemSyntax(Span);

internal sealed record ParamSyntax(NameSyntax Name, TypeSyntax Type, ExprSyntax? Default, TextSpan Span) : ItemSyntax(Span);

internal sealed record AttributeSyntax(NameSyntax Name, TypeSyntax Type, TextSpan Span) : SyntaxNode(Span);

internal sealed record EventSyntax(NameSyntax Name, ImmutableArray<AttributeSyntax> Attributes, TextSpan Span) : ItemSyntax(Span);

internal sealed record PlanSyntax(NameSyntax Name, string? Title, ExprSyntax? Fee, ExprSyntax? Includes, ExprSyntax? Extra, TextSpan Span)
    : ItemSyntax(Span);

internal sealed record TableCellSyntax(string? ColumnKey, TextSpan ColumnKeySpan, ExprSyntax? Value, TextSpan Span) : SyntaxNode(Span);

internal sealed record TableRowSyntax(string Key, TextSpan KeySpan, ImmutableArray<TableCellSyntax> Cells, TextSpan Span)
    : SyntaxNode(Span);

internal sealed record TableSyntax(NameSyntax Name, NameSyntax? ForEvent, ImmutableArray<NameSyntax> Keys, TypeSyntax ValueType,
    ImmutableArray<TableRowSyntax> Rows, TextSpan Span) : ItemSyntax(Span);

internal sealed record WindowSyntax(NameSyntax Name, string Duration, TextSpan DurationSpan, NameSyntax Key, NameSyntax OpenedBy,
    ExprSyntax? Condition, TextSpan Span) : ItemSyntax(Span);

internal enum StateKind { Counter, Wallet, Setting, Allowance }

internal enum StateOpKind { Add, Subtract, Set, Use }

/// <summary>
/// <c>expires after N days|months|years</c> (or <c>never expires</c>) and <c>priority N</c>: what a credit added to a wallet
/// carries. <paramref name="ExpiryLength"/> is null when no expiry is written.
/// </summary>
internal sealed record LotTermsSyntax(int? ExpiryLength, NameSyntax? ExpiryUnit, bool NeverExpires, int? Priority, TextSpan Span)
    : SyntaxNode(Span);

internal sealed record StateOpSyntax(NameSyntax Event, ExprSyntax? Condition, StateOpKind Op, ExprSyntax Value, bool AtNextPeriod,
    TextSpan Span)
    : SyntaxNode(Span)
{
    public LotTermsSyntax? Lot { get; init; }
}

/// <summary>A counter, wallet, setting or allowance; <paramref name="Reset"/> spans <c>reset every period</c> when written.</summary>
internal sealed record StateSyntax(StateKind Kind, NameSyntax Name, NameSyntax? Key, TypeSyntax? Type, ExprSyntax? Initial,
    ImmutableArray<StateOpSyntax> Ops, TextSpan? Reset, TextSpan Span) : ItemSyntax(Span)
{
    /// <summary>The lot terms every credit added to this wallet carries unless its own say otherwise.</summary>
    public LotTermsSyntax? Lot { get; init; }
}

internal enum RuleKind { Reject, Free }

internal sealed record RuleSyntax(RuleKind Kind, NameSyntax Event, ExprSyntax? Condition, string Reason, TextSpan Span) : ItemSyntax(Span);

/// <summary><c>let NAME = value</c> over a period, or <c>let NAME per EVENT = value</c> computed from each event.</summary>
internal sealed record LetSyntax(NameSyntax Name, NameSyntax? Event, ExprSyntax Value, TextSpan Span) : ItemSyntax(Span);

/// <summary><c>charge "L" [by KEY] = amount</c> or <c>charge "L" = quantity at price</c>.</summary>
internal sealed record AggregateChargeSyntax(string Label, TextSpan LabelSpan, ExprSyntax Amount, ExprSyntax? Price, TextSpan Span)
    : ItemSyntax(Span)
{
    /// <summary><c>by KEY</c>: the amount is computed for each value of the key attribute, then summed.</summary>
    public NameSyntax? GroupKey { get; init; }

    /// <summary>
    /// <c>by KEY whole within DURATION</c>: a group is billed whole in the period of its first event, its events up to
    /// this long after that period's end included (the duration's text); null for <c>split</c>, written or not.
    /// </summary>
    public string? Grace { get; init; }

    public TextSpan GraceSpan { get; init; }
}

/// <summary><c>charge "L" per event where cond at price</c>.</summary>
internal sealed record EventChargeSyntax(string Label, TextSpan LabelSpan, NameSyntax Event, ExprSyntax? Condition, ExprSyntax Price,
    TextSpan Span) : ItemSyntax(Span);

/// <summary>A grant once on a date, or every year on a month and day.</summary>
internal sealed record GrantSyntax(string Label, string? OnceDate, int Month, int Day, TextSpan DateSpan, ExprSyntax Amount,
    NameSyntax Wallet, TextSpan Span)
    : ItemSyntax(Span)
{
    public LotTermsSyntax? Lot { get; init; }
}

internal sealed record VersionSyntax(string? From, TextSpan FromSpan, string? Until, TextSpan UntilSpan, TextSpan HeaderSpan,
    ImmutableArray<ItemSyntax> Items, TextSpan Span) : SyntaxNode(Span);

internal sealed record VersionsSyntax(NameSyntax Name, ImmutableArray<VersionSyntax> Versions, TextSpan Span) : ItemSyntax(Span);

internal sealed record ExampleSyntax(string Name, TextSpan NameSpan, ImmutableArray<ExampleItemSyntax> Items, TextSpan Span)
    : ItemSyntax(Span);

// Example items

internal abstract record ExampleItemSyntax(TextSpan Span) : SyntaxNode(Span);

internal sealed record WithParamSyntax(NameSyntax Name, ExprSyntax Value, TextSpan Span) : ExampleItemSyntax(Span);

internal sealed record ExampleArgSyntax(NameSyntax Name, ExprSyntax Value, TextSpan Span) : SyntaxNode(Span);

/// <summary>An example's usage line; <see cref="WhenSpan"/> is the span of its <c>at</c> or <c>after</c> literal.</summary>
internal sealed record UsageSyntax(int Count, string? At, string? After, TextSpan WhenSpan, NameSyntax Event,
    ImmutableArray<ExampleArgSyntax> Args, NameSyntax? Outcome, TextSpan Span) : ExampleItemSyntax(Span);

internal sealed record DisputedSyntax(string Reason, TextSpan Span) : SyntaxNode(Span);

/// <summary>Which total an example expects: as priced, the tax, or the total with the tax.</summary>
internal enum TotalKind { AsPriced, Tax, WithTax }

internal sealed record ExpectTotalSyntax(ExprSyntax Total, string? Month, DisputedSyntax? Disputed, TextSpan Span) : ExampleItemSyntax(Span)
{
    public TotalKind Kind { get; init; }
}

internal sealed record ExpectLineSyntax(string Label, bool Absent, ExprSyntax? Quantity, ExprSyntax? Amount, string? Month,
    DisputedSyntax? Disputed, TextSpan Span) : ExampleItemSyntax(Span);

internal sealed record ExpectCountSyntax(NameSyntax Outcome, int Count, string? Month, TextSpan Span) : ExampleItemSyntax(Span);

internal sealed record ExpectBalanceSyntax(NameSyntax Wallet, ExprSyntax Balance, string? Month, TextSpan Span) : ExampleItemSyntax(Span);

// Expressions

internal abstract record ExprSyntax(TextSpan Span) : SyntaxNode(Span);

internal sealed record NumberSyntax(decimal Value, NameSyntax? Unit, NameSyntax? PerUnit, TextSpan Span) : ExprSyntax(Span);

internal sealed record PercentSyntax(decimal Value, TextSpan Span) : ExprSyntax(Span);

internal sealed record StringSyntax(string Value, TextSpan Span) : ExprSyntax(Span);

internal sealed record BoolSyntax(bool Value, TextSpan Span) : ExprSyntax(Span);

internal sealed record DateSyntax(string Text, TextSpan Span) : ExprSyntax(Span);

internal sealed record DateTimeSyntax(string Text, TextSpan Span) : ExprSyntax(Span);

internal sealed record DurationSyntax(string Text, TextSpan Span) : ExprSyntax(Span);

internal sealed record ParamRefSyntax(NameSyntax Name, TextSpan Span) : ExprSyntax(Span);

internal sealed record WithinSyntax(NameSyntax Window, TextSpan Span) : ExprSyntax(Span);

internal sealed record MemberSyntax(NameSyntax Target, NameSyntax Member, TextSpan Span) : ExprSyntax(Span);

internal sealed record LookupSyntax(NameSyntax Table, ImmutableArray<ExprSyntax> Keys, TextSpan Span) : ExprSyntax(Span);

internal sealed record CallSyntax(NameSyntax Function, ImmutableArray<ExprSyntax> Args, TextSpan Span) : ExprSyntax(Span);

internal sealed record NameRefSyntax(NameSyntax Name, TextSpan Span) : ExprSyntax(Span);

internal enum UnaryOp { Negate, Not }

internal sealed record UnarySyntax(UnaryOp Op, ExprSyntax Operand, TextSpan Span) : ExprSyntax(Span);

internal enum BinaryOp { Mul, Div, Add, Sub, Lt, Le, Gt, Ge, Eq, Ne, And, Or, Contains }

internal sealed record BinarySyntax(BinaryOp Op, ExprSyntax Left, ExprSyntax Right, TextSpan OpSpan, TextSpan Span) : ExprSyntax(Span);

internal sealed record IsNoneSyntax(ExprSyntax Operand, bool Negated, TextSpan Span) : ExprSyntax(Span);

internal sealed record FilterSyntax(ExprSyntax Source, ExprSyntax Condition, TextSpan Span) : ExprSyntax(Span);

internal sealed record ConditionalSyntax(ExprSyntax Condition, ExprSyntax Then, ExprSyntax Else, TextSpan Span) : ExprSyntax(Span);
