using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TariffLang.Semantics;
using TariffLang.Syntax;

namespace TariffLang.Runtime;

/// <summary>A table looked up for every event of a kind, with the positions of its key attributes in that event.</summary>
internal sealed record PipelineTable(TableSymbol Table, ImmutableArray<int> KeyAttributes);

/// <summary>A per-event charge with its position among the tariff's per-event charges.</summary>
internal sealed record PipelineCharge(CheckedEventCharge Charge, int Index);

/// <summary>A state operation on an event kind; <see cref="KeyAttribute"/> is its key's position in the event.</summary>
/// <summary>A state operation of an event; <paramref name="Position"/> is its place in its state's operations.</summary>
internal sealed record PipelineOp(StateSymbol State, StateOpSymbol Op, int? KeyAttribute, int Position);

/// <summary>A window an event kind opens, keyed by the attribute at <see cref="KeyAttribute"/>.</summary>
internal sealed record PipelineWindow(WindowSymbol Window, int KeyAttribute);

/// <summary>
/// Everything the engine does for one event of a kind, in order: table cells, reject rules, free rules and per-event
/// charges (classification, seen from the state before the event); then state operations and windows (effects); then,
/// for a billable event, the period aggregates it feeds. Both engines run exactly these steps, in this order.
/// </summary>
internal sealed record EventPipeline(
    EventSymbol Event,
    ImmutableArray<PipelineTable> Tables,
    ImmutableArray<CheckedRule> Rejects,
    ImmutableArray<CheckedRule> Frees,
    ImmutableArray<PipelineCharge> Charges,
    ImmutableArray<PipelineOp> Ops,
    ImmutableArray<PipelineWindow> Windows,
    ImmutableArray<int> Aggregates);

/// <summary>A period aggregate, folded as its events arrive; <see cref="Charges"/> are the period charges that read it.</summary>
internal sealed record AggregatePlan(BoundAggregate Aggregate, int Index, ImmutableArray<int> Charges)
{
    public EventSymbol Event => Aggregate.Set.Event;

    /// <summary>For an aggregate of a charge by KEY: the key attribute's position, by whose value it is folded apart.</summary>
    public int? GroupAttribute { get; } = Aggregate.GroupKey is { } key ? Aggregate.Set.Event.Find(key)!.Index : null;

    /// <summary>
    /// For an aggregate of a charge by KEY whole within D: the aggregates whose groups are one group with its own (same
    /// key, same grace), itself included. A group started in a period is known by any of them having its key.
    /// </summary>
    public ImmutableArray<int> Family { get; init; } = [];
}

/// <summary>A period charge: the roots of its amount and price, the aggregates and states its value reads.</summary>
internal sealed record ChargePlan(CheckedAggregateCharge Charge, int Index, int AmountRoot, int? PriceRoot,
    ImmutableArray<int> Aggregates, ImmutableArray<int> States);

/// <summary>The cells of a table, indexed by their keys, each with its position among all the tariff's cells.</summary>
internal sealed class TableIndex
{
    private readonly Dictionary<string, object> _root = new(StringComparer.Ordinal);

    public TableIndex(TableSymbol table, Func<BoundExpr, int> root, ref int nextCell)
    {
        Table = table;
        // Cells sit in a hash-ordered dictionary whose order differs between processes: sort by key.
        foreach (var (key, value) in table.Cells.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var parts = key.Split(TableSymbol.KeySeparator);
            var level = _root;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (!level.TryGetValue(parts[i], out var next))
                    level[parts[i]] = next = new Dictionary<string, object>(StringComparer.Ordinal);
                level = (Dictionary<string, object>)next;
            }
            level[parts[^1]] = new Cell(nextCell++, root(value));
        }
    }

    public sealed record Cell(int Index, int Root);

    public TableSymbol Table { get; }

    /// <summary>The cell for these keys, or null when the table has none (a key that is not a text has none).</summary>
    public Cell? Find(ReadOnlySpan<Value> keys)
    {
        object? node = _root;
        foreach (var key in keys)
        {
            if (key.Kind != ValueKind.Text || node is not Dictionary<string, object> level || !level.TryGetValue(key.Text, out node))
                return null;
        }
        return node as Cell;
    }

    /// <summary>Why a table has no cell for these keys: the same words whether an event or a period asked.</summary>
    public string MissingCell(ReadOnlySpan<Value> keys)
    {
        var parts = new string[keys.Length];
        for (var i = 0; i < keys.Length; i++) parts[i] = $"{Table.Keys[i]} {ValueText.Show(keys[i])}";
        return $"table '{Table.Name}' has no value for " + string.Join(", ", parts);
    }
}

