using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TariffLang.Semantics;
using TariffLang.Syntax;

namespace TariffLang.Runtime;

/// <summary>
/// Everything one account's rating reads and writes: its contract values, states, windows, the period being rated, and
/// the event in hand. This is the runtime both engines share: the interpreter's walk and the compiled program call
/// these steps (a state change, a window opened, a per-event line, an aggregate folded), so each step has one meaning.
/// </summary>
internal sealed class RatingContext
{
    private readonly Value[] _params;
    private readonly bool[] _paramLoaded;
    private readonly Value[] _cells;
    private readonly bool[] _cellLoaded;
    private readonly IReadOnlyDictionary<string, string> _accountValues;
    private PlanSymbol? _plan;
    private readonly List<Undo> _journal = new();
    private bool _journaling;

    /// <summary>What the reason of a row rejected for a missing contract value says, written once for those who look for it.</summary>
    internal const string MissingParameterText = "missing contract parameter";

    public RatingContext(RatingPlan plan, RatingProgram program, string account, IReadOnlyDictionary<string, string> accountValues)
    {
        Plan = plan;
        Program = program;
        Model = plan.Model;
        Zone = plan.Zone;
        Account = account;
        _accountValues = accountValues;
        _params = new Value[Model.Params.Length];
        _paramLoaded = new bool[Model.Params.Length];
        _cells = new Value[plan.CellCount];
        _cellLoaded = new bool[plan.CellCount];
        States = Model.States.Select(s => new StateStore(s)).ToArray();
        Windows = Model.Windows.Select(w => new WindowTable(w.Length, w.TracksStart)).ToArray();
        Period = new PeriodState(plan);
    }

    public RatingPlan Plan { get; }

    public RatingProgram Program { get; }

    public CheckedTariff Model { get; }

    public ZoneClock Zone { get; }

    public string Account { get; }

    public StateStore[] States { get; private set; }

    public WindowTable[] Windows { get; }

    public PeriodState Period { get; private set; }

    /// <summary>Whether details for <c>explain</c> (texts of what rated each row) are collected.</summary>
    public bool Explaining { get; set; }

    /// <summary>The moment expressions see as now: the event's time, a grant's day, or the start of the period at its close.</summary>
    public DateTimeOffset Now { get; set; }

    // ---- the event in hand ----------------------------------------------------------------------------------

    /// <summary>Whether an event is in hand (rules, per-event charges, state operations, aggregate folds).</summary>
    public bool HasEvent { get; private set; }

    public int EventKind { get; private set; }

    public int Row { get; private set; }

    public DateTimeOffset Time { get; private set; }

    public DateOnly LocalDate { get; private set; }

    public decimal Quantity { get; private set; }

    /// <summary>The event's attribute values: attribute i is at <c>Slots[SlotBase + i]</c>.</summary>
    public Value[] Slots { get; private set; } = [];

    public int SlotBase { get; private set; }

