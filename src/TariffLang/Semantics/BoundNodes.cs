using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using TariffLang.Syntax;
using TariffLang.Text;

namespace TariffLang.Semantics;

// The checked model of expressions: every name resolved to its symbol and every node typed.

internal abstract record BoundExpr(TlType Type, TextSpan Span);

/// <summary>A constant: decimal, string, bool, DateOnly, DateTimeOffset, TimeSpan, or null for none.</summary>
internal sealed record BoundLiteral(object? Value, TlType Type, TextSpan Span) : BoundExpr(Type, Span);

internal sealed record BoundParam(ParamSymbol Param, TextSpan Span) : BoundExpr(Param.Type, Span);

internal sealed record BoundAttribute(EventSymbol Event, AttributeSymbol Attribute, TextSpan Span) : BoundExpr(Attribute.Type, Span);

internal enum EventBuiltin { Time, Quantity }

internal sealed record BoundEventBuiltin(EventBuiltin Builtin, TlType Type, TextSpan Span) : BoundExpr(Type, Span);

internal sealed record BoundLetRef(LetSymbol Let, TextSpan Span) : BoundExpr(Let.Type, Span);

internal enum PlanField { Name, Fee, Includes, Extra }

internal sealed record BoundPlanField(PlanField Field, TlType Type, TextSpan Span) : BoundExpr(Type, Span);

internal sealed record BoundWithin(WindowSymbol Window, TextSpan Span) : BoundExpr(TlType.Bool, Span);

/// <summary>The value of a state for the current event's key (or its single value).</summary>
internal sealed record BoundStateValue(StateSymbol State, TextSpan Span) : BoundExpr(State.Type, Span);

internal enum StateAggregateKind { Peak, Level }

/// <summary>Over a period: the sum over keys of the highest (peak) or final (level) value.</summary>
internal sealed record BoundStateAggregate(StateAggregateKind Kind, StateSymbol State, TextSpan Span) : BoundExpr(State.Type, Span);

internal enum AllowanceShare { Covered, Beyond }

/// <summary>
/// <c>covered(A)</c> or <c>beyond(A)</c>: the share (0 to 1) of each unit of the current event's quantity that what is left
/// of allowance A before the event covers, or that goes beyond it. <paramref name="Weight"/> and <paramref name="Condition"/> are the
/// event's <c>use</c> (an event whose condition does not hold uses nothing, so none of it is covered).
/// </summary>
internal sealed record BoundAllowanceShare(AllowanceShare Share, StateSymbol Allowance, BoundExpr Amount, BoundExpr Weight,
    BoundExpr? Condition, TextSpan Span) : BoundExpr(TlType.Number, Span);

/// <summary>
/// <c>elapsed(W)</c>: how long the window for the current event's key has been open without a break (since the event that
/// opened it, through every refresh), or zero when it is not open (the event in hand would start it).
/// </summary>
internal sealed record BoundWindowElapsed(WindowSymbol Window, TextSpan Span) : BoundExpr(TlType.Duration, Span);

/// <summary><c>tiered(T, q)</c>: the amount the tiers table prices a quantity at.</summary>
internal sealed record BoundTiered(TiersSymbol Tiers, BoundExpr Quantity, TextSpan Span) : BoundExpr(TlType.Money, Span);

internal sealed record BoundLookup(TableSymbol Table, ImmutableArray<BoundExpr> Keys, TextSpan Span) : BoundExpr(Table.ValueType, Span);

internal sealed record BoundUnary(UnaryOp Op, BoundExpr Operand, TlType Type, TextSpan Span) : BoundExpr(Type, Span);

/// <summary>
/// What a binary operator applies to, resolved by the binder from its operands' types: together with <see cref="BinaryOp"/>
/// it names the one runtime operation both engines call (<c>Runtime.Operators</c>).
/// </summary>
internal enum OperandKind { Bool, Number, Text, Date, Time, Duration, Tags, TimeAndDuration, TimeAndTime, Durations, DurationAndNumber,
    NumberAndDuration }

internal sealed record BoundBinary(BinaryOp Op, OperandKind Operands, BoundExpr Left, BoundExpr Right, TlType Type, TextSpan Span)
    : BoundExpr(Type, Span)
{
    /// <summary>The operand kind of an operator on operands of these types (only meaningful once they checked).</summary>
    public static OperandKind Resolve(BinaryOp op, TlType left, TlType right) => op switch
    {
        BinaryOp.And or BinaryOp.Or => OperandKind.Bool,
        BinaryOp.Contains => left.Kind == TypeKind.Tags ? OperandKind.Tags : OperandKind.Text,
        BinaryOp.Add or BinaryOp.Sub when left.Kind == TypeKind.Time && right.Kind == TypeKind.Duration => OperandKind.TimeAndDuration,
        BinaryOp.Sub when left.Kind == TypeKind.Time && right.Kind == TypeKind.Time => OperandKind.TimeAndTime,
        BinaryOp.Add or BinaryOp.Sub or BinaryOp.Div when left.Kind == TypeKind.Duration && right.Kind == TypeKind.Duration =>
            OperandKind.Durations,
        BinaryOp.Mul or BinaryOp.Div when left.Kind == TypeKind.Duration => OperandKind.DurationAndNumber,
        BinaryOp.Mul when right.Kind == TypeKind.Duration => OperandKind.NumberAndDuration,
        BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div => OperandKind.Number,
        _ => left.Kind switch
        {
            TypeKind.Number or TypeKind.Money => OperandKind.Number,
            TypeKind.Text => OperandKind.Text,
            TypeKind.Bool => OperandKind.Bool,
            TypeKind.Date => OperandKind.Date,
            TypeKind.Time => OperandKind.Time,
            TypeKind.Duration => OperandKind.Duration,
            _ => OperandKind.Tags,
        },
    };
}

