using TariffLang.Semantics;
using TariffLang.Syntax;

namespace TariffLang.Emitter;

/// <summary>
/// Which expressions may be none at run time, so that generated code carries a plain <c>decimal</c> where none cannot
/// occur and a <c>decimal?</c> only where it can. The checker's optional flag says what a declaration allows; this
/// follows values through operators, lets, parameters' defaults, table cells and states. When in doubt it answers
/// "may be none", which only costs a nullable.
/// </summary>
internal sealed class Nullability(CheckedTariff model)
{
    private readonly Dictionary<object, bool> _memo = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<object> _visiting = new(ReferenceEqualityComparer.Instance);

    // The emitter asks about every node of a tree: answers are kept per node, so a deep tree costs its size, not its size squared.
    private readonly Dictionary<BoundExpr, bool> _nodes = new(ReferenceEqualityComparer.Instance);

    public bool MayBeNone(BoundExpr expr)
    {
        if (_nodes.TryGetValue(expr, out var known)) return known;
        var result = Compute(expr);
        _nodes[expr] = result;
        return result;
    }

    private bool Compute(BoundExpr expr) => expr switch
    {
        BoundLiteral l => l.Value is null,
        BoundParam p => Memo(p.Param, () => p.Param.Type.Optional || (p.Param.Default is { } d && MayBeNone(d))),
        BoundAttribute a => a.Attribute.Type.Optional,
        BoundEventBuiltin => false,
        BoundLetRef l => Memo(l.Let, () => MayBeNone(l.Let.Value)),
        BoundPlanField f => f.Field switch
        {
            PlanField.Name => false,
            PlanField.Fee => model.Plans.Any(p => MayBeNone(p.Fee)),
            PlanField.Includes => model.Plans.Any(p => p.Includes is { } e && MayBeNone(e)),
            _ => model.Plans.Any(p => p.Extra is { } e && MayBeNone(e)),
        },
        BoundWithin => false,
        BoundStateValue s => Memo(s.State, () => StateMayBeNone(s.State)),
        BoundStateAggregate => false,
        BoundAllowanceShare => false,
        BoundWindowElapsed => false,
        BoundTiered t => MayBeNone(t.Quantity),
        BoundLookup l => Memo(l.Table, () => l.Table.Cells.Values.Any(MayBeNone)),
        BoundUnary u => MayBeNone(u.Operand),
        BoundBinary b => b.Op is not (BinaryOp.And or BinaryOp.Or) && (MayBeNone(b.Left) || MayBeNone(b.Right)),
        BoundIsNone => false,
        BoundConditional c => MayBeNone(c.Then) || MayBeNone(c.Else),
        BoundCall { Function: Builtin.PeriodMonths } => false,
        BoundCall c => c.Args.Any(MayBeNone),
        BoundAggregate => false,
        _ => true,
    };

    /// <summary>A state holds its initial value (none for a non-numeric one without) or what its operations set.</summary>
    private bool StateMayBeNone(StateSymbol state)
    {
        if (state.Initial is { } initial ? MayBeNone(initial) : !state.Type.IsNumeric) return true;
        return state.Ops.Any(op => op.Op == StateOpKind.Set && MayBeNone(op.Value));
    }

    private bool Memo(object key, Func<bool> compute)
    {
        if (_memo.TryGetValue(key, out var known)) return known;
        // A cycle (a state's initial value reading the state) proves nothing: assume none is possible.
        if (!_visiting.Add(key)) return true;
        var result = compute();
        _visiting.Remove(key);
        _memo[key] = result;
        return result;
    }
}
