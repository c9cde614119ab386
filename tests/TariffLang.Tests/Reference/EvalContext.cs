using System.Collections.Immutable;
using TariffLang.Ledgers;
using TariffLang.Semantics;

namespace TariffLang.Tests.Reference;

/// <summary>A ledger row read as an event of the tariff: attribute values typed, in declaration order.</summary>
internal sealed class EventInstance(LedgerRow row, EventSymbol symbol, object?[] values, DateOnly localDate)
{
    public LedgerRow Row { get; } = row;
    public EventSymbol Event { get; } = symbol;
    public object?[] Values { get; } = values;
    public DateOnly LocalDate { get; } = localDate;
    public DateTimeOffset Time => Row.Time;
    public decimal Quantity => Row.Quantity;

    /// <summary>Indexes of the states this event changed (it rates the lines those states feed).</summary>
    public List<int> ChangedStates { get; } = new();

    public string? FreeReason { get; set; }
    public List<string> RatedBy { get; } = new();
}

/// <summary>How the engine evaluates an expression: the reference interpreter, or compiled delegates.</summary>
internal interface IEvaluator
{
    object? Evaluate(BoundExpr expr, EvalContext context);
}

/// <summary>
/// The values of one state (counter, wallet, setting): one per key, or one under the empty key. Within a period it
/// remembers, month by month, each key's highest value and the total at each month's end, so that a charge can
/// read the months of the period it covers.
/// </summary>
internal sealed class StateStore(StateSymbol symbol)
{
    private readonly List<Dictionary<string, decimal>> _monthPeaks = new();
    private readonly List<decimal> _monthEndTotals = new();

    public StateSymbol Symbol { get; } = symbol;
    public Dictionary<string, object?> Values { get; } = new(StringComparer.Ordinal);
    public List<(string Key, object? Value)> Pending { get; } = new();
    public object? Initial { get; set; }
    public decimal Opening, Grants, Purchases, Debits;

    public object? Get(string key) => Values.TryGetValue(key, out var v) ? v : Initial;

    /// <summary>A copy as it is now (a held period's invoice reads its states as they were at its end).</summary>
    public StateStore Clone()
    {
        var copy = new StateStore(Symbol) { Initial = Initial, Opening = Opening, Grants = Grants, Purchases = Purchases, Debits = Debits };
        foreach (var (key, value) in Values) copy.Values[key] = value;
        copy.Pending.AddRange(Pending);
        copy._monthPeaks.AddRange(_monthPeaks.Select(p => new Dictionary<string, decimal>(p, StringComparer.Ordinal)));
        copy._monthEndTotals.AddRange(_monthEndTotals);
        copy.Credits?.AddRange(Credits!.Select(c => c with { }));
        copy.Overdraft = Overdraft;
        copy.Expired = Expired;
        copy.GrantItems.AddRange(GrantItems);
        copy._arrivals = _arrivals;
        return copy;
    }

    /// <summary>A counter that resets every period, or an allowance: every key back to the initial value.</summary>
    public void ResetValues() => Values.Clear();

    // An event's effects either all happen or none do: while an event is processed every write is journaled,
    // so that a rejection half-way (a missing value, an overflow) can undo what its earlier operations did.
    private readonly List<(string Key, bool Had, object? Old, bool HadPeak, decimal OldPeak)> _journal = new();
    private (int Pending, decimal Grants, decimal Purchases, decimal Debits)? _journalStart;

    public void BeginEvent()
    {
        _journal.Clear();
        _journalStart = (Pending.Count, Grants, Purchases, Debits);
        _creditsBefore = Credits?.Select(c => c with { }).ToList();
        _overdraftBefore = Overdraft;
    }

    // ---- the oracle's own credits: for a wallet whose credits expire or have priorities --------------------------

    /// <summary>One credit: what is left of it, when it is gone (null: never), its priority and its arrival order.</summary>
    public sealed record CreditLot(decimal Left, DateTimeOffset? Gone, int Priority, int Arrival)
    {
        public decimal Left { get; set; } = Left;
    }

