using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TariffLang.Semantics;
using TariffLang.Syntax;

namespace TariffLang.Compilation;

/// <summary>A table looked up for every event of a kind, with the positions of its key attributes in that event.</summary>
internal sealed record PipelineTable(TableSymbol Table, ImmutableArray<int> KeyAttributes);

/// <summary>
/// A state operation on an event kind. <see cref="Store"/> is the state's position among the context's stores (the
/// reference walks them in that order), <see cref="KeyAttribute"/> its key's position in the event.
/// </summary>
internal sealed record PipelineOp(StateSymbol State, int Store, StateOpSymbol Op, int? KeyAttribute);

/// <summary>A window an event kind opens, keyed by the attribute at <see cref="KeyAttribute"/>.</summary>
internal sealed record PipelineWindow(WindowSymbol Window, int KeyAttribute);

/// <summary>
/// Everything the engine does for one event of a kind, in the order the reference pipeline does it (model
/// declaration order within each step): the generated Classify and Apply methods of that kind follow it step by step.
/// </summary>
internal sealed record EventPipeline(
    EventSymbol Event,
    ImmutableArray<PipelineTable> Tables,
    ImmutableArray<CheckedRule> Rejects,
    ImmutableArray<CheckedRule> Frees,
    ImmutableArray<CheckedEventCharge> Charges,
    ImmutableArray<PipelineOp> Ops,
    ImmutableArray<PipelineWindow> Windows);

/// <summary>
/// The deterministic layout of a compiled tariff: which expressions get a root method (and its index),
/// which symbols the generated code receives (and their index), and which aggregates get a loop method.
/// Built by walking the checked model in declaration order, so the same tariff text always gives the same
/// layout; that is what lets a cached assembly be bound to a freshly checked model.
/// </summary>
internal sealed class ProgramPlan
{
    private readonly List<BoundExpr> _roots = new();
    private readonly Dictionary<BoundExpr, int> _rootIndex = new(ReferenceEqualityComparer.Instance);
    private readonly List<object> _symbols = new();
    private readonly Dictionary<object, int> _symbolIndex = new(ReferenceEqualityComparer.Instance);
    private readonly List<BoundAggregate> _aggregates = new();
    private readonly Dictionary<BoundExpr, int> _aggregateIndex = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<BoundExpr, int> _aggregateOwner = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<BoundExpr> _visited = new(ReferenceEqualityComparer.Instance);
    private int _currentRoot;

    private ProgramPlan()
    {
    }

    /// <summary>Every expression the engine or the context may hand to <see cref="Evaluation.IEvaluator.Evaluate"/>, in a stable order.</summary>
    public IReadOnlyList<BoundExpr> Roots => _roots;

    /// <summary>The symbols generated code reads, by index: events, params, lets, tables, windows, states.</summary>
    public IReadOnlyList<object> Symbols => _symbols;

    /// <summary>Aggregates get their own method (they loop); indexed in order of first appearance.</summary>
    public IReadOnlyList<BoundAggregate> Aggregates => _aggregates;

    /// <summary>The per-event pipeline of each event kind, by event index.</summary>
    public ImmutableArray<EventPipeline> Pipelines { get; private set; } = ImmutableArray<EventPipeline>.Empty;

    /// <summary>A hash of the layout, embedded in the generated assembly and checked when it is loaded.</summary>
    public string Layout { get; private set; } = "";

    public int RootIndex(BoundExpr root) => _rootIndex[root];

    public int SymbolIndex(object symbol) =>
        _symbolIndex.TryGetValue(symbol, out var i) ? i : throw new InvalidOperationException($"symbol {symbol.GetType().Name} is not in the plan");

    public int AggregateIndex(BoundAggregate aggregate) => _aggregateIndex[aggregate];

    /// <summary>The root whose walk first reached an aggregate: its span is where a compile error in the loop is reported.</summary>
    public int AggregateOwner(BoundAggregate aggregate) => _aggregateOwner[aggregate];

    public CheckedTariff Model { get; private set; } = null!;

    public static ProgramPlan Build(CheckedTariff tariff)
    {
        var plan = new ProgramPlan { Model = tariff };
        plan.Walk(tariff);
        plan.Pipelines = tariff.Events.Select(e => Pipeline(tariff, e)).ToImmutableArray();
        plan.Layout = plan.Describe();
        return plan;
    }

