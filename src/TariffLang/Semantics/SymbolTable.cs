using NodaTime;

namespace TariffLang.Semantics;

/// <summary>The names declared so far, as the checker fills them in.</summary>
internal sealed class SymbolTable
{
    public string? Currency { get; set; }
    public DateTimeZone Zone { get; set; } = DateTimeZone.Utc;
    public HashSet<string> Units { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, ParamSymbol> Params { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, EventSymbol> Events { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, PlanSymbol> Plans { get; } = new(StringComparer.Ordinal);
    public string? PlanUnit { get; set; }
    public Dictionary<string, TableSymbol> Tables { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, WindowSymbol> Windows { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, TiersSymbol> Tiers { get; } = new(StringComparer.Ordinal);
    /// <summary>The windows whose <c>elapsed(NAME)</c> the tariff reads.</summary>
    public HashSet<string> ElapsedWindows { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, StateSymbol> States { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, LetSymbol> Lets { get; } = new(StringComparer.Ordinal);
    /// <summary>Event-level lets (<c>let NAME per EVENT = …</c>) by event and name.</summary>
    public Dictionary<(string Event, string Name), EventLetSymbol> EventLets { get; } = new();
    /// <summary>The tariff's holidays (yyyy-MM-dd), in file order; null when it declares none.</summary>
    public List<string>? Holidays { get; set; }
}

/// <summary>Static facts about what an expression reads.</summary>
internal static class Dependencies
{
    public static IEnumerable<BoundExpr> Children(BoundExpr e) => e switch
    {
        BoundUnary u => [u.Operand],
        BoundBinary b => [b.Left, b.Right],
        BoundIsNone i => [i.Operand],
        BoundConditional c => [c.Condition, c.Then, c.Else],
        BoundCall c => c.Args,
        BoundLookup l => l.Keys,
        BoundEventSet s => s.Conditions,
        BoundAggregate a => a.Value is null ? [a.Set] : [a.Set, a.Value],
        BoundAllowanceShare a => a.Condition is null ? [a.Amount, a.Weight] : [a.Amount, a.Weight, a.Condition],
        BoundTiered t => [t.Quantity],
        _ => [],
    };

    /// <summary>True when the value needs a period (aggregates, state aggregates, period lets).</summary>
    public static bool UsesPeriod(BoundExpr e) => e switch
    {
        BoundAggregate or BoundStateAggregate or BoundEventSet => true,
        BoundCall { Function: Builtin.PeriodMonths or Builtin.DaysInPeriod or Builtin.DayOfPeriod } => true,
        BoundLetRef l => UsesPeriod(l.Let.Value),
        _ => Children(e).Any(UsesPeriod),
    };

    /// <summary>True when the value reads a state or a window, through lets too.</summary>
    public static bool ReadsState(BoundExpr e) => e switch
    {
        BoundStateValue or BoundWithin or BoundAllowanceShare or BoundWindowElapsed => true,
        BoundLetRef l => ReadsState(l.Let.Value),
        _ => Children(e).Any(ReadsState),
    };

    /// <summary>The aggregates a period value reads, through lets too: their events are what a charge rates.</summary>
    public static IEnumerable<BoundAggregate> Aggregates(BoundExpr e) => e switch
    {
        BoundAggregate a => [a],
        BoundLetRef l => Aggregates(l.Let.Value),
        _ => Children(e).SelectMany(Aggregates),
    };

    /// <summary>The states whose period aggregate a value reads.</summary>
    public static IEnumerable<StateSymbol> StateAggregates(BoundExpr e) => e switch
    {
        BoundStateAggregate s => [s.State],
        BoundLetRef l => StateAggregates(l.Let.Value),
        _ => Children(e).SelectMany(StateAggregates),
    };
}