    public List<CreditLot>? Credits { get; } = symbol.TracksLots ? new List<CreditLot>() : null;
    public decimal Overdraft { get; set; }
    public decimal Expired { get; set; }
    public List<(string Label, decimal Amount)> GrantItems { get; } = new();
    private int _arrivals;
    private List<CreditLot>? _creditsBefore;
    private decimal _overdraftBefore;

    public void Credit(decimal amount, DateTimeOffset? gone, int priority)
    {
        // What was drawn beyond the credits is paid back first.
        var back = Math.Min(amount, Overdraft);
        Overdraft -= back;
        if (amount - back > 0m) Credits!.Add(new CreditLot(amount - back, gone, priority, _arrivals++));
    }

    public void Debit(decimal amount)
    {
        var order = Credits!.OrderByDescending(c => c.Priority).ThenBy(c => c.Gone ?? DateTimeOffset.MaxValue).ThenBy(c => c.Arrival)
            .ToList();
        foreach (var credit in order)
        {
            if (amount == 0m) break;
            var take = Math.Min(credit.Left, amount);
            credit.Left -= take;
            amount -= take;
        }
        Credits!.RemoveAll(c => c.Left == 0m);
        Overdraft += amount;
    }

    /// <summary>Credits gone by <paramref name="now"/> leave the balance.</summary>
    public void ExpireCredits(DateTimeOffset now)
    {
        if (Credits is null) return;
        var gone = Credits.Where(c => c.Gone is { } at && at <= now).ToList();
        if (gone.Count == 0) return;
        var total = gone.Sum(c => c.Left);
        Credits.RemoveAll(gone.Contains);
        Values[""] = (Get("") as decimal? ?? 0m) - total;
        Expired += total;
    }

    public void Commit() => _journalStart = null;

    public void Rollback()
    {
        if (_journalStart is not { } start) return;
        for (var i = _journal.Count - 1; i >= 0; i--)
        {
            var (key, had, old, hadPeak, oldPeak) = _journal[i];
            if (had) Values[key] = old;
            else Values.Remove(key);
            if (_monthPeaks.Count > 0)
            {
                if (hadPeak) _monthPeaks[^1][key] = oldPeak;
                else _monthPeaks[^1].Remove(key);
            }
        }
        Pending.RemoveRange(start.Pending, Pending.Count - start.Pending);
        if (Credits is not null)
        {
            Credits.Clear();
            Credits.AddRange(_creditsBefore!);
            Overdraft = _overdraftBefore;
        }
        (Grants, Purchases, Debits) = (start.Grants, start.Purchases, start.Debits);
        _journalStart = null;
    }

    public void Set(string key, object? value)
    {
        if (_journalStart is not null)
        {
            var had = Values.TryGetValue(key, out var old);
            var hadPeak = false;
            var oldPeak = 0m;
            if (_monthPeaks.Count > 0) hadPeak = _monthPeaks[^1].TryGetValue(key, out oldPeak);
            _journal.Add((key, had, old, hadPeak, oldPeak));
        }
        Values[key] = value;
        if (value is decimal d && _monthPeaks.Count > 0)
        {
            var peaks = _monthPeaks[^1];
            peaks[key] = peaks.TryGetValue(key, out var p) ? Math.Max(p, d) : Math.Max(d, Initial as decimal? ?? 0m);
        }
    }

    public decimal Total() => Values.Values.OfType<decimal>().Sum();

    /// <summary>At a period start: peaks restart from each key's current value; the statement from the balance.</summary>
    public void StartPeriod()
    {
        _monthPeaks.Clear();
        _monthEndTotals.Clear();
        _monthPeaks.Add(CurrentLevels());
        Opening = Total();
        Grants = Purchases = Debits = Expired = 0m;
        GrantItems.Clear();
    }

