using System.Collections.Immutable;
using System.Globalization;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Semantics;
using TariffLang.Syntax;

namespace TariffLang.Tests.Reference;

/// <summary>
/// THE ORACLE. The whole-ledger rating engine TariffLang had before its rating core was rebuilt, kept in the tests as an
/// independent reference: it keeps every row, re-walks each period's events at its close, evaluates over boxed values,
/// and shares no rating code with <c>src/</c> (only the checked model, the ledger and invoice types, and currency
/// rounding). It differs from the engine it was taken from in exactly two deliberate ways, which the new core made part
/// of the language: an id is unique per account (not per ledger), and unknown attribute names are listed in ordinal
/// order. Nothing else may change here: a difference between this engine and the new one is a finding, not a fix.
///
/// Rates a ledger against a checked tariff: each account's events in time order, state carried across
/// periods, one invoice per account and period, and one outcome for every ledger row.
/// Periods, grants and period closing are shared by both backends; expressions go through the backend's
/// <see cref="IEvaluator"/> and each event's classification and effects through its <see cref="IEventRater"/>.
/// </summary>
internal sealed class RatingEngine(CheckedTariff tariff, IEvaluator evaluator, IEventRater rater)
{
    private const int MinYear = RatingOptions.MinYear, MaxYear = RatingOptions.MaxYear;

    /// <summary>Fifty years of monthly invoices: more is a mistyped date, not a history.</summary>
    private const int MaxPeriods = 600;

    private readonly CheckedTariff _tariff = tariff;
    private readonly IEvaluator _evaluator = evaluator;
    private readonly IEventRater _rater = rater;
    private readonly DateTimeZoneInfo _zone = new(tariff.Period.Zone);
    private DateOnly? _earliest;
    private DateOnly _latest;
    private string _latestReason = "";

