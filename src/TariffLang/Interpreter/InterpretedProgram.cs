using TariffLang.Runtime;
using TariffLang.Semantics;
using TariffLang.Syntax;

namespace TariffLang.Interpreter;

/// <summary>
/// The reference backend: walks the checked model for every event and every period value. Each operator, builtin and
/// step is the shared runtime's (<see cref="Operators"/>, <see cref="RatingContext"/>); the compiled program must
/// agree with this walk row for row and to the cent.
/// </summary>
internal sealed class InterpretedProgram(RatingPlan plan) : RatingProgram
{
    private readonly RatingPlan _plan = plan;

    public override string? Classify(RatingContext c)
    {
        var p = _plan.Pipelines[c.EventKind];
        foreach (var table in p.Tables)
        {
            Span<Value> keys = new Value[table.KeyAttributes.Length];
            for (var i = 0; i < keys.Length; i++) keys[i] = c.Attribute(table.KeyAttributes[i]);
            if (!c.HasCell(table.Table, keys)) return c.MissingCell(table.Table, keys);
        }
        foreach (var rule in p.Rejects)
        {
            if (!rule.Validity.Contains(c.LocalDate)) continue;
            if (rule.Condition is null || Evaluate(rule.Condition, c).IsTrue) return rule.Reason;
        }
        foreach (var rule in p.Frees)
        {
            if (!rule.Validity.Contains(c.LocalDate)) continue;
            if (rule.Condition is null || Evaluate(rule.Condition, c).IsTrue)
            {
                c.MarkFree(rule);
                return null;
            }
        }
        foreach (var charge in p.Charges)
        {
            if (!charge.Charge.Validity.Contains(c.LocalDate)) continue;
            if (charge.Charge.Condition is not null && !Evaluate(charge.Charge.Condition, c).IsTrue) continue;
            c.AddEventLine(charge.Index, Evaluate(charge.Charge.Price, c).NumberOrNull);
        }
        return null;
    }

    public override void Apply(RatingContext c)
    {
        var p = _plan.Pipelines[c.EventKind];
        foreach (var op in p.Ops)
        {
            if (op.Op.Condition is not null && !Evaluate(op.Op.Condition, c).IsTrue) continue;
            var key = op.KeyAttribute is { } k ? c.Attribute(k) : Value.None;
            var value = Evaluate(op.Op.Value, c);
            switch (op.Op.Op)
            {
                case StateOpKind.Set when op.Op.AtNextPeriod:
                    c.StateSetAtNextPeriod(op.State.Index, key, value);
                    break;
                case StateOpKind.Set:
                    c.StateSet(op.State.Index, key, value);
                    break;
                case StateOpKind.Use:
                    c.AllowanceUse(op.State.Index, Evaluate(op.State.Allowance!, c).NumberOrNull, value.NumberOrNull);
                    break;
                default:
                    c.StateAdd(op.State.Index, key, value.NumberOrNull, subtract: op.Op.Op == StateOpKind.Subtract, op.Position);
                    break;
            }
        }
        foreach (var w in p.Windows)
        {
            if (w.Window.Condition is not null && !Evaluate(w.Window.Condition, c).IsTrue) continue;
            c.OpenWindow(w.Window, c.Attribute(w.KeyAttribute));
        }
    }

    public override void Fold(RatingContext c, int aggregate)
    {
        var a = _plan.Aggregates[aggregate].Aggregate;
        foreach (var condition in a.Set.Conditions)
        {
            if (!Evaluate(condition, c).IsTrue) return;
        }
        switch (a.Kind)
        {
            case AggregateKind.Count:
                c.FoldCount(aggregate);
                break;
            case AggregateKind.Sum:
                c.FoldSum(aggregate, Evaluate(a.Value!, c).NumberOrNull);
                break;
            case AggregateKind.Distinct:
                c.FoldDistinct(aggregate, Evaluate(a.Value!, c));
                break;
            case AggregateKind.Min:
                c.FoldMin(aggregate, Evaluate(a.Value!, c).NumberOrNull);
                break;
            default:
                c.FoldMax(aggregate, Evaluate(a.Value!, c).NumberOrNull);
                break;
        }
    }