internal sealed record BoundIsNone(BoundExpr Operand, bool Negated, TextSpan Span) : BoundExpr(TlType.Bool, Span);

/// <summary>
/// <c>if … then … else …</c>. A condition that is none picks no branch: the row is rejected with <paramref name="NoneReason"/>
/// (which names the optional values the condition reads), so a missing attribute never selects a price silently.
/// </summary>
internal sealed record BoundConditional(BoundExpr Condition, BoundExpr Then, BoundExpr Else, TlType Type, TextSpan Span, string NoneReason)
    : BoundExpr(Type, Span);

internal enum Builtin
{
    Ceil, Floor, Round, Abs, Min, Max, YearsSince, PeriodMonths,
    RoundUp, RoundDown, RoundNearest, Blocks, DaysBetween, DaysInPeriod, DayOfPeriod,
    RoundUpDuration, RoundDownDuration, RoundNearestDuration, Seconds, Minutes, Hours, Days,
    Length, StartsWith, EndsWith, IsGsm7, Gsm7Length, TimeOfDay, DayOfWeek, MonthOfYear, DayOfMonth, IsHoliday, Overlap,
}

internal sealed record BoundCall(Builtin Function, ImmutableArray<BoundExpr> Args, TlType Type, TextSpan Span) : BoundExpr(Type, Span);

/// <summary>The events of one kind in the current period that are billable (not rejected, not free) and meet every condition.</summary>
internal sealed record BoundEventSet(EventSymbol Event, ImmutableArray<BoundExpr> Conditions, TextSpan Span)
    : BoundExpr(TlType.EventSetOf(Event.Name), Span);

internal enum AggregateKind { Count, Sum, Distinct, Min, Max }

internal sealed record BoundAggregate(AggregateKind Kind, BoundEventSet Set, BoundExpr? Value, TlType Type, TextSpan Span)
    : BoundExpr(Type, Span)
{
    /// <summary>Inside <c>charge "L" by KEY</c>: the aggregate is folded per value of this attribute and read for one group.</summary>
    public string? GroupKey { get; init; }

    /// <summary>
    /// Inside <c>charge "L" by KEY whole within D</c>: a group started in a period takes its events up to D after the
    /// period's end (they are billed with it); null when groups are split at the period's end.
    /// </summary>
    public TimeSpan? Grace { get; init; }
}