/// <summary>
/// A checked tariff laid out for rating, shared by both engines: every expression the runtime evaluates at a period's
/// close or on its own (a charge, a let, a plan field, a parameter default, a table cell, a state's initial value, a
/// grant) is a numbered root; per event kind, the pipeline of steps; the period aggregates, each folded as its events
/// arrive; the period charges and what they read. Built by walking the model in declaration order, so the same
/// tariff text always gives the same plan: a compiled program is bound to a plan by its <see cref="Layout"/> hash.
/// </summary>
internal sealed class RatingPlan
{
    private readonly List<BoundExpr> _roots = new();
    private readonly Dictionary<BoundExpr, int> _rootIndex = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<BoundAggregate, int> _aggregateIndex = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<ParamSymbol, int> _paramIndex = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<TableSymbol, TableIndex> _tables = new(ReferenceEqualityComparer.Instance);
    private readonly List<TableIndex> _tableList = new();

    private RatingPlan(CheckedTariff model)
    {
        Model = model;
        Zone = new ZoneClock(model.Period.Zone);
    }

    public CheckedTariff Model { get; }

    public ZoneClock Zone { get; }

    public IReadOnlyList<BoundExpr> Roots => _roots;

    public ImmutableArray<EventPipeline> Pipelines { get; private set; }

    public ImmutableArray<AggregatePlan> Aggregates { get; private set; }

    /// <summary>
    /// For each event (by index) and attribute (by position): true for a text that the tariff reads only as the key of a
    /// window or as the value of a distinct count. Both keep a short text as its word (<see cref="TextWord"/>), so such a
    /// text is read from a ledger as its word alone, with no string (<see cref="Value.FromWord"/>).
    /// </summary>
    public ImmutableArray<ImmutableArray<bool>> KeyOnlyTexts { get; private set; }

    public ImmutableArray<ChargePlan> Charges { get; private set; }

    /// <summary>
    /// The longest grace of the tariff's charges by KEY whole within D (null when it has none): a period whose groups may
    /// still take events is held this long after its end before it is billed.
    /// </summary>
    public TimeSpan? LongestGrace { get; private set; }

    /// <summary>For each state (by index), the period charges that read it through peak() or level().</summary>
    public ImmutableArray<ImmutableArray<int>> StateReaders { get; private set; }

    public ImmutableArray<int> ParamDefaultRoots { get; private set; }

    /// <summary>For each plan (by position): the roots of its fee, included quantity and extra price (-1 when absent).</summary>
    public ImmutableArray<(int Fee, int Includes, int Extra)> PlanRoots { get; private set; }

    public ImmutableArray<int> LetRoots { get; private set; }

    public ImmutableArray<int> InitialRoots { get; private set; }

    public ImmutableArray<int> GrantRoots { get; private set; }

    public ImmutableArray<int> LimitRoots { get; private set; }

    public ImmutableArray<int> TaxRoots { get; private set; }

    /// <summary>
    /// The group of the lines a charge or a minimum/maximum writes, by where it is written in the tariff (the order its
    /// lines take on the invoice): a line's group is found from its place, whatever its label became.
    /// </summary>
    public ImmutableDictionary<int, int> GroupAt { get; private set; } = ImmutableDictionary<int, int>.Empty;

    /// <summary>For each tiers table and band: the roots of its bound, unit price and flat fee (-1 when not written).</summary>
    public ImmutableArray<ImmutableArray<(int Bound, int Price, int Flat)>> TierRoots { get; private set; }

    /// <summary>How many table cells the tariff has in all: an account caches their values by cell index.</summary>
    public int CellCount { get; private set; }

    /// <summary>A hash of the layout: a compiled program generated for another layout is never bound to this one.</summary>
    public string Layout { get; private set; } = "";

    public int RootIndex(BoundExpr expr) => _rootIndex[expr];