    /// <summary>The event's month within the open period (0-based).</summary>
    public int Month { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SetEvent(in EventInput e, int month)
    {
        HasEvent = true;
        EventKind = e.Kind;
        Row = e.Row;
        Time = e.Time;
        LocalDate = e.LocalDate;
        Quantity = e.Quantity;
        Slots = e.Slots;
        SlotBase = e.SlotBase;
        Month = month;
        FreeRule = null;
        RatedByEvent = false;
        ChangedStates = 0;
        ChangedStatesMore?.Clear();
        MatchedCount = 0;
        Details?.Clear();
        Contributions?.Clear();
        Weights?.Clear();
        EventAmounts?.Clear();
    }

    public void ClearEvent() => HasEvent = false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref readonly Value Attribute(int index) => ref Slots[SlotBase + index];

    // ---- what the pipeline decided for the event in hand ------------------------------------------------------

    /// <summary>The free rule that made the event free, if any.</summary>
    public CheckedRule? FreeRule { get; private set; }

    /// <summary>Whether a per-event charge or a wallet movement rated the event.</summary>
    public bool RatedByEvent { get; private set; }

    /// <summary>The states the event changed, as bits (states 64 and beyond in <see cref="ChangedStatesMore"/>).</summary>
    public ulong ChangedStates { get; private set; }

    public HashSet<int>? ChangedStatesMore { get; private set; }

    /// <summary>The aggregates whose events the event in hand belongs to (their conditions held).</summary>
    public int[] Matched { get; private set; } = new int[4];

    public int MatchedCount { get; private set; }

    /// <summary>Texts of what rated the event (explain only): per-event lines and wallet movements.</summary>
    public List<string>? Details { get; private set; }

    /// <summary>What the event contributed to each matched aggregate (explain only), in the order of <see cref="Matched"/>.</summary>
    public List<string>? Contributions { get; private set; }

    /// <summary>
    /// How much of each matched aggregate the event is (explain only), in the order of <see cref="Matched"/>: the
    /// quantity counted, the value summed, 1 for a distinct, minimum or maximum. A period line's amount is attributed to
    /// its rows in these proportions.
    /// </summary>
    public List<decimal>? Weights { get; private set; }

    /// <summary>The per-event lines the event added to (explain only): the line's group and the event's exact amount.</summary>
    public List<(int Group, decimal Amount)>? EventAmounts { get; private set; }

    public void MarkFree(CheckedRule rule) => FreeRule = rule;

    public bool StateChanged(int state) => state < 64 ? (ChangedStates & (1UL << state)) != 0 : ChangedStatesMore?.Contains(state) == true;

    private void MarkChanged(int state)
    {
        if (state < 64) ChangedStates |= 1UL << state;
        else (ChangedStatesMore ??= new HashSet<int>()).Add(state);
    }

    private void Detail(string text)
    {
        (Details ??= new List<string>()).Add(text);
    }

    // ---- contract values, plans, tables, lets ---------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Value Param(int index)
    {
        if (_paramLoaded[index]) return _params[index];
        var param = Model.Params[index];
        Value value;
        if (_accountValues.TryGetValue(param.Name, out var raw))
        {
            value = ValueText.Parse(raw, param.Type, out var error);
            if (error is not null)
                throw new RatingException($"account '{Account}': contract parameter '{param.Name}': {error}", accountWide: true);
        }
        else if (param.Default is not null) value = Program.Evaluate(this, Plan.ParamDefaultRoots[index]);
        else if (param.Type.Optional) value = Value.None;
        else throw new RatingException($"account '{Account}': {MissingParameterText} '{param.Name}'", accountWide: true);
        _params[index] = value;
        _paramLoaded[index] = true;
        return value;
    }

    public PlanSymbol ChosenPlan
    {
        get
        {
            if (_plan is not null) return _plan;
            var name = Model.FindParam("plan") is { } p ? Param(Plan.ParamIndex(p)).TextOrNull : null;
            _plan = name is null ? null : Model.FindPlan(name);
            return _plan ?? throw new RatingException(
                $"account '{Account}': unknown plan '{name}' (plans: {string.Join(", ", Model.Plans.Select(x => x.Name))})",
                accountWide: true);
        }
    }

    public Value PlanField(PlanField field)
    {
        var plan = ChosenPlan;
        var roots = Plan.PlanRoots[Model.Plans.IndexOf(plan)];
        return field switch
        {
            Semantics.PlanField.Name => Value.FromText(plan.Name),
            Semantics.PlanField.Fee => Program.Evaluate(this, roots.Fee),
            Semantics.PlanField.Includes => roots.Includes < 0 ? Value.FromNumber(0m) : Program.Evaluate(this, roots.Includes),
            _ => roots.Extra < 0 ? Value.FromNumber(0m) : Program.Evaluate(this, roots.Extra),
        };
    }

    public bool HasCell(TableSymbol table, ReadOnlySpan<Value> keys) => Plan.Table(table).Find(keys) is not null;

    public string MissingCell(TableSymbol table, ReadOnlySpan<Value> keys) => Plan.Table(table).MissingCell(keys);

    /// <summary>
    /// A table's value for the keys. A missing cell is an error, never a silent zero: it rejects the event in hand, or,
    /// over a period, the account (the engine says which and why).
    /// </summary>
    public Value Lookup(TableSymbol table, ReadOnlySpan<Value> keys)
    {
        var index = Plan.Table(table);
        var cell = index.Find(keys) ?? throw new RatingException(index.MissingCell(keys));
        if (_cellLoaded[cell.Index]) return _cells[cell.Index];
        var value = Program.Evaluate(this, cell.Root);
        _cells[cell.Index] = value;
        _cellLoaded[cell.Index] = true;
        return value;
    }

    public Value Lookup(TableSymbol table, Value key) => Lookup(table, new ReadOnlySpan<Value>(in key));

    /// <summary>Marks in <paramref name="used"/> the table cells this account's rating read (for the examples' coverage).</summary>
    public void MarkCellsRead(bool[] used)
    {
        for (var i = 0; i < _cellLoaded.Length; i++) used[i] |= _cellLoaded[i];
    }

    public Value Lookup(TableSymbol table, Value key1, Value key2)
    {
        Span<Value> keys = [key1, key2];
        return Lookup(table, keys);
    }

    // Index-based forms for generated code, which refers to the model's symbols by their position.

    public bool HasCell(int table, ReadOnlySpan<Value> keys) => Plan.TableAt(table).Find(keys) is not null;

    public string MissingCell(int table, ReadOnlySpan<Value> keys) => Plan.TableAt(table).MissingCell(keys);

    public Value Lookup(int table, ReadOnlySpan<Value> keys) => Lookup(Plan.TableAt(table).Table, keys);

    public bool Within(int window, Value key) => Within(Model.Windows[window], key);

    public void OpenWindow(int window, Value key) => OpenWindow(Model.Windows[window], key);

    public void MarkFree(int rule) => FreeRule = Model.Rules[rule];

    /// <summary>
    /// A let's value. Read for an event (a rule, a state operation), a let may see states that earlier events changed:
    /// it is evaluated afresh, without the event. Only at the period's close is its value fixed, and cached.
    /// </summary>
    public Value Let(int index)
    {
        var forEvent = HasEvent;
        if (!forEvent && Period.LetCached[index]) return Period.LetValues[index];
        HasEvent = false;
        Value value;
        try
        {
            value = Program.Evaluate(this, Plan.LetRoots[index]);
        }
        finally
        {
            HasEvent = forEvent;
        }
        if (!forEvent)
        {
            Period.LetValues[index] = value;
            Period.LetCached[index] = true;
        }
        return value;
    }

    // ---- states ---------------------------------------------------------------------------------------------

    public Value StateValue(int state, Value key) => States[state].Get(key);

    public decimal StateAggregate(StateAggregateKind kind, int state) =>
        kind == StateAggregateKind.Level ? States[state].Level(Period.Covered) : States[state].Peak(Period.Covered);

    public void StateSet(int state, Value key, Value value)
    {
        var store = States[state];
        Journal(store, state, key);
        store.Set(key, value);
        MarkChanged(state);
    }

    public void StateSetAtNextPeriod(int state, Value key, Value value)
    {
        var store = States[state];
        if (_journaling) _journal.Add(Undo.ForPending(state, store.Pending.Count));
        store.Pending.Add((key, value));
        MarkChanged(state);
    }

    /// <summary>
    /// Adds (or with a negative sign, subtracts) an amount per unit of the event's quantity. <paramref name="op"/> is the
    /// operation's place in its state's list: for a wallet that keeps its credits apart, it says what an added credit carries.
    /// </summary>
    public void StateAdd(int state, Value key, decimal? amount, bool subtract, int op = -1)
    {
        var store = States[state];
        if (amount is not { } perUnit) throw new RatingException($"'{store.Symbol.Name}' cannot change by none");
        var change = perUnit * Quantity;
        var current = store.Get(key).NumberOrNull ?? 0m;
        Journal(store, state, key);
        if (store.Lots is not null)
        {
            var credit = subtract ? -change : change;
            if (credit >= 0m)
            {
                var terms = op >= 0 ? store.Symbol.Ops[op].Lot ?? LotTerms.Default : LotTerms.Default;
                store.AddLot(credit, ExpiryOf(terms, LocalDate), terms.Priority);
            }
            else store.Draw(-credit);
        }
        store.Set(key, Value.FromNumber(subtract ? current - change : current + change));
        if (subtract) store.Debits += change;
        else store.Purchases += change;
        if (store.Symbol.Kind == StateKind.Wallet)
        {
            RatedByEvent = true;
            if (Explaining)
                Detail(
                    $"wallet {store.Symbol.Name} "
                    + $"{(subtract ? "-" : "+")}{change.ToString(CultureInfo.InvariantCulture)} {store.Symbol.UnitLabel}");
        }
        MarkChanged(state);
    }

    /// <summary>The share of each unit of the event's quantity an allowance covers (or, with <paramref name="beyond"/>, does
    /// not).</summary>
    public decimal AllowanceShare(int state, bool uses, decimal? amount, decimal? weight, bool beyond)
    {
        var covered = 0m;
        if (uses)
        {
            var store = States[state];
            var (a, w) = AllowanceOperands(store, amount, weight);
            covered = Operators.AllowanceCovered(a, store.Get(Value.None).NumberOrNull ?? 0m, w, Quantity);
        }
        return beyond ? 1m - covered : covered;
    }

    /// <summary>The event uses its share of an allowance (never more than what is left of it).</summary>
    public void AllowanceUse(int state, decimal? amount, decimal? weight)
    {
        var store = States[state];
        var (a, w) = AllowanceOperands(store, amount, weight);
        var used = store.Get(Value.None).NumberOrNull ?? 0m;
        var consumed = Operators.AllowanceConsumed(a, used, w, Quantity);
        if (consumed == 0m) return;
        Journal(store, state, Value.None);
        store.Set(Value.None, Value.FromNumber(used + consumed));
        if (Explaining)
            Detail($"allowance {store.Symbol.Name} -{consumed.ToString(CultureInfo.InvariantCulture)} {store.Symbol.UnitLabel}");
        MarkChanged(state);
    }

    private static (decimal Amount, decimal Weight) AllowanceOperands(StateStore store, decimal? amount, decimal? weight) =>
        amount is { } a && weight is { } w ? (a, w)
            : throw new RatingException($"allowance '{store.Symbol.Name}': {(amount is null ? "its amount" : "the use")} is none");

    /// <summary>A grant: adds to a wallet outside any event (nothing to roll back), itemised by its label on the statement.</summary>
    public void Grant(int state, decimal amount, string label, LotTerms terms, DateOnly day)
    {
        var store = States[state];
        store.Set(Value.None, Value.FromNumber((store.Get(Value.None).NumberOrNull ?? 0m) + amount));
        store.Grants += amount;
        store.AddGrantItem(label, amount);
        if (store.Lots is not null) store.AddLot(amount, ExpiryOf(terms, day), terms.Priority);
    }

    /// <summary>When a credit added on a local day expires: at the start of its expiry day, in the tariff's zone.</summary>
    private DateTimeOffset? ExpiryOf(LotTerms terms, DateOnly added) => terms.ExpiryDay(added) is { } day ? Zone.StartOf(day) : null;

    /// <summary>Takes out of each wallet that keeps its credits apart the credits expired by <paramref name="now"/>.</summary>
    public void ExpireLots(DateTimeOffset now)
    {
        for (var s = 0; s < States.Length; s++)
        {
            var store = States[s];
            if (store.Lots is null || store.Lots.Count == 0) continue;
            var expired = store.Expire(now);
            if (expired == 0m) continue;
            store.Set(Value.None, Value.FromNumber((store.Get(Value.None).NumberOrNull ?? 0m) - expired));
            store.Expired += expired;
        }
    }

    // ---- tiers ----------------------------------------------------------------------------------------------

    private TierTable?[]? _tiers;

    /// <summary>A tiers table with this account's figures (its bands may read contract values): computed once per account.</summary>
    public TierTable Tiers(int tiers)
    {
        _tiers ??= new TierTable?[Model.Tiers.Length];
        if (_tiers[tiers] is { } known) return known;
        var symbol = Model.Tiers[tiers];
        var roots = Plan.TierRoots[tiers];
        var bounds = new decimal[roots.Length - 1];
        var prices = new decimal[roots.Length];
        var flats = new decimal[roots.Length];
        for (var b = 0; b < roots.Length; b++)
        {
            if (b < bounds.Length) bounds[b] = TierFigure(symbol, roots[b].Bound, "bound");
            prices[b] = roots[b].Price < 0 ? 0m : TierFigure(symbol, roots[b].Price, "price");
            flats[b] = roots[b].Flat < 0 ? 0m : TierFigure(symbol, roots[b].Flat, "flat fee");
        }
        return _tiers[tiers] = new TierTable(Account, symbol.Name, symbol.Scheme, bounds, prices, flats);
    }

    private decimal TierFigure(TiersSymbol tiers, int root, string what) =>
        Program.Evaluate(this, root).NumberOrNull
        ?? throw new RatingException($"account '{Account}': tiers '{tiers.Name}': a band's {what} is none", accountWide: true);

    /// <summary><c>tiered(T, q)</c>: none for a none quantity.</summary>
    public decimal? Tiered(int tiers, decimal? quantity) => quantity is { } q ? Tiers(tiers).Amount(q) : null;

    public decimal Tiered(int tiers, decimal quantity) => Tiers(tiers).Amount(quantity);

    // ---- windows --------------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Within(WindowSymbol window, Value key)
    {
        // Several rules of an event often ask about the same window and key: the answer is kept for the event in hand.
        if (_withinRow == Row && _withinWindow == window.Index && HasEvent && ValueKeyComparer.Instance.Equals(_withinKey, key))
            return _withinAnswer;
        var answer = Windows[window.Index].Within(key, Time);
        (_withinRow, _withinWindow, _withinKey, _withinAnswer) = (Row, window.Index, key, answer);
        return answer;
    }

    private int _withinRow = -1, _withinWindow = -1;
    private Value _withinKey;
    private bool _withinAnswer;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OpenWindow(WindowSymbol window, Value key)
    {
        Windows[window.Index].Open(key, Time, out var had, out var old);
        if (_journaling) _journal.Add(Undo.ForWindow(window.Index, key, had, old));
        // A window opened changes what Within answers for this event's later questions.
        _withinRow = -1;
    }

    /// <summary>How long the key's window has been open without a break at the event in hand's time; zero when it is closed.</summary>
    public TimeSpan WindowElapsed(int window, Value key) => Windows[window].Elapsed(key, Time);

    // ---- per-event charges -----------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddEventLine(int charge, decimal? price)
    {
        var model = Model.EventCharges[charge];
        if (price is not { } p) throw new RatingException($"charge '{model.Label}' has no price for this event");
        var lines = Period.EventLines;
        var group = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Charge == charge && lines[i].Price == p)
            {
                group = i;
                break;
            }
        }
        if (group < 0)
        {
            group = lines.Count;
            lines.Add(new EventLineGroup(charge, p));
            if (_journaling) _journal.Add(Undo.ForNewLine());
        }
        else if (_journaling) _journal.Add(Undo.ForLine(group, lines[group].Quantity));
        lines[group].Quantity += Quantity;
        RatedByEvent = true;
        if (Explaining)
        {
            var q = Quantity.ToString(CultureInfo.InvariantCulture);
            Detail($"{model.Label} ({q} × {p.ToString(CultureInfo.InvariantCulture)} {Model.Currency})");
            (EventAmounts ??= new List<(int, decimal)>()).Add((group, Quantity * p));
        }
    }

    // ---- aggregates -----------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Matches(int aggregate, string? contribution, decimal weight = 1m)
    {
        if (MatchedCount == Matched.Length)
        {
            var larger = new int[Matched.Length * 2];
            Matched.CopyTo(larger, 0);
            Matched = larger;
        }
        Matched[MatchedCount++] = aggregate;
        if (!Explaining) return;
        (Contributions ??= new List<string>()).Add(contribution ?? "");
        (Weights ??= new List<decimal>()).Add(weight);
    }

    /// <summary>
    /// Whether the next aggregate folds into a group of the held period (<see cref="InHeldGroup"/>, decided by the rater),
    /// in its last month, rather than into the open period.
    /// </summary>
    public bool FoldingHeld { get; set; }

    /// <summary>The accumulator an event folds into: the aggregate's, or for an aggregate by KEY its group's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private AggregateAccumulator Accumulator(int aggregate, out int month)
    {
        if (Plan.Aggregates[aggregate].GroupAttribute is not { } key)
        {
            month = Month;
            return Period.Accumulators[aggregate];
        }
        var group = FoldingHeld ? Held!.Group(aggregate, Attribute(key)) : Period.Group(aggregate, Attribute(key));
        month = FoldingHeld ? Held!.Months - 1 : Month;
        group.Mark(month);
        return group;
    }

    public void FoldCount(int aggregate)
    {
        Accumulator(aggregate, out var month).AddTotal(month, Quantity);
        Matches(aggregate, Explaining ? "counted" : null, Quantity);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void FoldSum(int aggregate, decimal? value)
    {
        var amount = value is { } v ? v * Quantity : (decimal?)null;
        // The accumulator is taken even for a none value: an event its conditions match makes its group (charge by KEY).
        var accumulator = Accumulator(aggregate, out var month);
        if (amount is { } a) accumulator.AddTotal(month, a);
        Matches(aggregate, !Explaining ? null
            : amount is { } shown ? "+" + Show(shown, Plan.Aggregates[aggregate].Aggregate.Type.Unit) : "adds nothing", amount ?? 0m);
    }

    public void FoldDistinct(int aggregate, in Value key)
    {
        var accumulator = Accumulator(aggregate, out var month);
        if (key.HasValue) accumulator.AddDistinct(month, key);
        Matches(aggregate, Explaining ? "distinct " + ValueText.Show(key) : null);
    }

    public void FoldMin(int aggregate, decimal? value)
    {
        var accumulator = Accumulator(aggregate, out var month);
        if (value is { } v) accumulator.Min(month, v);
        Matches(aggregate, Explaining ? "value " + ValueText.Show(Value.FromNumber(value)) : null);
    }

    public void FoldMax(int aggregate, decimal? value)
    {
        var accumulator = Accumulator(aggregate, out var month);
        if (value is { } v) accumulator.Max(month, v);
        Matches(aggregate, Explaining ? "value " + ValueText.Show(Value.FromNumber(value)) : null);
    }

    // ---- a period held open for the groups it started (charge "L" by KEY whole within D) ----------------------

    // The states at the held period's end; while it is billed (EnterHeld to ReleaseHeld), the running ones.
    private StateStore[]? _heldStates;
    // The period state let go by the last held period, reused for the next hold.
    private PeriodState? _spare;

    /// <summary>A period that has ended but still takes the later events of the groups it started; null when none is held.</summary>
    public PeriodState? Held { get; private set; }

    /// <summary>When the held period ended (the start of the next): its groups take events until this plus their grace.</summary>
    public DateTimeOffset HeldEnd { get; private set; }

    /// <summary>
    /// Whether the event in hand belongs to a group the held period started and comes within the aggregate's grace: then it
    /// folds into that group, billed with the held period. A group is known by its key in any aggregate of its family.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool InHeldGroup(int aggregate)
    {
        if (Held is null) return false;
        var plan = Plan.Aggregates[aggregate];
        // Such charges are never inside a versions block (TL0122): they bill every month, the held period's last included.
        if (plan.Aggregate.Grace is not { } grace || Time >= HeldEnd + grace) return false;
        ref readonly var key = ref Attribute(plan.GroupAttribute!.Value);
        foreach (var member in plan.Family)
        {
            if (Held.Groups[member]!.TryGetValue(key, out _)) return true;
        }
        return false;
    }

    /// <summary>
    /// Holds the open period (it ended at <paramref name="end"/>) with a copy of the states as they are at its end, the ones
    /// its invoice reads; an empty period state takes its place, for the caller to open.
    /// </summary>
    public void Hold(DateTimeOffset end)
    {
        var w = new BlockWriter();
        foreach (var store in States) store.Save(w);
        var r = new BlockReader(w.ToArray());
        _heldStates = Model.States.Select(s => new StateStore(s)).ToArray();
        foreach (var store in _heldStates) store.Load(r);
        Held = Period;
        Period = _spare ?? new PeriodState(Plan);
        _spare = null;
        HeldEnd = end;
    }

    /// <summary>Puts the held period and the states of its end in place, to bill it; <see cref="ReleaseHeld"/> undoes it.</summary>
    public void EnterHeld()
    {
        (Period, Held) = (Held!, Period);
        (States, _heldStates) = (_heldStates!, States);
    }

    /// <summary>Puts the running period and states back after the held period is billed, and lets the held period go.</summary>
    public void ReleaseHeld()
    {
        (Period, Held) = (Held!, Period);
        States = _heldStates!;
        _spare = Held;
        Held = null;
        _heldStates = null;
    }

    private static string Show(decimal value, string? unit) =>
        value.ToString(CultureInfo.InvariantCulture) + (unit is null ? "" : " " + unit);

    /// <summary>An aggregate's value over the months the charge being evaluated covers.</summary>
    public decimal Aggregate(int aggregate) => Plan.Aggregates[aggregate].GroupAttribute is null
        ? Period.Accumulators[aggregate].Value(Period.Covered)
        : Period.GroupValue(aggregate, Period.CurrentGroup);

    /// <summary>How many months the charge being evaluated covers (1 outside a period).</summary>
    public decimal PeriodMonths => Period.Covered.Count;

    /// <summary>
    /// The first day of the months the charge being evaluated covers: the period's first day, unless a version starts
    /// later in it. days_in_period() and day_of_period() count from here, so that they agree with period_months().
    /// </summary>
    public DateOnly PeriodFirstDay => Period.From.AddMonths(Period.Covered.First);

    /// <summary>How many days the months the charge being evaluated covers hold (28 to 31 for one month).</summary>
    public decimal PeriodDays => Operators.DaysIn(PeriodFirstDay, Period.From.AddMonths(Period.Covered.Last + 1).AddDays(-1));

    // ---- snapshots ----------------------------------------------------------------------------------------------

    /// <summary>
    /// The account's rating state: its states, windows and open period. Contract values, table cells and lets are not
    /// kept: they are read again from the contract and the tariff.
    /// </summary>
    public void Save(BlockWriter w, bool periodOpen)
    {
        foreach (var store in States) store.Save(w);
        // Each window as its keys' last openings, then the windows read by elapsed() as their keys' unbroken starts.
        var windows = new IReadOnlyList<KeyValuePair<Value, WindowTable.Opening>>[Windows.Length];
        for (var i = 0; i < Windows.Length; i++)
        {
            windows[i] = Windows[i].Pairs;
            w.VarUInt((ulong)windows[i].Count);
            foreach (var (key, opening) in windows[i])
            {
                ValueCodec.Write(w, key);
                ValueCodec.Write(w, Value.FromTime(new DateTimeOffset(opening.Opened, TimeSpan.Zero)));
            }
        }
        for (var i = 0; i < Windows.Length; i++)
        {
            if (!Model.Windows[i].TracksStart) continue;
            w.VarUInt((ulong)windows[i].Count);
            foreach (var (key, opening) in windows[i])
            {
                ValueCodec.Write(w, key);
                ValueCodec.Write(w, Value.FromTime(new DateTimeOffset(opening.Start, TimeSpan.Zero)));
            }
        }
        if (!periodOpen) return;
        Period.Save(w);
        w.Byte(Held is null ? (byte)0 : (byte)1);
        if (Held is null) return;
        ValueCodec.Write(w, Value.FromTime(HeldEnd));
        foreach (var store in _heldStates!) store.Save(w);
        Held.Save(w);
    }

    public void Load(BlockReader r, bool periodOpen)
    {
        foreach (var store in States) store.Load(r);
        foreach (var window in Windows)
        {
            window.Clear();
            for (var n = (int)r.VarUInt(); n > 0; n--)
            {
                var key = ValueCodec.Read(r);
                var opened = ValueCodec.Read(r).Time.UtcTicks;
                window.Set(key, new WindowTable.Opening(opened, opened));
            }
        }
        for (var i = 0; i < Windows.Length; i++)
        {
            if (!Model.Windows[i].TracksStart) continue;
            for (var n = (int)r.VarUInt(); n > 0; n--)
            {
                var key = ValueCodec.Read(r);
                Windows[i].SetStart(key, ValueCodec.Read(r).Time.UtcTicks);
            }
        }
        if (!periodOpen) return;
        Period.Load(Plan, r);
        Held = null;
        if (r.Byte() == 0) return;
        HeldEnd = ValueCodec.Read(r).Time;
        _heldStates = Model.States.Select(s => new StateStore(s)).ToArray();
        foreach (var store in _heldStates) store.Load(r);
        Held = new PeriodState(Plan);
        Held.Load(Plan, r);
    }

    // ---- all or nothing per event --------------------------------------------------------------------------

    /// <summary>From here on every change is journaled, so that a rejection half-way can undo what the event did.</summary>
    public void BeginEvent()
    {
        _journal.Clear();
        _journaling = true;
    }

    public void Commit()
    {
        _journal.Clear();
        _journaling = false;
    }

    public void Rollback()
    {
        for (var i = _journal.Count - 1; i >= 0; i--)
        {
            var u = _journal[i];
            switch (u.What)
            {
                case UndoKind.State:
                {
                    var store = States[u.Index];
                    if (u.Had) store.Values.Set(u.Key, u.Old);
                    else store.Values.Remove(u.Key);
                    store.RestorePeak(u.Key, u.HadPeak, u.OldPeak);
                    break;
                }
                case UndoKind.Statement:
                {
                    var store = States[u.Index];
                    (store.Grants, store.Purchases, store.Debits) = (u.OldPeak, u.Old.Number, u.Debits);
                    break;
                }
                case UndoKind.Pending:
                    States[u.Index].Pending.RemoveRange(u.Count, States[u.Index].Pending.Count - u.Count);
                    break;
                case UndoKind.Window:
                    Windows[u.Index].Restore(u.Key, u.Had, u.OldOpening);
                    _withinRow = -1;
                    break;
                case UndoKind.Lots:
                {
                    var store = States[u.Index];
                    store.Lots!.Clear();
                    store.Lots.AddRange(u.SavedLots!);
                    store.Overdraft = u.OldPeak;
                    break;
                }
                case UndoKind.NewLine:
                    Period.EventLines.RemoveAt(Period.EventLines.Count - 1);
                    break;
                case UndoKind.Line:
                    Period.EventLines[u.Index].Quantity = u.OldPeak;
                    break;
            }
        }
        _journal.Clear();
        _journaling = false;
        RatedByEvent = false;
        FreeRule = null;
        ChangedStates = 0;
        ChangedStatesMore?.Clear();
        Details?.Clear();
        EventAmounts?.Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Journal(StateStore store, int state, Value key)
    {
        if (!_journaling) return;
        // The statement (purchases, debits) is saved once per state per event, before its first change.
        var saved = false;
        foreach (var u in _journal)
        {
            if (u.What == UndoKind.Statement && u.Index == state)
            {
                saved = true;
                break;
            }
        }
        if (!saved)
        {
            _journal.Add(Undo.ForStatement(state, store.Grants, store.Purchases, store.Debits));
            // A wallet that keeps its credits apart saves them whole, once per event: such wallets are few and small.
            if (store.Lots is not null) _journal.Add(Undo.ForLots(state, [.. store.Lots], store.Overdraft));
        }
        var had = store.Values.TryGetValue(key, out var old);
        var hadPeak = store.TryGetPeak(key, out var oldPeak);
        _journal.Add(Undo.ForState(state, key, had, old, hadPeak, oldPeak));
    }

    private enum UndoKind : byte { State, Statement, Pending, Window, Lots, NewLine, Line }

    private readonly record struct Undo(UndoKind What, int Index, Value Key, bool Had, Value Old, bool HadPeak, decimal OldPeak,
        WindowTable.Opening OldOpening, int Count)
    {
        public static Undo ForState(int state, Value key, bool had, Value old, bool hadPeak, decimal oldPeak) =>
            new(UndoKind.State, state, key, had, old, hadPeak, oldPeak, default, 0);

        // A statement travels in the record's spare fields: grants in OldPeak, purchases in Old, debits in Debits.
        public static Undo ForStatement(int state, decimal grants, decimal purchases, decimal debits) =>
            new(UndoKind.Statement, state, default, false, Value.FromNumber(purchases), false, grants, default, 0) { Debits = debits };

        public static Undo ForPending(int state, int count) =>
            new(UndoKind.Pending, state, default, false, default, false, 0m, default, count);

        public static Undo ForWindow(int window, Value key, bool had, WindowTable.Opening old) =>
            new(UndoKind.Window, window, key, had, default, false, 0m, old, 0);

        public static Undo ForLots(int state, List<Lot> saved, decimal overdraft) =>
            new(UndoKind.Lots, state, default, false, default, false, overdraft, default, 0) { SavedLots = saved };

        public static Undo ForNewLine() => new(UndoKind.NewLine, 0, default, false, default, false, 0m, default, 0);

        public static Undo ForLine(int group, decimal quantity) =>
            new(UndoKind.Line, group, default, false, default, false, quantity, default, 0);

        public decimal Debits { get; init; }

        public List<Lot>? SavedLots { get; init; }
    }
}

/// <summary>An event as the rating engine receives it: typed attribute values in slots, its time, quantity and row.</summary>
internal readonly record struct EventInput(int Row, int Kind, DateTimeOffset Time, DateOnly LocalDate, decimal Quantity, Value[] Slots,
    int SlotBase);
