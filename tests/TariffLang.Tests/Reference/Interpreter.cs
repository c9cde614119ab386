using TariffLang.Semantics;
using TariffLang.Syntax;

namespace TariffLang.Tests.Reference;

/// <summary>The reference backend: walks the checked expression tree. The compiled backend must agree with it to the cent.</summary>
internal sealed class Interpreter : IEvaluator
{
    public static readonly Interpreter Instance = new();

    public object? Evaluate(BoundExpr expr, EvalContext ctx)
    {
        switch (expr)
        {
            case BoundLiteral l: return l.Value;
            case BoundParam p: return ctx.Param(p.Param);
            case BoundAttribute a: return ctx.Event!.Values[a.Attribute.Index];
            case BoundEventBuiltin b: return b.Builtin == EventBuiltin.Time ? ctx.Event!.Time : ctx.Event!.Quantity;
            case BoundLetRef l: return ctx.Let(l.Let);
            case BoundPlanField f: return ctx.PlanField(f.Field);
            case BoundWithin w: return ctx.Within(w.Window);
            case BoundWindowElapsed w: return ctx.Elapsed(w.Window);
            case BoundTiered t: return Evaluate(t.Quantity, ctx) is decimal tq ? OracleTiers.Bands(t.Tiers, tq, ctx).Sum(b => b.Amount)
                : null;
            case BoundStateValue s: return ctx.StateValue(s.State);
            case BoundStateAggregate s: return ctx.StateAggregate(s.Kind, s.State);
            case BoundAllowanceShare a:
            {
                var q = ctx.Event!.Quantity;
                var covered = 0m;
                if (a.Condition is null || RuntimeOps.IsTrue(Evaluate(a.Condition, ctx)))
                {
                    if (Evaluate(a.Amount, ctx) is not decimal total || Evaluate(a.Weight, ctx) is not decimal weight)
                        throw new RatingException($"allowance '{a.Allowance.Name}': none");
                    if (weight < 0m) throw new RatingException("negative use");
                    var rest = total - (ctx.StateValue(a.Allowance) as decimal? ?? 0m);
                    // A share of each unit, as every per-event value is per unit of quantity.
                    covered = rest <= 0m ? 0m : weight * q <= rest ? 1m : rest / weight / q;
                }
                return a.Share == AllowanceShare.Covered ? covered : 1m - covered;
            }
            case BoundLookup l: return ctx.Lookup(l.Table, l.Keys.Select(k => Evaluate(k, ctx)).ToArray());
            case BoundUnary u:
                return u.Op == UnaryOp.Not ? RuntimeOps.Not(Evaluate(u.Operand, ctx)) : RuntimeOps.Negate(Evaluate(u.Operand, ctx));
            case BoundBinary b: return Binary(b, ctx);
            case BoundIsNone i: return (Evaluate(i.Operand, ctx) is null) != i.Negated;
            case BoundConditional c:
                // The oracle's own reading of the rule: an 'if' whose condition is none takes neither branch.
                return Evaluate(c.Condition, ctx) switch
                {
                    null => throw new RatingException(c.NoneReason),
                    var v => RuntimeOps.IsTrue(v) ? Evaluate(c.Then, ctx) : Evaluate(c.Else, ctx),
                };
            case BoundCall { Function: Builtin.PeriodMonths }: return (decimal)ctx.PeriodMonths;
            case BoundCall { Function: Builtin.DaysInPeriod }: return ctx.PeriodDays;
            case BoundCall { Function: Builtin.DayOfPeriod } d:
                return RuntimeOps.DayOfPeriod(Evaluate(d.Args[0], ctx), ctx.PeriodFirstDay, ctx.Zone);
            case BoundCall c: return RuntimeOps.Call(c.Function, c.Args.Select(a => Evaluate(a, ctx)).ToArray(), ctx.Now, ctx.Zone);
            case BoundAggregate a: return Aggregate(a, ctx);
        }
        throw new InvalidOperationException($"the interpreter cannot evaluate {expr.GetType().Name}");
    }

    private object? Binary(BoundBinary b, EvalContext ctx)
    {
        switch (b.Op)
        {
            case BinaryOp.And: return RuntimeOps.IsTrue(Evaluate(b.Left, ctx)) && RuntimeOps.IsTrue(Evaluate(b.Right, ctx));
            case BinaryOp.Or: return RuntimeOps.IsTrue(Evaluate(b.Left, ctx)) || RuntimeOps.IsTrue(Evaluate(b.Right, ctx));
        }
        var left = Evaluate(b.Left, ctx);
        var right = Evaluate(b.Right, ctx);
        return b.Op switch
        {
            BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div => RuntimeOps.Arithmetic(b.Op, left, right),
            BinaryOp.Contains => RuntimeOps.Contains(left, right),
            _ => RuntimeOps.Compare(b.Op, left, right),
        };
    }