    private void Walk(CheckedTariff t)
    {
        foreach (var p in t.Params) AddParam(p);
        foreach (var plan in t.Plans)
        {
            AddRoot(plan.Fee);
            AddRoot(plan.Includes);
            AddRoot(plan.Extra);
        }
        foreach (var table in t.Tables) AddTable(table);
        foreach (var window in t.Windows) AddWindow(window);
        foreach (var state in t.States) AddState(state);
        foreach (var let in t.Lets) AddLet(let);
        foreach (var rule in t.Rules)
        {
            AddRoot(rule.Condition);
            // The generated pipeline reads a rule's reason from the model, never from text pasted into the code.
            Symbol(rule);
        }
        foreach (var charge in t.EventCharges)
        {
            AddRoot(charge.Condition);
            AddRoot(charge.Price);
            Symbol(charge);
        }
        foreach (var charge in t.AggregateCharges)
        {
            // The aggregates these read (through lets too) are visited below, their conditions and values made roots.
            AddRoot(charge.Amount);
            AddRoot(charge.Price);
        }
        foreach (var grant in t.Grants)
        {
            AddRoot(grant.Amount);
            Symbol(grant.Wallet);
        }
        // Every symbol the engine reads by itself is also registered, so the symbol table is complete.
        foreach (var e in t.Events) Symbol(e);
    }

    /// <summary>
    /// The steps of one event kind, selected and ordered exactly as <see cref="Evaluation.InterpretedEventRater"/>
    /// walks the model: tables, reject rules, free rules, per-event charges; then states (each state's operations in
    /// order) and windows. Events are matched by index: each is declared once, so that is the model's identity.
    /// </summary>
    private static EventPipeline Pipeline(CheckedTariff t, EventSymbol e)
    {
        int Attribute(string name) => e.Find(name)?.Index
            ?? throw new InvalidOperationException($"event #{e.Index} has no attribute the model keys it by");
        return new EventPipeline(
            e,
            t.Tables.Where(table => table.ForEvent?.Index == e.Index)
                .Select(table => new PipelineTable(table, table.Keys.Select(Attribute).ToImmutableArray())).ToImmutableArray(),
            t.Rules.Where(r => r.Kind == RuleKind.Reject && r.Event.Index == e.Index).ToImmutableArray(),
            t.Rules.Where(r => r.Kind == RuleKind.Free && r.Event.Index == e.Index).ToImmutableArray(),
            t.EventCharges.Where(c => c.Event.Index == e.Index).ToImmutableArray(),
            t.States.SelectMany((state, store) => state.Ops.Where(op => op.Event.Index == e.Index)
                .Select(op => new PipelineOp(state, store, op, state.KeyAttribute is null ? null : Attribute(state.KeyAttribute)))).ToImmutableArray(),
            t.Windows.Where(w => w.OpenedBy.Index == e.Index).Select(w => new PipelineWindow(w, Attribute(w.KeyAttribute))).ToImmutableArray());
    }

    private void AddParam(ParamSymbol p)
    {
        if (!Symbol(p)) return;
        AddRoot(p.Default);
    }

    private void AddTable(TableSymbol table)
    {
        if (!Symbol(table)) return;
        // Cells sit in a hash-ordered dictionary whose order differs between processes: sort by key.
        foreach (var cell in table.Cells.OrderBy(c => c.Key, StringComparer.Ordinal)) AddRoot(cell.Value);
    }

    private void AddWindow(WindowSymbol window)
    {
        if (!Symbol(window)) return;
        AddRoot(window.Condition);
    }

    private void AddState(StateSymbol state)
    {
        if (!Symbol(state)) return;
        AddRoot(state.Initial);
        foreach (var op in state.Ops)
        {
            AddRoot(op.Condition);
            AddRoot(op.Value);
        }
    }

    private void AddLet(LetSymbol let)
    {
        if (!Symbol(let)) return;
        AddRoot(let.Value);
    }

    private void AddEventSet(BoundEventSet set)
    {
        Symbol(set.Event);
        foreach (var condition in set.Conditions) AddRoot(condition);
    }

    private bool Symbol(object symbol)
    {
        if (_symbolIndex.ContainsKey(symbol)) return false;
        _symbolIndex[symbol] = _symbols.Count;
        _symbols.Add(symbol);
        return true;
    }