    /// <summary>Moves on to month <paramref name="month"/> of the period (0-based); months in between carry the levels.</summary>
    public void EnterMonth(int month)
    {
        while (_monthPeaks.Count <= month)
        {
            _monthEndTotals.Add(Total());
            _monthPeaks.Add(CurrentLevels());
        }
    }

    /// <summary>Closes the period's last month.</summary>
    public void EndPeriod(int months)
    {
        EnterMonth(months - 1);
        _monthEndTotals.Add(Total());
    }

    private Dictionary<string, decimal> CurrentLevels()
    {
        var levels = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (key, value) in Values)
        {
            if (value is decimal d) levels[key] = d;
        }
        return levels;
    }

    /// <summary>Sum over keys of each key's highest value in the given months.</summary>
    public decimal Peak(bool[] months)
    {
        var best = new Dictionary<string, decimal>(StringComparer.Ordinal);
        for (var m = 0; m < _monthPeaks.Count && m < months.Length; m++)
        {
            if (!months[m]) continue;
            foreach (var (key, value) in _monthPeaks[m]) best[key] = best.TryGetValue(key, out var b) ? Math.Max(b, value) : value;
        }
        return best.Values.Sum();
    }

    /// <summary>The total at the end of the last of the given months.</summary>
    public decimal Level(bool[] months)
    {
        for (var m = Math.Min(months.Length, _monthEndTotals.Count) - 1; m >= 0; m--)
        {
            if (months[m]) return _monthEndTotals[m];
        }
        return Total();
    }
}

/// <summary>The billable events and bounds of the period being rated.</summary>
internal sealed class PeriodRun
{
    public PeriodRun(DateOnly from, DateOnly to, int months, int eventKinds)
    {
        From = from;
        To = to;
        Months = months;
        Billable = Enumerable.Range(0, eventKinds).Select(_ => new List<EventInstance>()).ToArray();
        ChargeMonths = Enumerable.Repeat(true, months).ToArray();
    }

    public DateOnly From { get; }
    public DateOnly To { get; }
    public int Months { get; }
    public List<EventInstance>[] Billable { get; }
    public Dictionary<LetSymbol, object?> Lets { get; } = new();

    /// <summary>
    /// The months of the period that the charge being evaluated covers: all of them, unless versions split the
    /// period. Aggregates, peaks and period_months() read only those months.
    /// </summary>
    public bool[] ChargeMonths { get; private set; }

    public bool AllMonths => ChargeMonths.All(m => m);

    /// <summary>Which month of the period a local date falls in (0-based).</summary>
    public int MonthOf(DateOnly date) => (date.Year - From.Year) * 12 + date.Month - From.Month;

    /// <summary>Changes the covered months; cached lets depend on them.</summary>
    public void Cover(bool[] months)
    {
        if (months.SequenceEqual(ChargeMonths)) return;
        ChargeMonths = months;
        Lets.Clear();
    }

    public IReadOnlyList<EventInstance> Events(int eventIndex) =>
        AllMonths ? Billable[eventIndex] : Billable[eventIndex].Where(e => ChargeMonths[MonthOf(e.LocalDate)]).ToList();

    /// <summary>
    /// The oracle's reading of <c>by KEY whole within D</c>, per (key, grace): the later events this period's groups took
    /// (counted in its last month), and this period's events that went to the previous period's groups instead.
    /// </summary>
    public Dictionary<(string Key, TimeSpan Grace), List<EventInstance>> CarriedIn { get; } = new();

    public Dictionary<(string Key, TimeSpan Grace), HashSet<EventInstance>> CarriedOut { get; } = new();

    /// <summary>The events an aggregate reads: a grouped one whole within D also its groups' later events, less those given away.</summary>
    public IReadOnlyList<EventInstance> Events(int eventIndex, string? groupKey, TimeSpan? grace)
    {
        if (groupKey is null || grace is not { } g) return Events(eventIndex);
        var family = (groupKey, g);
        var own = Events(eventIndex).Where(e => !CarriedOut.TryGetValue(family, out var gone) || !gone.Contains(e));
        var later = CarriedIn.TryGetValue(family, out var taken) && ChargeMonths[Months - 1]
            ? taken.Where(e => e.Event.Index == eventIndex) : [];
        return own.Concat(later).ToList();
    }
}