    public int AggregateIndex(BoundAggregate aggregate) => _aggregateIndex[aggregate];

    public int ParamIndex(ParamSymbol param) => _paramIndex[param];

    public TableIndex Table(TableSymbol table) => _tables[table];

    public TableIndex TableAt(int index) => _tableList[index];

    public int? PlanIndex(PlanSymbol plan)
    {
        var i = Model.Plans.IndexOf(plan);
        return i < 0 ? null : i;
    }

    public static RatingPlan Build(CheckedTariff model)
    {
        var plan = new RatingPlan(model);
        plan.Lay();
        plan.Layout = plan.Describe();
        return plan;
    }

    private int Root(BoundExpr expr)
    {
        if (_rootIndex.TryGetValue(expr, out var index)) return index;
        index = _roots.Count;
        _rootIndex[expr] = index;
        _roots.Add(expr);
        return index;
    }

    private void Lay()
    {
        var t = Model;
        for (var i = 0; i < t.Params.Length; i++) _paramIndex[t.Params[i]] = i;
        ParamDefaultRoots = t.Params.Select(p => p.Default is null ? -1 : Root(p.Default)).ToImmutableArray();
        PlanRoots = t.Plans.Select(p => (Root(p.Fee), p.Includes is null ? -1 : Root(p.Includes), p.Extra is null ? -1 : Root(p.Extra)))
            .ToImmutableArray();
        var cells = 0;
        foreach (var table in t.Tables)
        {
            var index = new TableIndex(table, Root, ref cells);
            _tables[table] = index;
            _tableList.Add(index);
        }
        CellCount = cells;
        InitialRoots = t.States.Select(s => s.Initial is null ? -1 : Root(s.Initial)).ToImmutableArray();
        // A let that names a set of events (let billable = appointment where …) has no value of its own: aggregates read
        // its events through the binder, so it gets no root.
        LetRoots = t.Lets.Select(l => l.Value.Type.Kind == TypeKind.EventSet ? -1 : Root(l.Value)).ToImmutableArray();
        GrantRoots = t.Grants.Select(g => Root(g.Amount)).ToImmutableArray();
        LimitRoots = t.Limits.Select(l => Root(l.Amount)).ToImmutableArray();
        TaxRoots = t.Taxes.Select(x => Root(x.Rate)).ToImmutableArray();
        var groupAt = new Dictionary<int, int>();
        foreach (var group in t.Groups)
        {
            foreach (var c in t.EventCharges.Where(c => group.Labels.Contains(c.Label))) groupAt[c.Span.Start] = group.Index;
            foreach (var c in t.AggregateCharges.Where(c => group.Labels.Contains(c.Label))) groupAt[c.Span.Start] = group.Index;
        }
        foreach (var l in t.Limits.Where(l => l.Group is not null)) groupAt[l.Span.Start] = l.Group!.Index;
        GroupAt = groupAt.ToImmutableDictionary();
        TierRoots = t.Tiers.Select(tiers => tiers.Bands.Select(b => (b.Bound is null ? -1 : Root(b.Bound),
            b.Price is null ? -1 : Root(b.Price),
            b.Flat is null ? -1 : Root(b.Flat))).ToImmutableArray()).ToImmutableArray();

        // Aggregates are numbered in the order the period charges reach them (through lets too).
        var aggregates = new List<BoundAggregate>();
        var equivalent = new Dictionary<BoundExpr, int>(BoundEquivalence.Comparer);
        var readers = new List<List<int>>();
        var charges = ImmutableArray.CreateBuilder<ChargePlan>();
        var stateReaders = t.States.Select(_ => new List<int>()).ToArray();
        for (var c = 0; c < t.AggregateCharges.Length; c++)
        {
            var charge = t.AggregateCharges[c];
            var amount = Root(charge.Amount);
            int? price = charge.Price is null ? null : Root(charge.Price);
            var used = new List<int>();
            foreach (var aggregate in charge.Aggregates)
            {
                if (!_aggregateIndex.TryGetValue(aggregate, out var index))
                {
                    // The same aggregate written twice (count(appointment) in two charges) is folded once.
                    if (!equivalent.TryGetValue(aggregate, out index))
                    {
                        index = aggregates.Count;
                        aggregates.Add(aggregate);
                        readers.Add(new List<int>());
                        equivalent[aggregate] = index;
                    }
                    _aggregateIndex[aggregate] = index;
                }
                if (!used.Contains(index)) used.Add(index);
                if (!readers[index].Contains(c)) readers[index].Add(c);
            }
            var states = Dependencies.StateAggregates(charge.Amount)
                .Concat(charge.Price is null ? [] : Dependencies.StateAggregates(charge.Price))
                .Select(s => s.Index).Distinct().Order().ToImmutableArray();
            foreach (var s in states) stateReaders[s].Add(c);
            charges.Add(new ChargePlan(charge, c, amount, price, used.ToImmutableArray(), states));
        }
        // A let that no charge reads still has its code (the compiled program has a method for every root): its aggregates
        // are numbered too, folded like the others and read by no charge.
        foreach (var root in _roots.ToList())
        {
            foreach (var aggregate in Dependencies.Aggregates(root))
            {
                if (_aggregateIndex.ContainsKey(aggregate)) continue;
                var index = aggregates.FindIndex(a => BoundEquivalence.Equivalent(a, aggregate));
                if (index < 0)
                {
                    index = aggregates.Count;
                    aggregates.Add(aggregate);
                    readers.Add(new List<int>());
                }
                _aggregateIndex[aggregate] = index;
            }
        }
        var plans = aggregates.Select((a, i) => new AggregatePlan(a, i, readers[i].ToImmutableArray())).ToList();
        Aggregates = plans.Select(p => p.Aggregate.Grace is not { } grace ? p : p with
        {
            Family = [.. plans.Where(o => o.Aggregate.Grace == grace && o.Aggregate.GroupKey == p.Aggregate.GroupKey).Select(o => o.Index)],
        }).ToImmutableArray();
        LongestGrace = aggregates.Max(a => a.Grace);
        Charges = charges.ToImmutable();
        StateReaders = stateReaders.Select(r => r.ToImmutableArray()).ToImmutableArray();
        Pipelines = t.Events.Select(Pipeline).ToImmutableArray();
        KeyOnlyTexts = FindKeyOnlyTexts();
    }