/// <summary>
/// Whether two bound expressions compute the same thing: the same node kinds, symbols, operators and constants,
/// wherever they were written (spans are ignored). Two aggregates written twice in a tariff are then folded once.
/// </summary>
internal static class BoundEquivalence
{
    public static bool Equivalent(BoundExpr? a, BoundExpr? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null || a.GetType() != b.GetType() || a.Type != b.Type) return false;
        return (a, b) switch
        {
            (BoundLiteral x, BoundLiteral y) => LiteralEquals(x.Value, y.Value),
            (BoundParam x, BoundParam y) => ReferenceEquals(x.Param, y.Param),
            (BoundAttribute x, BoundAttribute y) => ReferenceEquals(x.Event, y.Event) && ReferenceEquals(x.Attribute, y.Attribute),
            (BoundEventBuiltin x, BoundEventBuiltin y) => x.Builtin == y.Builtin,
            (BoundLetRef x, BoundLetRef y) => ReferenceEquals(x.Let, y.Let),
            (BoundPlanField x, BoundPlanField y) => x.Field == y.Field,
            (BoundWithin x, BoundWithin y) => ReferenceEquals(x.Window, y.Window),
            (BoundStateValue x, BoundStateValue y) => ReferenceEquals(x.State, y.State),
            (BoundStateAggregate x, BoundStateAggregate y) => x.Kind == y.Kind && ReferenceEquals(x.State, y.State),
            (BoundWindowElapsed x, BoundWindowElapsed y) => x.Window.Index == y.Window.Index,
            (BoundTiered x, BoundTiered y) => x.Tiers.Index == y.Tiers.Index && Equivalent(x.Quantity, y.Quantity),
            (BoundAllowanceShare x, BoundAllowanceShare y) => x.Share == y.Share && x.Allowance.Index == y.Allowance.Index
                && Equivalent(x.Amount, y.Amount) && Equivalent(x.Weight, y.Weight) && Equivalent(x.Condition, y.Condition),
            (BoundLookup x, BoundLookup y) => ReferenceEquals(x.Table, y.Table) && All(x.Keys, y.Keys),
            (BoundUnary x, BoundUnary y) => x.Op == y.Op && Equivalent(x.Operand, y.Operand),
            (BoundBinary x, BoundBinary y) =>
                x.Op == y.Op && x.Operands == y.Operands && Equivalent(x.Left, y.Left) && Equivalent(x.Right, y.Right),
            (BoundIsNone x, BoundIsNone y) => x.Negated == y.Negated && Equivalent(x.Operand, y.Operand),
            (BoundConditional x, BoundConditional y) =>
                Equivalent(x.Condition, y.Condition) && Equivalent(x.Then, y.Then) && Equivalent(x.Else, y.Else),
            (BoundCall x, BoundCall y) => x.Function == y.Function && All(x.Args, y.Args),
            (BoundEventSet x, BoundEventSet y) => ReferenceEquals(x.Event, y.Event) && All(x.Conditions, y.Conditions),
            (BoundAggregate x, BoundAggregate y) =>
                x.Kind == y.Kind && x.GroupKey == y.GroupKey && x.Grace == y.Grace && Equivalent(x.Set, y.Set)
                && Equivalent(x.Value, y.Value),
            _ => false,
        };
    }

    private static bool All(System.Collections.Immutable.ImmutableArray<BoundExpr> a,
        System.Collections.Immutable.ImmutableArray<BoundExpr> b)
    {
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
        {
            if (!Equivalent(a[i], b[i])) return false;
        }
        return true;
    }

    /// <summary>
    /// A hash that equivalent expressions share (so that finding a tariff's equivalent aggregates takes a dictionary, not a
    /// comparison of every pair): the node kinds, operators, symbols and constants, as <see cref="Equivalent"/> reads them.
    /// </summary>
    public static int Hash(BoundExpr? e)
    {
        if (e is null) return 0;
        var h = new HashCode();
        h.Add(e.GetType());
        h.Add(e.Type);
        switch (e)
        {
            case BoundLiteral l: h.Add(LiteralHash(l.Value)); break;
            case BoundParam p: h.Add(RuntimeHelpers.GetHashCode(p.Param)); break;
            case BoundAttribute a: h.Add(RuntimeHelpers.GetHashCode(a.Attribute)); break;
            case BoundEventBuiltin b: h.Add(b.Builtin); break;
            case BoundLetRef l: h.Add(RuntimeHelpers.GetHashCode(l.Let)); break;
            case BoundPlanField f: h.Add(f.Field); break;
            case BoundWithin w: h.Add(RuntimeHelpers.GetHashCode(w.Window)); break;
            case BoundStateValue s: h.Add(RuntimeHelpers.GetHashCode(s.State)); break;
            case BoundStateAggregate s: h.Add(s.Kind); h.Add(RuntimeHelpers.GetHashCode(s.State)); break;
            case BoundAllowanceShare a: h.Add(a.Share); h.Add(a.Allowance.Index); break;
            case BoundWindowElapsed w: h.Add(w.Window.Index); break;
            case BoundTiered t: h.Add(t.Tiers.Index); break;
            case BoundLookup l: h.Add(RuntimeHelpers.GetHashCode(l.Table)); break;
            case BoundUnary u: h.Add(u.Op); break;
            case BoundBinary b: h.Add(b.Op); h.Add(b.Operands); break;
            case BoundIsNone i: h.Add(i.Negated); break;
            case BoundCall c: h.Add(c.Function); break;
            case BoundEventSet s: h.Add(RuntimeHelpers.GetHashCode(s.Event)); break;
            case BoundAggregate a: h.Add(a.Kind); h.Add(a.GroupKey); h.Add(a.Grace); break;
        }
        foreach (var child in Dependencies.Children(e)) h.Add(Hash(child));
        return h.ToHashCode();
    }

    /// <summary>Expressions compared by <see cref="Equivalent"/>, as dictionary keys.</summary>
    public static readonly IEqualityComparer<BoundExpr> Comparer = new EquivalenceComparer();

    private sealed class EquivalenceComparer : IEqualityComparer<BoundExpr>
    {
        public bool Equals(BoundExpr? x, BoundExpr? y) => Equivalent(x, y);

        public int GetHashCode(BoundExpr obj) => Hash(obj);
    }

    private static int LiteralHash(object? value) => value switch
    {
        null => 0,
        decimal d => HashCode.Combine(d, d.Scale),
        string[] tags => tags.Aggregate(tags.Length, (h, t) => HashCode.Combine(h, StringComparer.Ordinal.GetHashCode(t))),
        _ => value.GetHashCode(),
    };

    // A decimal's scale shows on invoices: 1.0 and 1.00 are not the same constant.
    private static bool LiteralEquals(object? x, object? y) => (x, y) switch
    {
        (decimal a, decimal b) => a == b && a.Scale == b.Scale,
        (string[] a, string[] b) => a.AsSpan().SequenceEqual(b),
        _ => Equals(x, y),
    };
}