    public override Value Evaluate(RatingContext c, int root) => Evaluate(_plan.Roots[root], c);

    public Value Evaluate(BoundExpr expr, RatingContext c)
    {
        switch (expr)
        {
            case BoundLiteral l: return Literal(l.Value);
            case BoundParam p: return c.Param(_plan.ParamIndex(p.Param));
            case BoundAttribute a: return c.Attribute(a.Attribute.Index);
            case BoundEventBuiltin b: return b.Builtin == EventBuiltin.Time ? Value.FromTime(c.Time) : Value.FromNumber(c.Quantity);
            case BoundLetRef l: return c.Let(l.Let.Index);
            case BoundPlanField f: return c.PlanField(f.Field);
            case BoundWithin w: return Value.FromBool(c.Within(w.Window, c.Attribute(KeyOf(c, w.Window.KeyAttribute))));
            case BoundStateValue s:
            {
                if (s.State.KeyAttribute is null) return c.StateValue(s.State.Index, Value.None);
                if (!c.HasEvent) throw new InvalidOperationException("a keyed state needs an event");
                return c.StateValue(s.State.Index, c.Attribute(KeyOf(c, s.State.KeyAttribute)));
            }
            case BoundStateAggregate s: return Value.FromNumber(c.StateAggregate(s.Kind, s.State.Index));
            case BoundTiered t: return Value.FromNumber(c.Tiered(t.Tiers.Index, Evaluate(t.Quantity, c).NumberOrNull));
            case BoundWindowElapsed w: return Value.FromDuration(
                c.WindowElapsed(w.Window.Index, c.Attribute(KeyOf(c, w.Window.KeyAttribute))));
            case BoundAllowanceShare a:
            {
                var holds = a.Condition is null || Evaluate(a.Condition, c).IsTrue;
                return Value.FromNumber(c.AllowanceShare(a.Allowance.Index, holds, Evaluate(a.Amount, c).NumberOrNull,
                    Evaluate(a.Weight, c).NumberOrNull, a.Share == AllowanceShare.Beyond));
            }
            case BoundLookup l:
            {
                Span<Value> keys = new Value[l.Keys.Length];
                for (var i = 0; i < keys.Length; i++) keys[i] = Evaluate(l.Keys[i], c);
                return c.Lookup(l.Table, keys);
            }
            case BoundUnary u:
                return u.Op == UnaryOp.Not
                    ? Value.FromBool(Operators.Not(Evaluate(u.Operand, c).BoolOrNull))
                    : Value.FromNumber(Operators.Negate(Evaluate(u.Operand, c).NumberOrNull));
            case BoundBinary b: return Binary(b, c);
            case BoundIsNone i: return Value.FromBool(Evaluate(i.Operand, c).IsNone != i.Negated);
            case BoundConditional k:
            {
                var condition = Evaluate(k.Condition, c);
                return Operators.Choose(condition.BoolOrNull, k.NoneReason) ? Evaluate(k.Then, c) : Evaluate(k.Else, c);
            }
            case BoundCall call: return Call(call, c);
            case BoundAggregate a: return Value.FromNumber(c.Aggregate(_plan.AggregateIndex(a)));
        }
        throw new InvalidOperationException($"the interpreter cannot evaluate {expr.GetType().Name}");
    }

    /// <summary>The position of a key attribute in the event in hand (the checker made sure the event has it).</summary>
    private int KeyOf(RatingContext c, string attribute) =>
        _plan.Model.Events[c.EventKind].Find(attribute)?.Index
            ?? throw new InvalidOperationException($"the event has no attribute '{attribute}'");