/// <summary>Everything an expression can read while one account is rated.</summary>
internal sealed class EvalContext
{
    private readonly Dictionary<ParamSymbol, object?> _params = new();
    private readonly ImmutableDictionary<string, string> _accountValues;
    private readonly Dictionary<TableSymbol, Dictionary<string, object?>> _tableValues = new();
    private PlanSymbol? _plan;

    public EvalContext(CheckedTariff tariff, IEvaluator evaluator, string account, ImmutableDictionary<string, string> accountValues)
    {
        Tariff = tariff;
        Evaluator = evaluator;
        Account = account;
        _accountValues = accountValues;
        Zone = new DateTimeZoneInfo(tariff.Period.Zone);
        States = tariff.States.Select(s => new StateStore(s)).ToArray();
        Windows = tariff.Windows.Select(_ => new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal)).ToArray();
        WindowStarts = tariff.Windows.Select(_ => new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal)).ToArray();
    }

    public CheckedTariff Tariff { get; }
    public IEvaluator Evaluator { get; }
    public string Account { get; }
    public DateTimeZoneInfo Zone { get; }
    public StateStore[] States { get; set; }
    public Dictionary<string, DateTimeOffset>[] Windows { get; }

    /// <summary>The key value of the group a charge by KEY is being billed for.</summary>
    public object? Group { get; set; }

    /// <summary>When each key's window was opened by an event that found it closed (kept for every window).</summary>
    public Dictionary<string, DateTimeOffset>[] WindowStarts { get; }
    public EventInstance? Event { get; set; }
    public DateTimeOffset Now { get; set; }
    public PeriodRun? Period { get; set; }

    public object? Eval(BoundExpr expr) => Evaluator.Evaluate(expr, this);

    public object? Param(ParamSymbol param)
    {
        if (_params.TryGetValue(param, out var cached)) return cached;
        object? value;
        if (_accountValues.TryGetValue(param.Name, out var raw))
        {
            value = RuntimeOps.Parse(raw, param.Type, out var error);
            if (error is not null)
                throw new RatingException($"account '{Account}': contract parameter '{param.Name}': {error}", accountWide: true);
        }
        else if (param.Default is not null) value = Eval(param.Default);
        else if (param.Type.Optional) value = null;
        else throw new RatingException($"account '{Account}': missing contract parameter '{param.Name}'", accountWide: true);
        _params[param] = value;
        return value;
    }

    public PlanSymbol Plan
    {
        get
        {
            if (_plan is not null) return _plan;
            var name = Tariff.FindParam("plan") is { } p ? Param(p) as string : null;
            _plan = name is null ? null : Tariff.FindPlan(name);
            return _plan ?? throw new RatingException(
                $"account '{Account}': unknown plan '{name}' (plans: {string.Join(", ", Tariff.Plans.Select(x => x.Name))})",
                accountWide: true);
        }
    }

    public object? PlanField(PlanField field) => field switch
    {
        TariffLang.Semantics.PlanField.Name => Plan.Name,
        TariffLang.Semantics.PlanField.Fee => Eval(Plan.Fee),
        TariffLang.Semantics.PlanField.Includes => Plan.Includes is null ? 0m : Eval(Plan.Includes),
        _ => Plan.Extra is null ? 0m : Eval(Plan.Extra),
    };

    public object? Let(LetSymbol let)
    {
        var period = Period ?? throw new InvalidOperationException("a let needs a period");
        // Read for an event (a rule, a state operation), a let may see states that earlier events of the period
        // changed: it is evaluated afresh. Only at the period's close is its value fixed, and cached.
        var forEvent = Event is not null;
        if (!forEvent && period.Lets.TryGetValue(let, out var cached)) return cached;
        var saved = Event;
        Event = null;
        object? value;
        try
        {
            value = Eval(let.Value);
        }
        finally
        {
            Event = saved;
        }
        if (!forEvent) period.Lets[let] = value;
        return value;
    }

    public static string KeyOf(EventInstance e, string? attribute)
    {
        if (attribute is null) return "";
        var attr = e.Event.Find(attribute)!;
        return e.Values[attr.Index] is { } v ? RuntimeOps.Show(v) : "";
    }

    public object? StateValue(StateSymbol state)
    {
        var store = States[state.Index];
        if (state.KeyAttribute is null) return store.Get("");
        var e = Event ?? throw new InvalidOperationException("a keyed state needs an event");
        return store.Get(KeyOf(e, state.KeyAttribute));
    }

    public decimal StateAggregate(StateAggregateKind kind, StateSymbol state)
    {
        var store = States[state.Index];
        var months = (Period ?? throw new InvalidOperationException("peak and level need a period")).ChargeMonths;
        return kind == StateAggregateKind.Level ? store.Level(months) : store.Peak(months);
    }

    public bool Within(WindowSymbol window)
    {
        var e = Event ?? throw new InvalidOperationException("within needs an event");
        var key = KeyOf(e, window.KeyAttribute);
        return Windows[window.Index].TryGetValue(key, out var opened) && e.Time >= opened && e.Time < opened + window.Length;
    }

    /// <summary>The oracle's reading of elapsed(): the time since the open window's first event, or zero.</summary>
    public TimeSpan Elapsed(WindowSymbol window)
    {
        var e = Event ?? throw new InvalidOperationException("elapsed needs an event");
        return Within(window) ? e.Time - WindowStarts[window.Index][KeyOf(e, window.KeyAttribute)] : TimeSpan.Zero;
    }

    /// <summary>Whether the table has a cell for these keys.</summary>
    public static bool HasCell(TableSymbol table, object?[] keys) =>
        keys.All(k => k is string) && table.Cells.ContainsKey(TableSymbol.CellKey(keys.Cast<string>()));

    /// <summary>Why a table has no cell for these keys: the same words whether an event or a period asked.</summary>
    public static string MissingCell(TableSymbol table, object?[] keys) =>
        $"table '{table.Name}' has no value for " + string.Join(", ", table.Keys.Select((k, i) => $"{k} {RuntimeOps.Show(keys[i])}"));

    /// <summary>
    /// A table's value for the keys. A missing cell is an error, never a silent zero: it rejects the event in hand,
    /// or, over a period, the account (the engine says which and why).
    /// </summary>
    public object? Lookup(TableSymbol table, object?[] keys)
    {
        if (!HasCell(table, keys)) throw new RatingException(MissingCell(table, keys));
        if (!_tableValues.TryGetValue(table, out var values))
            _tableValues[table] = values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var key = TableSymbol.CellKey(keys.Cast<string>());
        if (values.TryGetValue(key, out var value)) return value;
        value = Eval(table.Cells[key]);
        values[key] = value;
        return value;
    }

    public IReadOnlyList<EventInstance> PeriodEvents(EventSymbol symbol, string? groupKey = null, TimeSpan? grace = null) =>
        (Period ?? throw new InvalidOperationException("aggregates need a period")).Events(symbol.Index, groupKey, grace);

    public decimal PeriodMonths => Period?.ChargeMonths.Count(m => m) ?? 1;

    /// <summary>The first day of the first month the charge being evaluated covers.</summary>
    public DateOnly PeriodFirstDay => Period!.From.AddMonths(Array.IndexOf(Period.ChargeMonths, true));

    /// <summary>The days of the covered months, month by month.</summary>
    public decimal PeriodDays
    {
        get
        {
            var days = 0;
            for (var m = 0; m < Period!.ChargeMonths.Length; m++)
            {
                if (!Period.ChargeMonths[m]) continue;
                var month = Period.From.AddMonths(m);
                days += DateTime.DaysInMonth(month.Year, month.Month);
            }
            return days;
        }
    }
}