    private object? Aggregate(BoundAggregate a, EvalContext ctx)
    {
        var saved = ctx.Event;
        try
        {
            decimal total = 0m;
            decimal? best = null;
            var seen = a.Kind == AggregateKind.Distinct ? new HashSet<string>(StringComparer.Ordinal) : null;
            var group = a.GroupKey is { } groupKey ? a.Set.Event.Find(groupKey)!.Index : -1;
            foreach (var e in ctx.PeriodEvents(a.Set.Event, a.GroupKey, a.Grace))
            {
                // Inside a charge by KEY, only the events of the group being billed.
                if (group >= 0 && !Equals(e.Values[group], ctx.Group)) continue;
                ctx.Event = e;
                if (!Matches(a.Set, ctx)) continue;
                switch (a.Kind)
                {
                    case AggregateKind.Count:
                        total += e.Quantity;
                        break;
                    case AggregateKind.Distinct:
                        if (Evaluate(a.Value!, ctx) is { } key) seen!.Add(RuntimeOps.Show(key));
                        break;
                    case AggregateKind.Sum:
                        if (Evaluate(a.Value!, ctx) is decimal v) total += v * e.Quantity;
                        break;
                    default:
                        if (Evaluate(a.Value!, ctx) is decimal m)
                            best = best is null ? m : a.Kind == AggregateKind.Min ? Math.Min(best.Value, m) : Math.Max(best.Value, m);
                        break;
                }
            }
            return a.Kind switch
            {
                AggregateKind.Distinct => (decimal)seen!.Count,
                AggregateKind.Min or AggregateKind.Max => best ?? 0m,
                _ => total,
            };
        }
        finally
        {
            ctx.Event = saved;
        }
    }

    /// <summary>Whether the event in hand passes every condition of the set.</summary>
    private bool Matches(BoundEventSet set, EvalContext ctx)
    {
        foreach (var condition in set.Conditions)
        {
            if (!RuntimeOps.IsTrue(Evaluate(condition, ctx))) return false;
        }
        return true;
    }
}

/// <summary>
/// The oracle's own reading of tiers: band i covers (bound i−1, bound i], the last band everything above. Graduated: each
/// band reached prices min(q, upper) − lower units plus its flat fee. Volume: only the band q falls in, for all q units.
/// </summary>
internal static class OracleTiers
{
    public sealed record Band(decimal From, decimal? To, decimal Units, decimal Price, decimal Flat, decimal Amount);

    public static List<Band> Bands(TiersSymbol tiers, decimal q, EvalContext ctx)
    {
        var bounds = tiers.Bands.Where(b => b.Bound is not null).Select(b => (decimal)ctx.Eval(b.Bound!)!).ToList();
        if (bounds.Where((b, i) => b <= 0m || (i > 0 && b <= bounds[i - 1])).Any())
            throw new RatingException(
                $"account '{ctx.Account}': tiers '{tiers.Name}': the bounds must be greater than 0 and increasing, not "
                + $"{string.Join(", ", bounds)}",
                accountWide: true);
        if (q < 0m) throw new RatingException($"a quantity priced by tiers cannot be negative, not {q}");
        var result = new List<Band>();
        var lower = 0m;
        foreach (var band in tiers.Bands)
        {
            decimal? upper = band.Bound is null ? null : (decimal)ctx.Eval(band.Bound)!;
            var price = band.Price is null ? 0m : (decimal)ctx.Eval(band.Price)!;
            var flat = band.Flat is null ? 0m : (decimal)ctx.Eval(band.Flat)!;
            var reached = q > lower;
            var inside = upper is null || q <= upper;
            if (tiers.Scheme == TierScheme.Volume)
            {
                if (reached && inside) result.Add(new Band(lower, upper, q, price, flat, q * price + flat));
            }
            else if (reached)
            {
                var units = (upper is { } u ? Math.Min(q, u) : q) - lower;
                result.Add(new Band(lower, upper, units, price, flat, units * price + flat));
            }
            if (upper is { } next) lower = next;
        }
        return result;
    }

    public static string Label(string label, Band band)
    {
        static string Show(decimal d)
        {
            var text = d.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;
        }
        var range = band.To is null ? $"above {Show(band.From)}" : band.From == 0m ? $"up to {Show(band.To.Value)}"
            : $"{Show(band.From)} to {Show(band.To.Value)}";
        return $"{label} ({range})";
    }
}