    public static Value Literal(object? value) => value switch
    {
        null => Value.None,
        decimal d => Value.FromNumber(d),
        string s => Value.FromText(s),
        bool b => Value.FromBool(b),
        DateOnly d => Value.FromDate(d),
        DateTimeOffset t => Value.FromTime(t),
        TimeSpan s => Value.FromDuration(s),
        string[] tags => Value.FromTags(tags),
        _ => throw new InvalidOperationException($"no value for a {value.GetType().Name} constant"),
    };

    private Value Binary(BoundBinary b, RatingContext c)
    {
        switch (b.Op)
        {
            case BinaryOp.And: return Value.FromBool(Evaluate(b.Left, c).IsTrue && Evaluate(b.Right, c).IsTrue);
            case BinaryOp.Or: return Value.FromBool(Evaluate(b.Left, c).IsTrue || Evaluate(b.Right, c).IsTrue);
        }
        // Both operands are evaluated, left first, before the operator looks at none.
        var l = Evaluate(b.Left, c);
        var r = Evaluate(b.Right, c);
        return b.Operands switch
        {
            OperandKind.Number => b.Op switch
            {
                BinaryOp.Add => Value.FromNumber(Operators.Add(l.NumberOrNull, r.NumberOrNull)),
                BinaryOp.Sub => Value.FromNumber(Operators.Subtract(l.NumberOrNull, r.NumberOrNull)),
                BinaryOp.Mul => Value.FromNumber(Operators.Multiply(l.NumberOrNull, r.NumberOrNull)),
                BinaryOp.Div => Value.FromNumber(Operators.Divide(l.NumberOrNull, r.NumberOrNull)),
                _ => Value.FromBool(Compare(b.Op, l.NumberOrNull, r.NumberOrNull)),
            },
            OperandKind.TimeAndDuration => Value.FromTime(b.Op == BinaryOp.Add
                ? Operators.AddDuration(l.TimeOrNull, r.DurationOrNull)
                : Operators.SubtractDuration(l.TimeOrNull, r.DurationOrNull)),
            OperandKind.TimeAndTime => Value.FromDuration(Operators.Elapsed(l.TimeOrNull, r.TimeOrNull)),
            OperandKind.Durations => b.Op switch
            {
                BinaryOp.Add => Value.FromDuration(Operators.Add(l.DurationOrNull, r.DurationOrNull)),
                BinaryOp.Sub => Value.FromDuration(Operators.Subtract(l.DurationOrNull, r.DurationOrNull)),
                _ => Value.FromNumber(Operators.Divide(l.DurationOrNull, r.DurationOrNull)),
            },
            OperandKind.DurationAndNumber => Value.FromDuration(b.Op == BinaryOp.Mul
                ? Operators.Multiply(l.DurationOrNull, r.NumberOrNull)
                : Operators.Divide(l.DurationOrNull, r.NumberOrNull)),
            OperandKind.NumberAndDuration => Value.FromDuration(Operators.Multiply(l.NumberOrNull, r.DurationOrNull)),
            OperandKind.Time => Value.FromBool(Compare(b.Op, l.TimeOrNull, r.TimeOrNull)),
            OperandKind.Date => Value.FromBool(Compare(b.Op, l.DateOrNull, r.DateOrNull)),
            OperandKind.Duration => Value.FromBool(Compare(b.Op, l.DurationOrNull, r.DurationOrNull)),
            OperandKind.Text when b.Op == BinaryOp.Contains => Value.FromBool(Operators.Contains(l.TextOrNull, r.TextOrNull)),
            OperandKind.Tags when b.Op == BinaryOp.Contains => Value.FromBool(Operators.Contains(l.TagsOrNull, r.TextOrNull)),
            OperandKind.Text =>
                Value.FromBool(b.Op == BinaryOp.Eq ? Operators.Equal(l.TextOrNull, r.TextOrNull)
                    : Operators.NotEqual(l.TextOrNull, r.TextOrNull)),
            OperandKind.Bool =>
                Value.FromBool(b.Op == BinaryOp.Eq ? Operators.Equal(l.BoolOrNull, r.BoolOrNull)
                    : Operators.NotEqual(l.BoolOrNull, r.BoolOrNull)),
            _ =>
                Value.FromBool(b.Op == BinaryOp.Eq ? Operators.Equal(l.TagsOrNull, r.TagsOrNull)
                    : Operators.NotEqual(l.TagsOrNull, r.TagsOrNull)),
        };
    }

