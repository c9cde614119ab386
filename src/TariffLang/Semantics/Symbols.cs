using System.Collections.Immutable;
using TariffLang.Syntax;
using TariffLang.Text;

namespace TariffLang.Semantics;

internal sealed record AttributeSymbol(string Name, TlType Type, int Index);

internal sealed record EventSymbol(string Name, ImmutableArray<AttributeSymbol> Attributes, int Index, TextSpan Span)
{
    public AttributeSymbol? Find(string name) => Attributes.FirstOrDefault(a => a.Name == name);
}

internal sealed record ParamSymbol(string Name, TlType Type, BoundExpr? Default, TextSpan Span);

internal sealed record PlanSymbol(string Name, string Title, BoundExpr Fee, BoundExpr? Includes, BoundExpr? Extra, TextSpan Span);

/// <summary>A table cell key: the row key, then the column key for two-key tables, joined by a unit separator.</summary>
internal sealed record TableSymbol(string Name, EventSymbol? ForEvent, ImmutableArray<string> Keys, TlType ValueType,
    ImmutableDictionary<string, BoundExpr> Cells, TextSpan Span)
{
    public const char KeySeparator = '\u001F';

    public static string CellKey(IEnumerable<string> parts) => string.Join(KeySeparator, parts);
}

/// <summary>A band of a tiers table; <paramref name="Bound"/> is null for the open last band.</summary>
internal sealed record TierBandSymbol(BoundExpr? Bound, BoundExpr? Price, BoundExpr? Flat, TextSpan Span);

/// <summary>A tiers table: bands with inclusive increasing upper bounds, priced graduated (band by band) or by volume.</summary>
internal sealed record TiersSymbol(string Name, TierScheme Scheme, ImmutableArray<TierBandSymbol> Bands, string? Unit, int Index,
    TextSpan Span);

internal sealed record WindowSymbol(string Name, TimeSpan Length, string KeyAttribute, EventSymbol OpenedBy, BoundExpr? Condition,
    int Index, TextSpan Span)
{
    /// <summary>Whether the tariff reads <c>elapsed(NAME)</c>: only then is the time each key's window opened kept.</summary>
    public bool TracksStart { get; init; }
}

internal sealed record StateOpSymbol(EventSymbol Event, BoundExpr? Condition, StateOpKind Op, BoundExpr Value, bool AtNextPeriod,
    TextSpan Span)
{
    /// <summary>For an <c>add</c> to a wallet: what the credit it adds carries (the wallet's terms unless the op states its own).</summary>
    public LotTerms? Lot { get; init; }
}

internal enum ExpiryUnit { Days, Months, Years }

/// <summary>
/// What a credit added to a wallet carries: it expires <see cref="ExpiryLength"/> days, months or years after the local day it
/// was added (at the start of that day; null: never), and credits of a higher <see cref="Priority"/> are drawn first.
/// </summary>
internal sealed record LotTerms(int? ExpiryLength, ExpiryUnit Unit, int Priority)
{
    public static readonly LotTerms Default = new(null, ExpiryUnit.Days, 0);

    /// <summary>The local day from whose start a credit added on <paramref name="added"/> is no longer there.</summary>
    public DateOnly? ExpiryDay(DateOnly added) => ExpiryLength is not { } n ? null : Unit switch
    {
        ExpiryUnit.Days => added.AddDays(n),
        ExpiryUnit.Months => added.AddMonths(n),
        _ => added.AddYears(n),
    };
}

/// <summary>
/// A counter, wallet, setting or allowance: a value per key (or one value) that carries across periods, unless it
/// resets every period. An allowance's value is what its events used of <see cref="Allowance"/> in the period.
/// </summary>
internal sealed record StateSymbol(StateKind Kind, string Name, string? KeyAttribute, TlType Type, BoundExpr? Initial,
    ImmutableArray<StateOpSymbol> Ops, int Index, TextSpan Span)
{
    public string UnitLabel => Type.Unit ?? Name;

    /// <summary>Back to its initial value when each billing period opens (always so for an allowance).</summary>
    public bool ResetsEachPeriod { get; init; }

    /// <summary>For a wallet whose credits expire or are drawn by priority: it keeps each credit (lot) apart.</summary>
    public bool TracksLots { get; init; }

    /// <summary>For an allowance: the amount it includes each period, computed in the context of the event that uses it.</summary>
    public BoundExpr? Allowance { get; init; }

    /// <summary>The operation through which <paramref name="ev"/> changes this state, if exactly one does.</summary>
    public StateOpSymbol? OpFor(EventSymbol ev)
    {
        StateOpSymbol? found = null;
        foreach (var op in Ops)
        {
            if (op.Event.Name != ev.Name) continue;
            if (found is not null) return null;
            found = op;
        }
        return found;
    }
}

/// <summary>
/// <c>let NAME per EVENT = value</c>: a value computed from one event, bound in that event's scope. Every use binds to this
/// same tree (inlined by the binder), so both engines compute it like the expression it names.
/// </summary>
internal sealed record EventLetSymbol(string Name, EventSymbol Event, BoundExpr Value, TextSpan Span);

internal sealed record LetSymbol(string Name, BoundExpr Value, Validity Validity, int Index, TextSpan Span)
{
    public TlType Type => Value.Type;
}

/// <summary>The dates (inclusive, local to the tariff's zone) between which an item applies.</summary>
internal sealed record Validity(DateOnly? From, DateOnly? Until)
{
    public static readonly Validity Always = new(null, null);

    public bool Contains(DateOnly date) => (From is null || date >= From) && (Until is null || date <= Until);
}