    private void AddRoot(BoundExpr? expr)
    {
        if (expr is null || _rootIndex.ContainsKey(expr)) return;
        var index = _roots.Count;
        _rootIndex[expr] = index;
        _roots.Add(expr);
        var saved = _currentRoot;
        _currentRoot = index;
        Visit(expr);
        _currentRoot = saved;
    }

    /// <summary>Registers what an expression's code will need, and the roots reachable from it (through names too).</summary>
    private void Visit(BoundExpr expr)
    {
        if (!_visited.Add(expr)) return;
        switch (expr)
        {
            case BoundParam p: AddParam(p.Param); break;
            case BoundLetRef l: AddLet(l.Let); break;
            case BoundWithin w: AddWindow(w.Window); break;
            case BoundStateValue s: AddState(s.State); break;
            case BoundStateAggregate s: AddState(s.State); break;
            case BoundLookup l: AddTable(l.Table); break;
            case BoundAggregate a:
                if (!_aggregateIndex.ContainsKey(a))
                {
                    _aggregateIndex[a] = _aggregates.Count;
                    _aggregateOwner[a] = _currentRoot;
                    _aggregates.Add(a);
                }
                // To say which rows a charge rates (and what each contributed), the engine evaluates an
                // aggregate's conditions and value on their own, outside the aggregate's loop.
                AddEventSet(a.Set);
                AddRoot(a.Value);
                break;
            case BoundEventSet s: AddEventSet(s); break;
        }
        foreach (var child in Dependencies.Children(expr)) Visit(child);
    }

    /// <summary>Root kinds and spans, symbol kinds and names, aggregates: hashed, so any drift is detected.</summary>
    private string Describe()
    {
        var sb = new StringBuilder();
        foreach (var root in _roots) sb.Append(CultureInfo.InvariantCulture, $"R {root.GetType().Name} {root.Span.Start} {root.Span.Length} {root.Type}\n");
        foreach (var symbol in _symbols) sb.Append(CultureInfo.InvariantCulture, $"S {symbol.GetType().Name} {SymbolName(symbol)}\n");
        foreach (var a in _aggregates) sb.Append(CultureInfo.InvariantCulture, $"A {a.Kind} {a.Span.Start} {a.Span.Length}\n");
        // The generated pipeline methods: which steps each event kind runs, in which order, keyed how, valid when.
        foreach (var p in Pipelines)
        {
            sb.Append(CultureInfo.InvariantCulture, $"P {p.Event.Index}\n");
            foreach (var table in p.Tables) sb.Append(CultureInfo.InvariantCulture, $" T {SymbolIndex(table.Table)} {string.Join(",", table.KeyAttributes)}\n");
            foreach (var rule in p.Rejects.Concat(p.Frees))
                sb.Append(CultureInfo.InvariantCulture, $" R {rule.Kind} {SymbolIndex(rule)} {Root(rule.Condition)} {Dates(rule.Validity)}\n");
            foreach (var c in p.Charges)
                sb.Append(CultureInfo.InvariantCulture, $" C {SymbolIndex(c)} {Root(c.Condition)} {Root(c.Price)} {Dates(c.Validity)}\n");
            foreach (var op in p.Ops)
                sb.Append(CultureInfo.InvariantCulture, $" O {SymbolIndex(op.State)} {op.Store} {op.State.Index} {op.State.Kind} {op.Op.Op} {op.Op.AtNextPeriod} {op.KeyAttribute} {Root(op.Op.Condition)} {Root(op.Op.Value)}\n");
            foreach (var w in p.Windows) sb.Append(CultureInfo.InvariantCulture, $" W {SymbolIndex(w.Window)} {w.KeyAttribute} {Root(w.Window.Condition)}\n");
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private string Root(BoundExpr? expr) => expr is null ? "-" : RootIndex(expr).ToString(CultureInfo.InvariantCulture);

    private static string Dates(Validity v) =>
        $"{v.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-"}..{v.Until?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-"}";

    private static string SymbolName(object symbol) => symbol switch
    {
        CheckedRule r => $"{r.Kind} {r.Span.Start}",
        CheckedEventCharge c => $"charge {c.Index}",
        EventSymbol e => e.Name,
        ParamSymbol p => p.Name,
        LetSymbol l => l.Name,
        TableSymbol t => t.Name,
        WindowSymbol w => w.Name,
        StateSymbol s => s.Name,
        _ => "?",
    };
}