    private static bool? Compare(BinaryOp op, decimal? x, decimal? y) => op switch
    {
        BinaryOp.Eq => Operators.Equal(x, y),
        BinaryOp.Ne => Operators.NotEqual(x, y),
        BinaryOp.Lt => Operators.Less(x, y),
        BinaryOp.Le => Operators.LessOrEqual(x, y),
        BinaryOp.Gt => Operators.Greater(x, y),
        _ => Operators.GreaterOrEqual(x, y),
    };

    private static bool? Compare(BinaryOp op, DateTimeOffset? x, DateTimeOffset? y) => op switch
    {
        BinaryOp.Eq => Operators.Equal(x, y),
        BinaryOp.Ne => Operators.NotEqual(x, y),
        BinaryOp.Lt => Operators.Less(x, y),
        BinaryOp.Le => Operators.LessOrEqual(x, y),
        BinaryOp.Gt => Operators.Greater(x, y),
        _ => Operators.GreaterOrEqual(x, y),
    };

    private static bool? Compare(BinaryOp op, DateOnly? x, DateOnly? y) => op switch
    {
        BinaryOp.Eq => Operators.Equal(x, y),
        BinaryOp.Ne => Operators.NotEqual(x, y),
        BinaryOp.Lt => Operators.Less(x, y),
        BinaryOp.Le => Operators.LessOrEqual(x, y),
        BinaryOp.Gt => Operators.Greater(x, y),
        _ => Operators.GreaterOrEqual(x, y),
    };

    private static bool? Compare(BinaryOp op, TimeSpan? x, TimeSpan? y) => op switch
    {
        BinaryOp.Eq => Operators.Equal(x, y),
        BinaryOp.Ne => Operators.NotEqual(x, y),
        BinaryOp.Lt => Operators.Less(x, y),
        BinaryOp.Le => Operators.LessOrEqual(x, y),
        BinaryOp.Gt => Operators.Greater(x, y),
        _ => Operators.GreaterOrEqual(x, y),
    };