    public RatingResult Rate(Ledger ledger, AccountTable accounts, RatingOptions options)
    {
        var outcomes = new List<RowOutcome>();
        var invoices = new List<Invoice>();
        foreach (var error in ledger.Errors) outcomes.Add(new RowOutcome(error.Row, "", "", null, RowOutcomeKind.Rejected, error.Message));

        // An id is unique per event of an account (deliberate change 1: it was per ledger). Deliberate change 4: among the
        // account's valid rows, copies of an id with the same content are one event (the first in file order counts), copies
        // with different content conflict and none counts; a row rejected while typed claims no id.
        var rows = ledger.Rows.ToList();

        // Deliberate change 3: each account is rated over its own rows' months, through the last month rated when it is
        // given (or the reported month when that is later than its rows); an account under contract without rows is only
        // billed when the months rated are given.
        if (options.Problem() is { } problem) throw new ArgumentOutOfRangeException(nameof(options), problem);
        DateOnly? horizon = options.To is { } to ? new DateOnly(to.Year, to.Month, 1)
            : options.Month is { } m ? new DateOnly(m.Year, m.Month, 1) : null;
        DateOnly? contractStart = options.From is { } f ? new DateOnly(f.Year, f.Month, 1)
            : options.Month is { } pm ? new DateOnly(pm.Year, pm.Month, 1)
            : options.To is { } t ? new DateOnly(t.Year, t.Month, 1) : null;
        // The dates a row may have: the months rated, or at most the month after today's.
        var today = options.Today ?? DateOnly.FromDateTime(DateTime.UtcNow);
        var latest = options.To is { } lt ? new DateOnly(lt.Year, lt.Month, 1).AddMonths(1).AddDays(-1)
            : new DateOnly(today.Year, today.Month, 1).AddMonths(2).AddDays(-1);
        if (options.To is null && options.Month is { } rm && new DateOnly(rm.Year, rm.Month, 1).AddMonths(1).AddDays(-1) > latest)
            latest = new DateOnly(rm.Year, rm.Month, 1).AddMonths(1).AddDays(-1);
        _earliest = options.From is { } ef ? new DateOnly(ef.Year, ef.Month, 1) : null;
        _latest = latest;
        _latestReason = options.To is null ? $"in the future (after {latest:yyyy-MM-dd}): give --to with its month to rate it"
            : $"after the months rated, which end with {latest:yyyy-MM}";
        var byAccount = rows.GroupBy(r => r.Account)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Time).ThenBy(r => r.Row).ToList(), StringComparer.Ordinal);
        var names = byAccount.Keys.Union(horizon is null && options.From is null ? [] : accounts.Accounts.Keys, StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (var account in names)
        {
            var accountRows = byAccount.TryGetValue(account, out var found) ? found : [];
            var run = new AccountRun(this, account, accounts.For(account, options.Params), accountRows, horizon,
                accounts.Accounts.ContainsKey(account) ? contractStart : null);
            run.Execute();
            invoices.AddRange(run.Invoices);
            outcomes.AddRange(run.Outcomes);
        }

        if (options.Month is { } month)
        {
            var first = new DateOnly(month.Year, month.Month, 1);
            invoices = invoices.Where(i => i.Period.From <= first && first <= i.Period.To).ToList();
            // Rows that could not be placed in time stay in every report; others only in their period's.
            outcomes = outcomes.Where(o => o.Time is null || InReportedPeriod(o, invoices, first)).ToList();
        }
        return new RatingResult(invoices.ToImmutableArray(), outcomes.OrderBy(o => o.Row).ToImmutableArray());
    }

    /// <summary>
    /// Whether a row belongs to the reported period: its account's period containing the month, or, for an
    /// account with no invoice then (every row rejected), the month itself.
    /// </summary>
    private bool InReportedPeriod(RowOutcome o, List<Invoice> invoices, DateOnly month)
    {
        if (o.Time!.Value.Year is < MinYear or > MaxYear) return false;
        var date = _zone.LocalDate(o.Time.Value);
        var invoice = invoices.FirstOrDefault(i => i.Account == o.Account);
        return invoice is null
            ? date.Year == month.Year && date.Month == month.Month
            : invoice.Period.From <= date && date <= invoice.Period.To;
    }

    private static RowOutcome Outcome(LedgerRow row, RowOutcomeKind kind, string detail) =>
        new(row.Row, row.Account, row.Event, row.Time, kind, detail);

    /// <summary>The rating of one account: its whole history, period by period.</summary>
    private sealed class AccountRun
    {
        private readonly RatingEngine _engine;
        private readonly CheckedTariff _t;
        private readonly EvalContext _ctx;
        private readonly AccountRunState _state;
        private readonly List<LedgerRow> _rows;
        private readonly List<EventInstance> _events = new();
        private readonly Dictionary<int, RowOutcome> _outcomes = new();

        private readonly DateOnly? _horizon;

        private readonly DateOnly? _contractStart;

        public AccountRun(RatingEngine engine, string account, ImmutableDictionary<string, string> values, List<LedgerRow> rows,
            DateOnly? horizon,
            DateOnly? contractStart)
        {
            _horizon = horizon;
            _contractStart = contractStart;
            _engine = engine;
            _t = engine._tariff;
            _rows = rows;
            _ctx = new EvalContext(_t, engine._evaluator, account, values);
            _state = new AccountRunState(_ctx);
        }

        public List<Invoice> Invoices { get; } = new();

        public IEnumerable<RowOutcome> Outcomes => _outcomes.Values;

        private void Reject(LedgerRow row, string reason) => _outcomes[row.Row] = Outcome(row, RowOutcomeKind.Rejected, reason);

        public void Execute()
        {
            try
            {
                foreach (var row in _rows)
                {
                    if (Read(row) is { } e) _events.Add(e);
                }
                foreach (var group in _events.Where(e => e.Row.Id is not null).GroupBy(e => e.Row.Id!, StringComparer.Ordinal))
                {
                    var copies = group.OrderBy(e => e.Row.Row).ToList();
                    if (copies.Count < 2) continue;
                    if (copies.All(c => SameContent(c, copies[0])))
                    {
                        foreach (var c in copies.Skip(1)) _idRejected[c.Row.Row] =
                            $"duplicate id '{group.Key}' (already counted at row {copies[0].Row.Row})";
                        continue;
                    }
                    var rowNumbers = copies.Select(c => c.Row.Row).ToList();
                    var named = rowNumbers.Count <= 10
                        ? string.Join(", ", rowNumbers.SkipLast(1)) + " and " + rowNumbers[^1]
                        : string.Join(", ", rowNumbers.Take(10)) + $" and {rowNumbers.Count - 10} more";
                    foreach (var c in copies)
                        _idRejected[c.Row.Row] =
                            $"conflicting id '{group.Key}': rows {named} carry it with different content, so none of them is rated";
                }
                foreach (var (row, reason) in _idRejected) Reject(_rows.First(r => r.Row == row), reason);
                _events.RemoveAll(e => _idRejected.ContainsKey(e.Row.Row));
                if (_events.Count == 0 && _contractStart is null) return;
                RunPeriods();
            }
            catch (Exception ex) when (ex is RatingException or OverflowException)
            {
                // Without its contract values, or when a period's charges cannot be computed, the account cannot
                // be rated at all: no invoice, and every row says why.
                Invoices.Clear();
                var reason = ex is RatingException { AccountWide: true } ? ex.Message : $"account '{_ctx.Account}': {Describe(ex)}";
                foreach (var row in _rows) Reject(row, _idRejected.TryGetValue(row.Row, out var idReason) ? idReason : reason);
            }
        }

        private readonly Dictionary<int, string> _idRejected = new();

        /// <summary>Two rows say the same thing: event, instant, quantity and attribute values, compared as values.</summary>
        private static bool SameContent(EventInstance a, EventInstance b) =>
            a.Event == b.Event && a.Row.Time.UtcDateTime == b.Row.Time.UtcDateTime && a.Row.Quantity == b.Row.Quantity
            && a.Values.Zip(b.Values)
                .All(p => p.First is string[] x && p.Second is string[] y ? x.SequenceEqual(y) : Equals(p.First, p.Second));

        private static string Describe(Exception ex) => ex is OverflowException ? "a value is too large (arithmetic overflow)" : ex.Message;

        /// <summary>Types a row as an event of the tariff, or rejects it with the reason.</summary>
        private EventInstance? Read(LedgerRow row)
        {
            // Billing periods are computed in calendar months: keep them far from DateOnly's limits.
            if (row.Time.Year is < MinYear or > MaxYear)
            {
                Reject(row, $"time {row.Time:yyyy-MM-dd} is outside the years {MinYear}–{MaxYear} that rating supports");
                return null;
            }
            var symbol = _t.FindEvent(row.Event);
            if (symbol is null)
            {
                Reject(row, $"unknown event '{row.Event}' (the tariff declares: {string.Join(", ", _t.Events.Select(e => e.Name))})");
                return null;
            }
            var localDate = _engine._zone.LocalDate(row.Time);
            if (_t.EffectiveFrom is { } from && localDate < from)
            {
                Reject(row, $"before the tariff's effective date {from:yyyy-MM-dd}");
                return null;
            }
            if (localDate > _engine._latest)
            {
                Reject(row, $"dated {localDate:yyyy-MM-dd}, {_engine._latestReason}");
                return null;
            }
            if (_engine._earliest is { } earliest && localDate < earliest)
            {
                Reject(row, $"dated {localDate:yyyy-MM-dd}, before the months rated, which start with {earliest:yyyy-MM}");
                return null;
            }
            var values = new object?[symbol.Attributes.Length];
            foreach (var attribute in symbol.Attributes)
            {
                // Deliberate change 6: attribute values are trimmed like time, account, event and id.
                if (!row.Attributes.TryGetValue(attribute.Name, out var raw))
                {
                    if (attribute.Type.Optional) continue;
                    Reject(row, $"event '{symbol.Name}' needs attribute '{attribute.Name}'");
                    return null;
                }
                values[attribute.Index] = RuntimeOps.Parse(raw.Trim(), attribute.Type, out var error);
                if (error is not null)
                {
                    Reject(row, $"attribute '{attribute.Name}': {error}");
                    return null;
                }
            }
            // Deliberate change 2: the unknown names in ordinal order, whatever order the columns came in.
            var unknown = row.Attributes.Keys.Where(k => symbol.Find(k) is null).Order(StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
            {
                Reject(row, $"event '{symbol.Name}' has no attribute {string.Join(", ", unknown.Select(u => "'" + u + "'"))}");
                return null;
            }
            return new EventInstance(row, symbol, values, localDate);
        }

        private void RunPeriods()
        {
            var zone = _engine._zone;
            foreach (var store in _ctx.States)
            {
                store.Initial = store.Symbol.Initial is null ? (store.Symbol.Type.IsNumeric ? 0m : null) : _ctx.Eval(store.Symbol.Initial);
            }
            var firstDate = _events.Count > 0 ? _events[0].LocalDate : _contractStart!.Value;
            var start = new DateOnly(firstDate.Year, firstDate.Month, 1);
            var lastEvent = _events.Count > 0 ? _events[^1].LocalDate : firstDate;
            var lastDate = _horizon is { } horizon && horizon > lastEvent ? horizon : lastEvent;
            var grants = GrantTimes(start, lastDate);
            var eventIndex = 0;
            var grantIndex = 0;
            // Grants before the first period (from the effective date on) still count: they open its balance.
            while (grantIndex < grants.Count && grants[grantIndex].Date < start) ApplyGrant(grants[grantIndex++]);

            var periods = 0;
            Held? held = null;
            while (eventIndex < _events.Count || start <= lastDate)
            {
                if (++periods > MaxPeriods)
                    throw new RatingException(
                        $"account '{_ctx.Account}': the ledger spans more than {MaxPeriods} billing periods (is a date mistyped?)",
                        accountWide: true);
                foreach (var store in _ctx.States)
                {
                    if (store.Symbol.ResetsEachPeriod) store.ResetValues();
                    foreach (var (key, value) in store.Pending) store.Set(key, value);
                    store.Pending.Clear();
                }
                var months = PeriodMonths();
                var end = start.AddMonths(months).AddDays(-1);
                var period = new PeriodRun(start, end, months, _t.Events.Length);
                _ctx.Period = period;
                foreach (var store in _ctx.States) store.StartPeriod();

                var inPeriod = new List<EventInstance>();
                while (true)
                {
                    var nextEvent = eventIndex < _events.Count && _events[eventIndex].LocalDate <= end ? _events[eventIndex] : null;
                    var nextGrant = grantIndex < grants.Count && grants[grantIndex].Date <= end ? grants[grantIndex] : default;
                    if (nextEvent is null && nextGrant.Grant is null) break;
                    if (nextGrant.Grant is not null && (nextEvent is null || nextGrant.Date <= nextEvent.LocalDate))
                    {
                        EnterMonth(period, nextGrant.Date);
                        ApplyGrant(nextGrant);
                        grantIndex++;
                        continue;
                    }
                    eventIndex++;
                    if (held is not null && nextEvent!.Time >= held.Release)
                    {
                        CloseHeld(held);
                        held = null;
                    }
                    EnterMonth(period, nextEvent!.LocalDate);
                    OracleCredits.ExpireAll(_ctx, nextEvent.Time);
                    if (!Process(nextEvent)) continue;
                    inPeriod.Add(nextEvent);
                    if (held is not null && nextEvent.FreeReason is null) held.Take(nextEvent, period, FeedsGroup);
                }
                OracleCredits.ExpireAll(_ctx, zone.StartOf(end.AddDays(1)));
                foreach (var store in _ctx.States) store.EndPeriod(period.Months);
                if (held is not null)
                {
                    CloseHeld(held);
                    held = null;
                }
                // The oracle's reading of by KEY whole within D: a period with groups is billed after the next period's
                // events within the grace, unless no event comes after it.
                var started = eventIndex < _events.Count ? StartedGroups(period) : [];
                if (started.Count > 0)
                {
                    held = new Held(period, inPeriod, _ctx.States.Select(s => s.Clone()).ToArray(), [.. _state.PendingEventLines], started,
                        zone.StartOf(end.AddDays(1)));
                    _state.PendingEventLines.Clear();
                }
                else Bill(period, inPeriod);
                start = end.AddDays(1);
            }
            if (held is not null) CloseHeld(held);
        }

        private void Bill(PeriodRun period, List<EventInstance> inPeriod)
        {
            try
            {
                ClosePeriod(period, inPeriod);
            }
            catch (Exception ex) when (ex is RatingException { AccountWide: false } or OverflowException)
            {
                // Deliberate change 5: a period that cannot be billed is rejected alone (no invoice, its rated and
                // free rows rejected with the reason); the account's other periods are billed.
                _state.PendingEventLines.Clear();
                var reason = $"account '{_ctx.Account}', period {period.From:yyyy-MM-dd} to {period.To:yyyy-MM-dd}: {Describe(ex)}";
                foreach (var e in inPeriod) Reject(e.Row, reason);
            }
        }

        /// <summary>For each (key, grace) of the charges by KEY whole within D: the keys of the period's groups.</summary>
        private Dictionary<(string Key, TimeSpan Grace), HashSet<object?>> StartedGroups(PeriodRun period)
        {
            var started = new Dictionary<(string, TimeSpan), HashSet<object?>>();
            foreach (var aggregate in _t.AggregateCharges.SelectMany(c => c.Aggregates))
            {
                if (aggregate.GroupKey is not { } key || aggregate.Grace is not { } grace) continue;
                var position = aggregate.Set.Event.Find(key)!.Index;
                // Events given to the previous period's groups start no group here.
                foreach (var e in period.Events(aggregate.Set.Event.Index, key, grace))
                {
                    _ctx.Event = e;
                    if (!aggregate.Set.Conditions.All(c => RuntimeOps.IsTrue(_ctx.Eval(c)))) continue;
                    (started.TryGetValue((key, grace), out var keys) ? keys : started[(key, grace)] = new()).Add(e.Values[position]);
                }
                _ctx.Event = null;
            }
            return started;
        }

        /// <summary>
        /// What an event of the next period does to the held period's groups of this key and grace (charges by KEY whole
        /// within D), as the engines fold it: null when no aggregate of the family reads its event (another event with an
        /// attribute of the same name), then it stays in its own period alone; otherwise it belongs to the group, and feeds
        /// it (true) when it meets an aggregate's conditions as of the held period's close (its start, like the rest of its
        /// invoice). A row that fed a group is rejected with the held period if that cannot be billed; one that only
        /// belongs to it (false: no condition met, or a condition failed on it, which makes the held period fail) is not.
        /// </summary>
        private bool? FeedsGroup(EventInstance e, string key, TimeSpan grace, PeriodRun held)
        {
            var now = _ctx.Now;
            _ctx.Now = _engine._zone.StartOf(held.From);
            _ctx.Event = e;
            try
            {
                bool? result = null;
                foreach (var aggregate in _t.AggregateCharges.SelectMany(c => c.Aggregates))
                {
                    if (aggregate.GroupKey != key || aggregate.Grace != grace || aggregate.Set.Event.Index != e.Event.Index) continue;
                    result = false;
                    try
                    {
                        if (aggregate.Set.Conditions.All(c => RuntimeOps.IsTrue(_ctx.Eval(c)))) return true;
                    }
                    catch (Exception ex) when (ex is RatingException { AccountWide: false } or OverflowException)
                    {
                        // The held period's close meets the same failure.
                    }
                }
                return result;
            }
            finally
            {
                _ctx.Event = null;
                _ctx.Now = now;
            }
        }

        /// <summary>Bills a held period with the states of its end, then puts the running ones back.</summary>
        private void CloseHeld(Held held)
        {
            var (states, period, lines) = (_ctx.States, _ctx.Period, _state.PendingEventLines.ToList());
            _ctx.States = held.States;
            _ctx.Period = held.Period;
            _state.PendingEventLines.Clear();
            _state.PendingEventLines.AddRange(held.Lines);
            try
            {
                // The later rows its groups took are rejected with it too, if it cannot be billed.
                Bill(held.Period,
                    [.. held.InPeriod, .. held.Period.CarriedIn.Values.SelectMany(e => e).Where(held.Fed.Contains).Distinct()]);
            }
            finally
            {
                _ctx.States = states;
                _ctx.Period = period;
                _state.PendingEventLines.Clear();
                _state.PendingEventLines.AddRange(lines);
            }
        }

        /// <summary>A period whose groups still take events: what its invoice needs, and the groups' keys.</summary>
        private sealed record Held(PeriodRun Period, List<EventInstance> InPeriod, StateStore[] States, List<PendingEventLine> Lines,
            Dictionary<(string Key, TimeSpan Grace), HashSet<object?>> Keys, DateTimeOffset End)
        {
            public DateTimeOffset Release => End + Keys.Keys.Max(k => k.Grace);

            /// <summary>Events carried in that fed one of its groups: rejected with it if it cannot be billed.</summary>
            public HashSet<EventInstance> Fed { get; } = new();

            /// <summary>A billable event of the next period goes to the held period's group of its key, within its grace.</summary>
            public void Take(EventInstance e, PeriodRun next, Func<EventInstance, string, TimeSpan, PeriodRun, bool?> feeds)
            {
                foreach (var ((key, grace), keys) in Keys)
                {
                    if (e.Time >= End + grace || e.Event.Find(key) is not { } attribute || !keys.Contains(e.Values[attribute.Index]))
                        continue;
                    if (feeds(e, key, grace, Period) is not { } fed) continue;
                    if (fed) Fed.Add(e);
                    (Period.CarriedIn.TryGetValue((key, grace), out var taken) ? taken : Period.CarriedIn[(key, grace)] = new()).Add(e);
                    (next.CarriedOut.TryGetValue((key, grace), out var gone) ? gone : next.CarriedOut[(key, grace)] = new()).Add(e);
                }
            }
        }

        private void EnterMonth(PeriodRun period, DateOnly date)
        {
            var month = period.MonthOf(date);
            foreach (var store in _ctx.States) store.EnterMonth(month);
        }

        private int PeriodMonths()
        {
            var spec = _t.Period;
            if (spec.ChoiceSetting is null) return spec.Months;
            var value = _ctx.States[spec.ChoiceSetting.Index].Get("") as string;
            if (value is not null && spec.ChoiceMonths.TryGetValue(value, out var months)) return months;
            throw new RatingException(
                $"account '{_ctx.Account}': billing cycle '{value}' is not one of "
                + $"{string.Join(", ", spec.ChoiceMonths.Keys.Order(StringComparer.Ordinal))}", accountWide: true);
        }

        private List<(DateOnly Date, CheckedGrant Grant)> GrantTimes(DateOnly start, DateOnly last)
        {
            var times = new List<(DateOnly, CheckedGrant)>();
            var from = _t.EffectiveFrom ?? start;
            var until = new DateOnly(last.Year, last.Month, 1).AddMonths(_t.Period.ChoiceSetting is null ? _t.Period.Months : 12)
                .AddDays(-1);
            foreach (var grant in _t.Grants)
            {
                if (grant.Once is { } once)
                {
                    if (once >= from && once <= until) times.Add((once, grant));
                    continue;
                }
                for (var year = from.Year; year <= until.Year; year++)
                {
                    var date = new DateOnly(year, grant.Month, Math.Min(grant.Day, DateTime.DaysInMonth(year, grant.Month)));
                    if (date >= from && date <= until) times.Add((date, grant));
                }
            }
            return times.OrderBy(t => t.Item1).ThenBy(t => t.Item2.Index).ToList();
        }

        private void ApplyGrant((DateOnly Date, CheckedGrant Grant) due)
        {
            _ctx.Event = null;
            _ctx.Now = _engine._zone.StartOf(due.Date);
            OracleCredits.ExpireAll(_ctx, _ctx.Now);
            try
            {
                if (_ctx.Eval(due.Grant.Amount) is not decimal amount || amount <= 0) return;
                var store = _ctx.States[due.Grant.Wallet.Index];
                store.Set("", (store.Get("") as decimal? ?? 0m) + amount);
                store.Grants += amount;
                var item = store.GrantItems.FindIndex(g => g.Label == due.Grant.Label);
                if (item >= 0) store.GrantItems[item] = (due.Grant.Label, store.GrantItems[item].Amount + amount);
                else store.GrantItems.Add((due.Grant.Label, amount));
                if (store.Credits is not null) store.Credit(amount, OracleCredits.GoneAt(due.Grant.Lot, due.Date, _engine._zone),
                    due.Grant.Lot.Priority);
            }
            catch (Exception ex) when (ex is RatingException { AccountWide: false } or OverflowException)
            {
                throw new RatingException($"account '{_ctx.Account}', grant '{due.Grant.Label}' on {due.Date:yyyy-MM-dd}: {Describe(ex)}",
                    accountWide: true);
            }
        }

        /// <summary>Classifies an event and applies its effects. Returns true when it belongs to the period's rows.</summary>
        private bool Process(EventInstance e)
        {
            _ctx.Event = e;
            _ctx.Now = e.Time;
            // A rejected row leaves no trace: no per-event line, no state change, no window, not billable.
            var linesBefore = _state.PendingEventLines.Count;
            var billable = _ctx.Period!.Billable[e.Event.Index];
            var billableBefore = billable.Count;
            var windowsBefore = _t.Windows.Where(w => w.OpenedBy == e.Event)
                .Select(w => (Window: w, Key: EvalContext.KeyOf(e, w.KeyAttribute)))
                .Select(x => (x.Window, x.Key, Had: _ctx.Windows[x.Window.Index].TryGetValue(x.Key, out var opened), Opened: opened,
                    HadStart: _ctx.WindowStarts[x.Window.Index].TryGetValue(x.Key, out var start), Start: start))
                .ToList();
            foreach (var store in _ctx.States) store.BeginEvent();
            try
            {
                if (_engine._rater.Classify(_state, e) is { } rejection)
                {
                    Reject(e.Row, rejection);
                    Undo();
                    return false;
                }
                _engine._rater.Apply(_state, e);
                foreach (var store in _ctx.States) store.Commit();
                return true;
            }
            catch (Exception ex) when (ex is RatingException { AccountWide: false } or OverflowException)
            {
                Reject(e.Row, Describe(ex));
                Undo();
                return false;
            }
            finally
            {
                _ctx.Event = null;
            }

            void Undo()
            {
                _state.PendingEventLines.RemoveRange(linesBefore, _state.PendingEventLines.Count - linesBefore);
                billable.RemoveRange(billableBefore, billable.Count - billableBefore);
                foreach (var store in _ctx.States) store.Rollback();
                foreach (var (window, key, had, opened, hadStart, start) in windowsBefore)
                {
                    if (had) _ctx.Windows[window.Index][key] = opened;
                    else _ctx.Windows[window.Index].Remove(key);
                    if (hadStart) _ctx.WindowStarts[window.Index][key] = start;
                    else _ctx.WindowStarts[window.Index].Remove(key);
                }
            }
        }

        private void ClosePeriod(PeriodRun period, List<EventInstance> events)
        {
            var lines = new List<(int Order, InvoiceLine Line)>();
            var currency = _t.Currency;

            foreach (var group in _state.PendingEventLines.GroupBy(p => (p.Charge, p.Price)))
            {
                var quantity = group.Sum(p => p.Event.Quantity);
                var amount = Currencies.Round(quantity * group.Key.Price, currency);
                lines.Add((group.Key.Charge.Span.Start,
                    new InvoiceLine(group.Key.Charge.Label, quantity, group.Key.Charge.Unit, group.Key.Price, amount)));
            }
            _state.PendingEventLines.Clear();

            _ctx.Now = _engine._zone.StartOf(period.From);
            var claimed = new Dictionary<EventInstance, List<string>>();
            foreach (var charge in _t.AggregateCharges)
            {
                // A period longer than a month may straddle a version boundary: each version's charges bill the
                // months of the period that start inside it (period_months() counts those months).
                var months = MonthsWithin(period, charge.Validity);
                if (!months.Any(m => m)) continue;
                period.Cover(months);
                var label = Interpolate(charge.Label);
                InvoiceLine? line;
                var billedBefore = lines.Count;
                if (charge.Tiers is { } tiers)
                {
                    var quantity = _ctx.Eval(charge.Amount) as decimal? ?? 0m;
                    foreach (var band in OracleTiers.Bands(tiers, quantity, _ctx))
                    {
                        lines.Add((charge.Span.Start, new InvoiceLine(OracleTiers.Label(label, band), band.Units, charge.Unit, band.Price,
                            Currencies.Round(band.Amount, currency)) { Band = new InvoiceBand(band.From, band.To, band.Flat) }));
                    }
                    line = null;
                }
                else if (charge.GroupKey is { } groupKey)
                {
                    // The oracle's reading of a charge by KEY: every key value among the events its aggregates count.
                    var keys = new List<object?>();
                    foreach (var aggregate in charge.Aggregates.Where(a => a.GroupKey is not null))
                    {
                        var position = aggregate.Set.Event.Find(groupKey)!.Index;
                        foreach (var e in _ctx.PeriodEvents(aggregate.Set.Event, aggregate.GroupKey, aggregate.Grace))
                        {
                            _ctx.Event = e;
                            if (aggregate.Set.Conditions.All(c => RuntimeOps.IsTrue(_ctx.Eval(c))) && !keys.Contains(e.Values[position]))
                                keys.Add(e.Values[position]);
                        }
                        _ctx.Event = null;
                    }
                    var total = 0m;
                    foreach (var key in keys)
                    {
                        _ctx.Group = key;
                        total += _ctx.Eval(charge.Amount) as decimal? ?? 0m;
                    }
                    _ctx.Group = null;
                    line = keys.Count == 0 ? null
                        : new InvoiceLine(label, keys.Count, charge.Unit, null, Currencies.Round(total, currency));
                }
                else if (charge.Price is null)
                {
                    var amount = _ctx.Eval(charge.Amount) as decimal? ?? 0m;
                    line = amount == 0m ? null : new InvoiceLine(label, 1m, charge.Unit, amount, Currencies.Round(amount, currency));
                }
                else
                {
                    var quantity = _ctx.Eval(charge.Amount) as decimal? ?? 0m;
                    var price = _ctx.Eval(charge.Price) as decimal? ?? 0m;
                    var amount = Currencies.Round(quantity * price, currency);
                    line = quantity == 0m && amount == 0m ? null : new InvoiceLine(label, quantity, charge.Unit, price, amount);
                }
                if (line is not null) lines.Add((charge.Span.Start, line));
                var note = line is null && lines.Count == billedBefore ? " — nothing to bill this period" : "";
                foreach (var (e, contribution) in Claimed(charge, period))
                    (claimed.TryGetValue(e, out var list) ? list : claimed[e] = new()).Add($"{label} ({contribution}){note}");
            }

            foreach (var e in events)
            {
                // A row that fed the previous period's groups stays rejected if that period could not be billed.
                if (_outcomes.TryGetValue(e.Row.Row, out var earlier) && earlier.Kind == RowOutcomeKind.Rejected) continue;
                if (e.FreeReason is { } reason)
                {
                    _outcomes[e.Row.Row] = Outcome(e.Row, RowOutcomeKind.Free, reason);
                    continue;
                }
                var by = e.RatedBy.Concat(claimed.TryGetValue(e, out var labels) ? labels : []).Distinct().ToList();
                _outcomes[e.Row.Row] = by.Count > 0
                    ? Outcome(e.Row, RowOutcomeKind.Rated, string.Join("; ", by))
                    : Outcome(e.Row, RowOutcomeKind.Free, $"no charge applies to '{e.Event.Name}' events");
            }

            // The oracle's reading of groups, minimums, maximums and taxes: a line's group is its charge's (by label).
            var groupAt = new Dictionary<int, string>();
            foreach (var g in _t.Groups)
            {
                foreach (var c in _t.EventCharges.Where(c => g.Labels.Contains(c.Label))) groupAt[c.Span.Start] = g.Name;
                foreach (var c in _t.AggregateCharges.Where(c => g.Labels.Contains(c.Label))) groupAt[c.Span.Start] = g.Name;
            }
            string? GroupOf(int order) => groupAt.TryGetValue(order, out var name) ? name : null;
            period.Cover(Enumerable.Repeat(true, period.Months).ToArray());
            foreach (var limit in _t.Limits.Where(l => l.Group is not null).Concat(_t.Limits.Where(l => l.Group is null)))
            {
                var subtotal = lines.Where(l => limit.Group is null || GroupOf(l.Order) == limit.Group.Name).Sum(l => l.Line.Amount);
                var bound = _ctx.Eval(limit.Amount) as decimal?
                    ?? throw new RatingException(
                        $"account '{_ctx.Account}': {(limit.Minimum ? "minimum" : "maximum")} \"{limit.Label}\" is none");
                var difference = Currencies.Round(bound - subtotal, currency);
                if (limit.Minimum ? difference > 0m : difference < 0m)
                {
                    lines.Add((limit.Span.Start, new InvoiceLine(Interpolate(limit.Label), 1m, "", difference, difference)));
                    if (limit.Group is not null) groupAt[limit.Span.Start] = limit.Group.Name;
                }
            }
            ImmutableArray<InvoiceTax>? taxes = null;
            if (_t.Taxes.Length > 0)
            {
                var included = _t.TaxBasis == "including";
                var list = new List<InvoiceTax>();
                foreach (var tax in _t.Taxes)
                {
                    var rate = _ctx.Eval(tax.Rate) as decimal?
                        ?? throw new RatingException($"account '{_ctx.Account}': tax \"{tax.Label}\" has no rate");
                    // A rate from a contract is a fraction between 0 and 1, as a rate written in the tariff must be.
                    if (rate < 0m || rate > 1m)
                        throw new RatingException(
                            $"account '{_ctx.Account}': tax \"{tax.Label}\": a rate of {rate} is not between 0 and 1");
                    // A line takes its group's tax when its group has one, else the tax without a group.
                    var mine = lines.Where(l =>
                    {
                        var g = GroupOf(l.Order);
                        var groupTax = g is null ? null : _t.Taxes.FirstOrDefault(x => x.Group?.Name == g);
                        return groupTax is not null ? groupTax == tax : tax.Group is null;
                    }).Select(l => l.Line.Amount).ToList();
                    var factor = included ? rate / (1m + rate) : rate;
                    var amount = tax.PerLine ? mine.Sum(a => Currencies.Round(a * factor, currency))
                        : Currencies.Round(mine.Sum() * factor, currency);
                    list.Add(new InvoiceTax(tax.Label, rate, mine.Sum(), amount));
                }
                taxes = [.. list];
            }

            var ordered = lines.OrderBy(l => l.Order).Select(l => l.Line).ToImmutableArray();
            var wallets = _ctx.States.Where(s => s.Symbol.Kind == StateKind.Wallet)
                .Select(s => new WalletStatement(s.Symbol.Name, s.Symbol.UnitLabel, s.Opening, s.Grants, s.Purchases, s.Debits, s.Total())
                {
                    Expired = s.Credits is null ? null : s.Expired,
                    GrantItems = [.. s.GrantItems.Select(g => new WalletGrant(g.Label, g.Amount))],
                })
                .ToImmutableArray();
            string? plan = _t.Plans.Length > 0 ? _ctx.Plan.Name : null;
            Invoices.Add(new Invoice(_ctx.Account, new BillingPeriod(period.From, period.To), currency, plan, ordered,
                ordered.Sum(l => l.Amount), wallets) { Taxes = taxes, PricesIncludeTax = _t.TaxBasis == "including" });
        }

        /// <summary>
        /// The period's events that feed a charge, each with what it contributed: members of the event sets its
        /// aggregates read, and events that moved the states it reads.
        /// </summary>
        private Dictionary<EventInstance, string> Claimed(CheckedAggregateCharge charge, PeriodRun period)
        {
            var result = new Dictionary<EventInstance, string>();
            foreach (var aggregate in charge.Aggregates)
            {
                var given = aggregate.GroupKey is { } key && aggregate.Grace is { } grace
                    && period.CarriedOut.TryGetValue((key, grace), out var gone)
                    ? gone : null;
                foreach (var e in period.Events(aggregate.Set.Event.Index))
                {
                    _ctx.Event = e;
                    string contribution;
                    try
                    {
                        if (!aggregate.Set.Conditions.All(c => RuntimeOps.IsTrue(_ctx.Eval(c)))) continue;
                        contribution = aggregate.Kind switch
                        {
                            AggregateKind.Count => "counted",
                            AggregateKind.Sum =>
                                _ctx.Eval(aggregate.Value!) is decimal v ? "+" + Show(v * e.Quantity, aggregate.Type.Unit) : "adds nothing",
                            AggregateKind.Distinct => "distinct " + RuntimeOps.Show(_ctx.Eval(aggregate.Value!)),
                            _ => "value " + RuntimeOps.Show(_ctx.Eval(aggregate.Value!)),
                        };
                    }
                    catch (Exception ex) when (given is not null && given.Contains(e)
                        && ex is RatingException { AccountWide: false } or OverflowException)
                    {
                        // A row given to the held period's group is that period's to bill: a failure on it is that period's.
                        continue;
                    }
                    result[e] = result.TryGetValue(e, out var earlier) && earlier != contribution ? earlier + ", " + contribution
                        : contribution;
                }
            }
            _ctx.Event = null;
            var states = Dependencies.StateAggregates(charge.Amount)
                .Concat(charge.Price is null ? [] : Dependencies.StateAggregates(charge.Price))
                .Select(s => s.Index).ToHashSet();
            if (states.Count > 0)
            {
                // A change in an earlier month of the period carries into the months the charge covers.
                var lastCovered = Array.LastIndexOf(period.ChargeMonths, true);
                for (var kind = 0; kind < period.Billable.Length; kind++)
                {
                    foreach (var e in period.Billable[kind].Where(x => period.MonthOf(x.LocalDate) <= lastCovered))
                    {
                        var moved = e.ChangedStates.Where(states.Contains).Select(i => _t.States[i].Name).ToList();
                        if (moved.Count > 0) result.TryAdd(e, "changes " + string.Join(", ", moved));
                    }
                }
            }
            return result;
        }

        /// <summary>Which months of the period start inside the validity.</summary>
        private static bool[] MonthsWithin(PeriodRun period, Validity validity) =>
            Enumerable.Range(0, period.Months).Select(m => validity.Contains(period.From.AddMonths(m))).ToArray();

        private static string Show(decimal value, string? unit) =>
            value.ToString(CultureInfo.InvariantCulture) + (unit is null ? "" : " " + unit);

        /// <summary>Charge labels may name the plan: <c>"Plan {plan}"</c>.</summary>
        private string Interpolate(string label)
        {
            if (!label.Contains('{')) return label;
            if (_t.Plans.Length > 0)
            {
                label = label.Replace("{plan}", _ctx.Plan.Name).Replace("{plan.name}", _ctx.Plan.Title);
            }
            return label;
        }
    }
}