    /// <summary>
    /// Which text attributes nothing reads but a window, as its key, or a distinct count, as its value: every attribute
    /// node of the tariff's expressions but a distinct count's own value, and every attribute a table, a state, or a
    /// charge by KEY is keyed by (they look the text up as a string), is read otherwise.
    /// </summary>
    private ImmutableArray<ImmutableArray<bool>> FindKeyOnlyTexts()
    {
        var t = Model;
        var read = new HashSet<AttributeSymbol>(ReferenceEqualityComparer.Instance);
        // A state is read by its key's name in whichever event reads it.
        var readByName = t.States.Where(s => s.KeyAttribute is not null).Select(s => s.KeyAttribute!).ToHashSet(StringComparer.Ordinal);
        foreach (var pipeline in Pipelines)
        {
            foreach (var table in pipeline.Tables)
            {
                foreach (var k in table.KeyAttributes) read.Add(pipeline.Event.Attributes[k]);
            }
        }
        var seen = new HashSet<BoundExpr>(ReferenceEqualityComparer.Instance);
        // The roots, and what the per-event steps evaluate (their code is laid out by the engines themselves).
        var stack = new Stack<BoundExpr>(_roots);
        foreach (var e in t.Rules.Select(r => r.Condition)
                     .Concat(t.EventCharges.SelectMany(c => new[] { c.Condition, c.Price }))
                     .Concat(t.States.SelectMany(s => s.Ops).SelectMany(o => new[] { o.Condition, o.Value }))
                     .Concat(t.Windows.Select(w => w.Condition)))
        {
            if (e is not null) stack.Push(e);
        }
        foreach (var aggregate in Aggregates)
        {
            stack.Push(aggregate.Aggregate);
            if (aggregate.GroupAttribute is { } g) read.Add(aggregate.Event.Attributes[g]);
        }
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!seen.Add(node)) continue;
            switch (node)
            {
                case BoundAttribute a:
                    read.Add(a.Attribute);
                    break;
                case BoundAggregate { Kind: AggregateKind.Distinct, Value: BoundAttribute } distinct:
                    stack.Push(distinct.Set);
                    break;
                default:
                    foreach (var child in Dependencies.Children(node)) stack.Push(child);
                    break;
            }
        }
        return t.Events.Select(e => e.Attributes
            .Select(a => a.Type.Kind == TypeKind.Text && !read.Contains(a) && !readByName.Contains(a.Name)).ToImmutableArray())
            .ToImmutableArray();
    }

    /// <summary>The steps of one event kind, each list in the model's declaration order.</summary>
    private EventPipeline Pipeline(EventSymbol e)
    {
        int Attribute(string name) => e.Find(name)?.Index
            ?? throw new InvalidOperationException($"event #{e.Index} has no attribute the model keys it by");
        var t = Model;
        return new EventPipeline(
            e,
            t.Tables.Where(table => table.ForEvent?.Index == e.Index)
                .Select(table => new PipelineTable(table, table.Keys.Select(Attribute).ToImmutableArray())).ToImmutableArray(),
            t.Rules.Where(r => r.Kind == RuleKind.Reject && r.Event.Index == e.Index).ToImmutableArray(),
            t.Rules.Where(r => r.Kind == RuleKind.Free && r.Event.Index == e.Index).ToImmutableArray(),
            t.EventCharges.Select((c, i) => new PipelineCharge(c, i)).Where(c => c.Charge.Event.Index == e.Index).ToImmutableArray(),
            t.States.SelectMany(state => state.Ops.Select((op, position) => (op, position)).Where(x => x.op.Event.Index == e.Index)
                .Select(x => new PipelineOp(state, x.op, state.KeyAttribute is null ? null : Attribute(state.KeyAttribute), x.position)))
                .ToImmutableArray(),
            t.Windows.Where(w => w.OpenedBy.Index == e.Index).Select(w => new PipelineWindow(w, Attribute(w.KeyAttribute)))
                .ToImmutableArray(),
            Aggregates.Where(a => a.Event.Index == e.Index).Select(a => a.Index).ToImmutableArray());
    }

    /// <summary>Root kinds and spans, aggregates, pipelines: hashed, so any drift between a program and a plan is detected.</summary>
    private string Describe()
    {
        var sb = new StringBuilder();
        foreach (var root in _roots) sb.Append(CultureInfo.InvariantCulture,
            $"R {root.GetType().Name} {root.Span.Start} {root.Span.Length} {root.Type}\n");
        foreach (var a in Aggregates) sb.Append(CultureInfo.InvariantCulture,
            $"A {a.Aggregate.Kind} {a.Aggregate.Span.Start} {a.Aggregate.Span.Length} {a.Event.Index}\n");
        foreach (var c in Charges) sb.Append(CultureInfo.InvariantCulture,
            $"C {c.Index} {c.AmountRoot} {c.PriceRoot} {string.Join(",", c.Aggregates)}\n");
        foreach (var p in Pipelines)
        {
            sb.Append(CultureInfo.InvariantCulture, $"P {p.Event.Index} {p.Event.Attributes.Length}\n");
            foreach (var table in p.Tables) sb.Append(CultureInfo.InvariantCulture,
                $" T {table.Table.Name.Length} {string.Join(",", table.KeyAttributes)}\n");
            foreach (var rule in p.Rejects.Concat(p.Frees)) sb.Append(CultureInfo.InvariantCulture,
                $" R {rule.Kind} {rule.Span.Start} {Dates(rule.Validity)}\n");
            foreach (var c in p.Charges)
                sb.Append(CultureInfo.InvariantCulture, $" C {c.Index} {c.Charge.Span.Start} {Dates(c.Charge.Validity)}\n");
            foreach (var op in p.Ops)
                sb.Append(CultureInfo.InvariantCulture,
                    $" O {op.State.Index} {op.State.Kind} {op.Op.Op} {op.Op.AtNextPeriod} {op.KeyAttribute} {op.Op.Span.Start}\n");
            foreach (var w in p.Windows) sb.Append(CultureInfo.InvariantCulture, $" W {w.Window.Index} {w.KeyAttribute}\n");
            sb.Append(CultureInfo.InvariantCulture, $" F {string.Join(",", p.Aggregates)}\n");
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private static string Dates(Validity v) =>
        $"{v.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-"}.."
        + $"{v.Until?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-"}";
}