    private Value Call(BoundCall call, RatingContext c)
    {
        if (call.Function == Builtin.PeriodMonths) return Value.FromNumber(c.PeriodMonths);
        if (call.Function == Builtin.DaysInPeriod) return Value.FromNumber(c.PeriodDays);
        // Every argument is evaluated, left to right, before any none is looked at.
        var args = new Value[call.Args.Length];
        for (var i = 0; i < args.Length; i++) args[i] = Evaluate(call.Args[i], c);
        switch (call.Function)
        {
            case Builtin.Ceil: return Value.FromNumber(Operators.Ceiling(args[0].NumberOrNull));
            case Builtin.Floor: return Value.FromNumber(Operators.Floor(args[0].NumberOrNull));
            case Builtin.Round: return Value.FromNumber(Operators.Round(args[0].NumberOrNull));
            case Builtin.Abs: return Value.FromNumber(Operators.Abs(args[0].NumberOrNull));
            case Builtin.Min or Builtin.Max:
            {
                var best = args[0].NumberOrNull;
                for (var i = 1; i < args.Length; i++)
                    best = call.Function == Builtin.Min ? Operators.Min(best, args[i].NumberOrNull)
                        : Operators.Max(best, args[i].NumberOrNull);
                return Value.FromNumber(best);
            }
            case Builtin.YearsSince:
                return Value.FromNumber(args[0].Kind == ValueKind.Time
                    ? Operators.YearsSince(args[0].TimeOrNull, c.Now, c.Zone)
                    : Operators.YearsSince(args[0].DateOrNull, c.Now, c.Zone));
            case Builtin.RoundUp: return Value.FromNumber(Operators.RoundUp(args[0].NumberOrNull, args[1].NumberOrNull));
            case Builtin.RoundDown: return Value.FromNumber(Operators.RoundDown(args[0].NumberOrNull, args[1].NumberOrNull));
            case Builtin.RoundNearest: return Value.FromNumber(Operators.RoundNearest(args[0].NumberOrNull, args[1].NumberOrNull));
            case Builtin.Blocks:
                return Value.FromNumber(args.Length == 2
                    ? Operators.Blocks(args[0].NumberOrNull, args[1].NumberOrNull)
                    : Operators.Blocks(args[0].NumberOrNull, args[1].NumberOrNull, args[2].NumberOrNull));
            case Builtin.DaysBetween: return Value.FromNumber(Operators.DaysBetween(LocalDate(args[0], c), LocalDate(args[1], c)));
            case Builtin.DayOfPeriod: return Value.FromNumber(Operators.DayOfPeriod(LocalDate(args[0], c), c.PeriodFirstDay));
            case Builtin.RoundUpDuration: return Value.FromDuration(Operators.RoundUp(args[0].DurationOrNull, args[1].DurationOrNull));
            case Builtin.RoundDownDuration: return Value.FromDuration(Operators.RoundDown(args[0].DurationOrNull, args[1].DurationOrNull));
            case Builtin.RoundNearestDuration: return Value.FromDuration(
                Operators.RoundNearest(args[0].DurationOrNull, args[1].DurationOrNull));
            case Builtin.Seconds: return Value.FromNumber(Operators.Seconds(args[0].DurationOrNull));
            case Builtin.Minutes: return Value.FromNumber(Operators.Minutes(args[0].DurationOrNull));
            case Builtin.Hours: return Value.FromNumber(Operators.Hours(args[0].DurationOrNull));
            case Builtin.Days: return Value.FromNumber(Operators.Days(args[0].DurationOrNull));
            case Builtin.Length: return Value.FromNumber(Operators.Length(args[0].TextOrNull));
            case Builtin.StartsWith: return Value.FromBool(Operators.StartsWith(args[0].TextOrNull, args[1].TextOrNull));
            case Builtin.EndsWith: return Value.FromBool(Operators.EndsWith(args[0].TextOrNull, args[1].TextOrNull));
            case Builtin.IsGsm7: return Value.FromBool(Operators.IsGsm7(args[0].TextOrNull));
            case Builtin.Gsm7Length: return Value.FromNumber(Operators.Gsm7Length(args[0].TextOrNull));
            case Builtin.TimeOfDay: return Value.FromDuration(Operators.TimeOfDay(args[0].TimeOrNull, c.Zone));
            case Builtin.Overlap:
                return Value.FromDuration(
                    Operators.Overlap(args[0].TimeOrNull, args[1].DurationOrNull, args[2].DurationOrNull, args[3].DurationOrNull, c.Zone));
            case Builtin.DayOfWeek: return Value.FromNumber(Operators.DayOfWeek(LocalDate(args[0], c)));
            case Builtin.MonthOfYear: return Value.FromNumber(Operators.MonthOfYear(LocalDate(args[0], c)));
            case Builtin.DayOfMonth: return Value.FromNumber(Operators.DayOfMonth(LocalDate(args[0], c)));
            case Builtin.IsHoliday:
                return Value.FromBool(
                    Operators.IsHoliday(LocalDate(args[0], c), args[1].Tags, args.Length > 2 ? args[2].TagsOrNull : null));
        }
        throw new InvalidOperationException(call.Function.ToString());
    }

    private static DateOnly? LocalDate(in Value v, RatingContext c) =>
        v.Kind == ValueKind.Time ? Operators.LocalDate(v.TimeOrNull, c.Zone) : v.DateOrNull;
}
