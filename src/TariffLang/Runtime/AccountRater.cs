using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using TariffLang.Invoicing;
using TariffLang.Semantics;
using TariffLang.Syntax;

namespace TariffLang.Runtime;

/// <summary>Where an account's rater reports what became of each of its rows.</summary>
internal interface IRowOutcomes
{
    /// <summary>The row fed a line. <paramref name="detail"/> says which (empty unless details are collected).</summary>
    void Rated(in EventInput e, string detail);

    /// <summary>The row fed lines, with its share of each (a rating that explains).</summary>
    void Rated(in EventInput e, string detail, ImmutableArray<LineShare> shares) => Rated(e, detail);

    void Free(in EventInput e, string reason);

    void Rejected(in EventInput e, string reason);
}

/// <summary>
/// The rating of one account: its events are fed in time order, its billing periods open and close as time moves on
/// (grants land on their days, settings change at a period's start), each period's aggregates are folded as its
/// events arrive, and each closed period becomes an invoice. Nothing is kept per event beyond the period's open state
/// (unless <see cref="RatingContext.Explaining"/>, which keeps the period's rows to say what rated each).
/// A problem that stops the account from being rated (a missing contract value, a grant that cannot be computed) is
/// thrown as an account-wide <see cref="RatingException"/>; a period whose invoice cannot be computed is listed in
/// <see cref="RejectedPeriods"/> and the account goes on.
/// </summary>
internal sealed class AccountRater
{
    /// <summary>Fifty years of monthly invoices: more is a mistyped date, not a history.</summary>
    public const int MaxPeriods = 600;

    private readonly RatingPlan _plan;
    private readonly RatingContext _ctx;
    private readonly IRowOutcomes _outcomes;
    private readonly GrantSchedule _grants;
    private List<Retained> _retained = new();
    private List<Retained> _heldRetained = new();
    // The rows that fed the held period's groups after its end: rejected with it if it cannot be billed.
    private readonly List<int> _heldRows = new();
    private DateTimeOffset _periodStart;
    private int _periods;
    private readonly bool _hasLots;

    public AccountRater(RatingPlan plan, RatingProgram program, string account, IReadOnlyDictionary<string, string> values,
        IRowOutcomes outcomes,
        bool explain = false)
    {
        _plan = plan;
        _ctx = new RatingContext(plan, program, account, values) { Explaining = explain };
        _outcomes = outcomes;
        _grants = new GrantSchedule(plan.Model);
        _hasLots = plan.Model.States.Any(s => s.TracksLots);
    }

    public string Account => _ctx.Account;

    public RatingContext Context => _ctx;

    /// <summary>Whether the account has a period open (its first event, or its contract, started it).</summary>
    public bool Started { get; private set; }

    /// <summary>The time of the last event fed: the next must not be earlier.</summary>
    public DateTimeOffset LastTime { get; private set; } = DateTimeOffset.MinValue;

    /// <summary>The account's invoices so far, one per closed period, in time order.</summary>
    public List<Invoice> Invoices { get; } = new();

    /// <summary>The closed periods that could not be billed (an overflow, a missing value), in time order.</summary>
    public List<RejectedPeriod> RejectedPeriods { get; } = new();

    /// <summary>Rates one event. Events must come in time order (ties in row order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Feed(in EventInput e)
    {
        if (e.Time < LastTime) throw new InvalidOperationException("events must be fed in time order");
        LastTime = e.Time;
        if (!Started) Start(e.LocalDate);
        if (_ctx.Held is not null && e.Time >= HeldRelease) CloseHeld();
        while (e.LocalDate > _ctx.Period.To) Advance();
        ApplyGrants(e.LocalDate);
        EnterMonth(e.LocalDate);
        Process(e);
    }

    /// <summary>Closes every period that ends before <paramref name="date"/> (nothing before the account's first event).</summary>
    public void AdvanceTo(DateOnly date)
    {
        if (!Started) return;
        if (_ctx.Held is not null && _plan.Zone.StartOf(date) >= HeldRelease) CloseHeld();
        while (date > _ctx.Period.To) Advance();
    }

    /// <summary>Bills the period held for its groups' later events now, if one is: none will come (a tariff version has ended).</summary>
    public void BillHeld()
    {
        if (_ctx.Held is not null) CloseHeld();
    }

    /// <summary>When the held period has taken every event it can (its longest grace has passed): it is billed then.</summary>
    private DateTimeOffset HeldRelease => _ctx.HeldEnd + _plan.LongestGrace!.Value;

    /// <summary>
    /// Closes the open period and every period after it that starts on or before <paramref name="lastDate"/>. An account
    /// without events starts at <paramref name="contractStart"/> when it has a contract (its fees are due), else has no invoice.
    /// </summary>
    public void Finish(DateOnly? lastDate, DateOnly? contractStart)
    {
        if (!Started)
        {
            if (contractStart is not { } start) return;
            Start(start);
        }
        while (true)
        {
            // Nothing comes after the last event: no period is held for groups that may go on.
            var next = _ctx.Period.To.AddDays(1);
            Close(final: true);
            if (lastDate is not { } last || next > last) break;
            Open(next);
        }
        Started = false;
    }

    // ---- snapshots ----------------------------------------------------------------------------------------------

    private const string SnapshotMark = "tarifflang-account-4";

    /// <summary>
    /// The account's rating state as bytes: restored into a rater for the same tariff (same layout) and account, it goes on
    /// exactly where this one is. Invoices already made are not part of it: they are results, taken from <see cref="Invoices"/>.
    /// </summary>
    public byte[] Snapshot()
    {
        if (_ctx.Explaining) throw new InvalidOperationException("a rater that keeps rows for explain cannot be snapshot");
        var w = new BlockWriter();
        w.String(SnapshotMark);
        w.String(_plan.Layout);
        w.String(_ctx.Account);
        w.Byte(Started ? (byte)1 : (byte)0);
        ValueCodec.Write(w, LastTime == DateTimeOffset.MinValue ? Value.None : Value.FromTime(LastTime));
        w.VarUInt((ulong)_periods);
        if (Started)
        {
            _grants.Save(w);
            _ctx.Save(w, periodOpen: true);
            w.VarUInt((ulong)_heldRows.Count);
            foreach (var row in _heldRows) w.VarInt(row);
        }
        return w.ToArray();
    }

    /// <summary>Puts a snapshot's state into this (new) rater. A snapshot of another tariff or account is refused.</summary>
    public void Restore(byte[] snapshot)
    {
        var r = new BlockReader(snapshot);
        if (r.String() != SnapshotMark) throw new InvalidDataException("not a TariffLang account snapshot");
        if (r.String() != _plan.Layout) throw new InvalidDataException("the snapshot was made with another tariff");
        if (r.String() != _ctx.Account) throw new InvalidDataException("the snapshot is of another account");
        Started = r.Byte() == 1;
        LastTime = ValueCodec.Read(r).TimeOrNull ?? DateTimeOffset.MinValue;
        _periods = (int)r.VarUInt();
        if (!Started) return;
        _grants.Load(r);
        _ctx.Load(r, periodOpen: true);
        _heldRows.Clear();
        for (var n = (int)r.VarUInt(); n > 0; n--) _heldRows.Add((int)r.VarInt());
        _periodStart = _plan.Zone.StartOf(_ctx.Period.From);
    }

    private void Start(DateOnly firstDate)
    {
        Started = true;
        for (var i = 0; i < _ctx.States.Length; i++)
        {
            var store = _ctx.States[i];
            store.Initial = _plan.InitialRoots[i] < 0
                ? (store.Symbol.Type.IsNumeric ? Value.FromNumber(0m) : Value.None)
                : _ctx.Program.Evaluate(_ctx, _plan.InitialRoots[i]);
        }
        var start = new DateOnly(firstDate.Year, firstDate.Month, 1);
        _grants.Begin(_plan.Model.EffectiveFrom ?? start);
        // Grants before the first period (from the effective date on) still count: they open its balance.
        while (_grants.Next is { } due && due.Date < start) ApplyGrant(_grants.Take());
        Open(start);
    }

    private void Open(DateOnly start)
    {
        if (++_periods > MaxPeriods)
            throw new RatingException(
                $"account '{_ctx.Account}': the ledger spans more than {MaxPeriods} billing periods (is a date mistyped?)",
                accountWide: true);
        foreach (var store in _ctx.States)
        {
            if (store.Symbol.ResetsEachPeriod) store.Values.Clear();
            foreach (var (key, value) in store.Pending) store.Set(key, value);
            store.Pending.Clear();
        }
        _ctx.Period.Open(_plan, start, PeriodMonths(), _periods);
        foreach (var store in _ctx.States) store.StartPeriod();
        _periodStart = _plan.Zone.StartOf(start);
    }

    private void Advance()
    {
        var next = _ctx.Period.To.AddDays(1);
        Close();
        Open(next);
    }

    private int PeriodMonths()
    {
        var spec = _plan.Model.Period;
        if (spec.ChoiceSetting is null) return spec.Months;
        var value = _ctx.States[spec.ChoiceSetting.Index].Get(Value.None).TextOrNull;
        if (value is not null && spec.ChoiceMonths.TryGetValue(value, out var months)) return months;
        throw new RatingException(
            $"account '{_ctx.Account}': billing cycle '{value}' is not one of "
            + $"{string.Join(", ", spec.ChoiceMonths.Keys.Order(StringComparer.Ordinal))}",
            accountWide: true);
    }

    private void EnterMonth(DateOnly date)
    {
        if (_ctx.States.Length == 0) return;
        var month = _ctx.Period.MonthOf(date);
        foreach (var store in _ctx.States) store.EnterMonth(month);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ApplyGrants(DateOnly through)
    {
        if (!_grants.Any) return;
        while (_grants.Next is { } due && due.Date <= through)
        {
            EnterMonth(due.Date);
            ApplyGrant(_grants.Take());
        }
    }

    private void ApplyGrant((DateOnly Date, CheckedGrant Grant) due)
    {
        _ctx.ClearEvent();
        _ctx.Now = _plan.Zone.StartOf(due.Date);
        if (_hasLots) _ctx.ExpireLots(_ctx.Now);
        try
        {
            var amount = _ctx.Program.Evaluate(_ctx, _plan.GrantRoots[due.Grant.Index]);
            if (amount.NumberOrNull is not { } a || a <= 0) return;
            _ctx.Grant(due.Grant.Wallet.Index, a, due.Grant.Label, due.Grant.Lot, due.Date);
        }
        catch (Exception ex) when (RatingException.IsEventFailure(ex))
        {
            throw new RatingException(
                $"account '{_ctx.Account}', grant '{due.Grant.Label}' on {due.Date:yyyy-MM-dd}: {RatingException.Describe(ex)}",
                accountWide: true);
        }
    }

    /// <summary>Classifies an event, applies its effects, folds it into the period's aggregates and reports its outcome.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Process(in EventInput e)
    {
        var period = _ctx.Period;
        var month = period.MonthOf(e.LocalDate);
        // Credits that expired before the event are gone before it is rated (and no rejection brings them back).
        if (_hasLots) _ctx.ExpireLots(e.Time);
        _ctx.SetEvent(e, month);
        _ctx.Now = e.Time;
        var program = _ctx.Program;
        // A rejected row leaves no trace: no per-event line, no state change, no window, no aggregate.
        _ctx.BeginEvent();
        try
        {
            if (program.Classify(_ctx) is { } rejection)
            {
                _ctx.Rollback();
                _ctx.ClearEvent();
                _outcomes.Rejected(e, rejection);
                return;
            }
            program.Apply(_ctx);
            _ctx.Commit();
        }
        catch (Exception ex) when (RatingException.IsEventFailure(ex))
        {
            _ctx.Rollback();
            _ctx.ClearEvent();
            _outcomes.Rejected(e, RatingException.Describe(ex));
            return;
        }
        if (_ctx.FreeRule is { } free)
        {
            _ctx.ClearEvent();
            _outcomes.Free(e, free.Reason);
            return;
        }

        // The event is billable: the period's aggregates see it. They are read at the period's close, so they are
        // evaluated as of then; a failure is kept for the close (where the old walk over the events would have met it).
        _ctx.Now = _periodStart;
        var aggregates = _plan.Pipelines[e.Kind].Aggregates;
        var fedHeld = false;
        foreach (var a in aggregates)
        {
            // An event of a group the held period started (charge by KEY whole within D) is billed with that period.
            var held = _ctx.InHeldGroup(a);
            var into = held ? _ctx.Held! : period;
            var at = held ? into.Months - 1 : month;
            var accumulator = into.Accumulators[a];
            if (accumulator.Faulted(at)) continue;
            _ctx.FoldingHeld = held;
            // As of the close of the period it is billed in: the held period's start, like the rest of its invoice.
            _ctx.Now = held ? _plan.Zone.StartOf(into.From) : _periodStart;
            var matchedBefore = _ctx.MatchedCount;
            try
            {
                program.Fold(_ctx, a);
            }
            catch (Exception ex) when (RatingException.IsRatingFailure(ex))
            {
                accumulator.Fault(at, ex);
            }
            fedHeld |= held && _ctx.MatchedCount > matchedBefore;
        }
        _ctx.FoldingHeld = false;
        _ctx.Now = _periodStart;
        if (fedHeld) _heldRows.Add(e.Row);
        if (_ctx.Explaining)
        {
            var retained = new Retained(e with { Slots = [], SlotBase = 0 }, month, _ctx.Details?.ToList() ?? [], ChangedStates());
            retained.Take(_ctx, held: false);
            _retained.Add(retained);
            if (fedHeld)
            {
                // What the row gave the held period's groups is claimed at that period's close, then reported with the row.
                var part = new Retained(retained.Event, _ctx.Held!.Months - 1, [], []) { Forward = retained };
                part.Take(_ctx, held: true);
                _heldRetained.Add(part);
            }
        }
        else if (_ctx.RatedByEvent || fedHeld || Claimed(month))
        {
            _outcomes.Rated(e, "");
        }
        else
        {
            _outcomes.Free(e, NoCharge(e.Kind));
        }
        _ctx.ClearEvent();
    }

    private string NoCharge(int kind) => $"no charge applies to '{_plan.Model.Events[kind].Name}' events";

    private int[] ChangedStates()
    {
        var changed = new List<int>();
        for (var s = 0; s < _ctx.States.Length; s++)
        {
            if (_ctx.StateChanged(s)) changed.Add(s);
        }
        return changed.ToArray();
    }

    /// <summary>
    /// Whether a period charge rates the event in hand: it belongs to an aggregate the charge reads in a month the
    /// charge covers, or it moved a state the charge reads (peak, level) in or before the months it covers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Claimed(int month)
    {
        var period = _ctx.Period;
        var matched = _ctx.Matched;
        for (var i = 0; i < _ctx.MatchedCount; i++)
        {
            if (period.AggregateClaims[matched[i]][month]) return true;
        }
        if (_ctx.ChangedStates == 0 && _ctx.ChangedStatesMore is not { Count: > 0 }) return false;
        for (var s = 0; s < _ctx.States.Length; s++)
        {
            if (_ctx.StateChanged(s) && month <= period.StateClaimLast[s]) return true;
        }
        return false;
    }

    /// <summary>
    /// Ends the open period and bills it, unless groups it started may still take events (<paramref name="final"/> says
    /// none will come): then it is held, with the states of its end, and billed when its grace has passed.
    /// </summary>
    private void Close(bool final = false)
    {
        if (_ctx.Held is not null) CloseHeld();
        var period = _ctx.Period;
        ApplyGrants(period.To);
        var end = _plan.Zone.StartOf(period.To.AddDays(1));
        // A credit that expires by the start of the next period is not carried into it.
        if (_hasLots) _ctx.ExpireLots(end);
        foreach (var store in _ctx.States) store.EndPeriod(period.Months);
        if (!final && StartedGroups(period))
        {
            _ctx.Hold(end);
            (_retained, _heldRetained) = (_heldRetained, _retained);
            return;
        }
        Bill();
    }

    /// <summary>Whether the period has groups of a charge by KEY whole within D, which may take events after its end.</summary>
    private bool StartedGroups(PeriodState period)
    {
        if (_plan.LongestGrace is null) return false;
        foreach (var a in _plan.Aggregates)
        {
            if (a.Aggregate.Grace is not null && period.GroupOrder[a.Index]!.Count > 0) return true;
        }
        return false;
    }

    /// <summary>Bills the held period, with the states of its end, then puts the running period back.</summary>
    private void CloseHeld()
    {
        _ctx.EnterHeld();
        var running = _periodStart;
        _periodStart = _plan.Zone.StartOf(_ctx.Period.From);
        (_retained, _heldRetained) = (_heldRetained, _retained);
        try
        {
            Bill([.. _heldRows]);
        }
        finally
        {
            (_retained, _heldRetained) = (_heldRetained, _retained);
            _heldRetained.Clear();
            _heldRows.Clear();
            _periodStart = running;
            _ctx.ReleaseHeld();
        }
    }

    /// <summary>Makes the period's invoice, or rejects the period (its rows, and <paramref name="laterRows"/> that fed its
    /// groups).</summary>
    private void Bill(ImmutableArray<int> laterRows = default)
    {
        var period = _ctx.Period;
        try
        {
            Invoices.Add(BuildInvoice());
        }
        catch (Exception ex) when (RatingException.IsEventFailure(ex))
        {
            // Building the invoice reads the period's states and aggregates but changes none of what later periods start
            // from, so one period that cannot be billed is rejected alone: the caller rejects its rows with the reason.
            _retained.Clear();
            RejectedPeriods.Add(new RejectedPeriod(_ctx.Account, new BillingPeriod(period.From, period.To),
                $"account '{_ctx.Account}', period {period.From:yyyy-MM-dd} to {period.To:yyyy-MM-dd}: {RatingException.Describe(ex)}")
            {
                LaterRows = laterRows.IsDefault ? [] : laterRows,
            });
        }
    }

    private Invoice BuildInvoice()
    {
        var period = _ctx.Period;
        var model = _plan.Model;
        var currency = model.Currency;
        var lines = new List<(int Order, InvoiceLine Line)>();
        var explaining = _ctx.Explaining;
        for (var g = 0; g < period.EventLines.Count; g++)
        {
            var group = period.EventLines[g];
            var charge = model.EventCharges[group.Charge];
            var exact = group.Quantity * group.Price;
            var amount = Currencies.Round(exact, currency);
            lines.Add((charge.Span.Start, new InvoiceLine(charge.Label, group.Quantity, charge.Unit, group.Price, amount)
            {
                Unrounded = explaining ? exact : null,
            }));
            if (explaining) ShareEventLine(g, charge.Label, amount, currency);
        }

        _ctx.ClearEvent();
        _ctx.Now = _periodStart;
        var claimed = _ctx.Explaining ? new Dictionary<int, List<string>>() : null;
        foreach (var charge in _plan.Charges)
        {
            // A period longer than a month may straddle a version boundary: each version's charges bill the months of
            // the period that start inside it (period_months() counts those months).
            if (period.ChargeMonths[charge.Index] is not { } months) continue;
            period.Cover(months);
            var label = Interpolate(charge.Charge.Label);
            InvoiceLine? line;
            var billedBefore = lines.Count;
            if (charge.Charge.Tiers is { } tiers)
            {
                var quantity = _ctx.Program.Evaluate(_ctx, charge.AmountRoot).NumberOrNull ?? 0m;
                AddTierLines(lines, charge.Charge, tiers, label, quantity, currency);
                line = null;
            }
            else if (charge.Charge.GroupKey is not null)
            {
                var (groups, amount) = EvaluateGroups(charge);
                line = groups == 0 ? null : new InvoiceLine(label, groups, charge.Charge.Unit, null, Currencies.Round(amount, currency))
                {
                    Unrounded = explaining ? amount : null,
                };
            }
            else if (charge.PriceRoot is not { } priceRoot)
            {
                var amount = _ctx.Program.Evaluate(_ctx, charge.AmountRoot).NumberOrNull ?? 0m;
                line = amount == 0m ? null : new InvoiceLine(label, 1m, charge.Charge.Unit, amount, Currencies.Round(amount, currency))
                {
                    Unrounded = explaining ? amount : null,
                };
            }
            else
            {
                var quantity = _ctx.Program.Evaluate(_ctx, charge.AmountRoot).NumberOrNull ?? 0m;
                var price = _ctx.Program.Evaluate(_ctx, priceRoot).NumberOrNull ?? 0m;
                var amount = Currencies.Round(quantity * price, currency);
                line = quantity == 0m && amount == 0m ? null : new InvoiceLine(label, quantity, charge.Charge.Unit, price, amount)
                {
                    Unrounded = explaining ? quantity * price : null,
                };
            }
            if (line is not null) lines.Add((charge.Charge.Span.Start, line));
            // Saying which rows a charge rates reads its aggregates' events: a failure among them fails the close too.
            foreach (var a in charge.Aggregates) period.Accumulators[a].ThrowIfFaulted(months);
            if (claimed is not null)
            {
                var note = line is null && lines.Count == billedBefore ? " — nothing to bill this period" : "";
                var (rows, weights) = Claim(charge, months, label + " (", note, claimed);
                // The charge's amount (all its lines: a tiered charge's bands together) divided among the rows that fed it.
                var billed = 0m;
                for (var i = billedBefore; i < lines.Count; i++) billed += lines[i].Line.Amount;
                if (lines.Count > billedBefore) Share(rows, weights, label, billed, currency);
            }
        }
        if (claimed is not null) ReportRetained(claimed);

        period.Cover(new MonthRange(0, period.Months - 1));
        AddLimitLines(lines, currency);
        var taxes = _plan.Model.Taxes.Length == 0 ? (ImmutableArray<InvoiceTax>?)null : Taxes(lines, currency);
        var ordered = lines.OrderBy(l => l.Order).Select(l => l.Line).ToImmutableArray();
        var wallets = ImmutableArray.CreateBuilder<WalletStatement>();
        foreach (var s in _ctx.States)
        {
            if (s.Symbol.Kind == StateKind.Wallet)
                wallets.Add(new WalletStatement(s.Symbol.Name, s.Symbol.UnitLabel, s.Opening, s.Grants, s.Purchases, s.Debits, s.Total())
                {
                    Expired = s.Lots is null ? null : s.Expired,
                    GrantItems = [.. s.GrantItems.Select(g => new WalletGrant(g.Label, g.Amount))],
                });
        }
        var total = 0m;
        foreach (var l in ordered) total += l.Amount;
        string? plan = model.Plans.Length > 0 ? _ctx.ChosenPlan.Name : null;
        return new Invoice(_ctx.Account, new BillingPeriod(period.From, period.To), currency, plan, ordered, total, wallets.ToImmutable())
        {
            Taxes = taxes,
            PricesIncludeTax = model.TaxBasis == "including",
        };
    }

    private int GroupOf(int order) => _plan.GroupAt.TryGetValue(order, out var group) ? group : -1;

    /// <summary>
    /// Minimums and maximums, after every charge: the groups' (in the order written), then the invoice's. A subtotal below
    /// a minimum gets a true-up line for the difference, one above a maximum a negative line; each line joins the group.
    /// </summary>
    private void AddLimitLines(List<(int Order, InvoiceLine Line)> lines, string currency)
    {
        var limits = _plan.Model.Limits;
        if (limits.Length == 0) return;
        foreach (var invoiceLevel in (ReadOnlySpan<bool>)[false, true])
        {
            foreach (var limit in limits)
            {
                if ((limit.Group is null) != invoiceLevel) continue;
                var subtotal = 0m;
                foreach (var (order, line) in lines)
                {
                    if (invoiceLevel || GroupOf(order) == limit.Group!.Index) subtotal += line.Amount;
                }
                var bound = _ctx.Program.Evaluate(_ctx, _plan.LimitRoots[limit.Index]).NumberOrNull
                    ?? throw new RatingException(
                        $"account '{_ctx.Account}': {(limit.Minimum ? "minimum" : "maximum")} \"{limit.Label}\" is none");
                var adjustment = Currencies.Round(limit.Minimum ? bound - subtotal : bound - subtotal, currency);
                if (limit.Minimum ? adjustment <= 0m : adjustment >= 0m) continue;
                lines.Add((limit.Span.Start, new InvoiceLine(Interpolate(limit.Label), 1m, "", adjustment, adjustment)));
            }
        }
    }

    /// <summary>
    /// Each tax on the lines of its group, the tariff's tax without a group on every other line. Rounded per line or on the
    /// tax's base, as the tariff says; with prices that include tax, the tax is the part rate / (1 + rate) of the amount.
    /// </summary>
    private ImmutableArray<InvoiceTax> Taxes(List<(int Order, InvoiceLine Line)> lines, string currency)
    {
        var model = _plan.Model;
        var included = model.TaxBasis == "including";
        var result = ImmutableArray.CreateBuilder<InvoiceTax>(model.Taxes.Length);
        var byGroup = new Dictionary<int, int>();
        foreach (var tax in model.Taxes) byGroup[tax.Group?.Index ?? -1] = tax.Index;
        foreach (var tax in model.Taxes)
        {
            var rate = _ctx.Program.Evaluate(_ctx, _plan.TaxRoots[tax.Index]).NumberOrNull
                ?? throw new RatingException($"account '{_ctx.Account}': tax \"{tax.Label}\" has no rate");
            if (rate is < 0m or > 1m) throw new RatingException(
                $"account '{_ctx.Account}': tax \"{tax.Label}\": a rate of {rate} is not between 0 and 1");
            var share = included ? rate / (1m + rate) : rate;
            decimal taxBase = 0m, perLine = 0m;
            foreach (var (order, line) in lines)
            {
                var group = GroupOf(order);
                var applies = byGroup.TryGetValue(group, out var own) ? own == tax.Index : tax.Group is null;
                if (!applies) continue;
                taxBase += line.Amount;
                perLine += Currencies.Round(line.Amount * share, currency);
            }
            result.Add(new InvoiceTax(tax.Label, rate, taxBase, tax.PerLine ? perLine : Currencies.Round(taxBase * share, currency)));
        }
        return result.MoveToImmutable();
    }

    /// <summary>
    /// A tiered charge: one line per band the quantity reaches (graduated), or one line for the band it falls in (volume),
    /// each rounded on its own and showing its band.
    /// </summary>
    private void AddTierLines(List<(int Order, InvoiceLine Line)> lines, CheckedAggregateCharge charge, TiersSymbol tiers, string label,
        decimal quantity, string currency)
    {
        var table = _ctx.Tiers(tiers.Index);
        for (var band = 0; band < table.Bands; band++)
        {
            if (table.Use(band, quantity) is not { } use) continue;
            lines.Add((charge.Span.Start, new InvoiceLine(TierLabel(label, use), use.Units, charge.Unit, use.Price,
                Currencies.Round(use.Amount, currency))
            {
                Band = new InvoiceBand(use.From, use.To, use.Flat),
                Unrounded = _ctx.Explaining ? use.Amount : null,
            }));
        }
    }

    /// <summary>"SMS (up to 1000)", "SMS (1000 to 10000)", "SMS (above 10000)": the band in the line's label.</summary>
    internal static string TierLabel(string label, TierBandUse use) =>
        label + " (" + (use.To is not { } to
            ? "above " + InvoiceJsonWriter.FormatDecimal(use.From)
            : use.From == 0m ? "up to " + InvoiceJsonWriter.FormatDecimal(to)
            : InvoiceJsonWriter.FormatDecimal(use.From) + " to " + InvoiceJsonWriter.FormatDecimal(to)) + ")";

    /// <summary>
    /// A charge by KEY: its amount computed for each group its aggregates saw (in order of arrival, the first aggregate's
    /// groups first), then summed. Returns how many groups there were and the unrounded total.
    /// </summary>
    private (int Groups, decimal Amount) EvaluateGroups(ChargePlan charge)
    {
        var period = _ctx.Period;
        var seen = new KeyMap<bool>();
        var groups = 0;
        var total = 0m;
        try
        {
            foreach (var a in charge.Aggregates)
            {
                if (period.GroupOrder[a] is not { } order) continue;
                foreach (var key in order)
                {
                    ref var done = ref seen.GetValueRefOrAddDefault(key, out _);
                    if (done) continue;
                    done = true;
                    // A group none of whose events fell in the months the charge covers (a version's) is not billed there.
                    if (!SeenInCovered(charge, key)) continue;
                    period.CurrentGroup = key;
                    total += _ctx.Program.Evaluate(_ctx, charge.AmountRoot).NumberOrNull ?? 0m;
                    groups++;
                }
            }
        }
        finally
        {
            period.CurrentGroup = Value.None;
        }
        return (groups, total);
    }

    private bool SeenInCovered(ChargePlan charge, in Value key)
    {
        var period = _ctx.Period;
        foreach (var a in charge.Aggregates)
        {
            if (period.Groups[a] is { } groups && groups.TryGetValue(key, out var accumulator) && accumulator.SeenIn(period.Covered))
                return true;
        }
        return false;
    }

    /// <summary>Charge labels may name the plan: <c>"Plan {plan}"</c>.</summary>
    private string Interpolate(string label)
    {
        if (!label.Contains('{')) return label;
        if (_plan.Model.Plans.Length > 0)
            label = label.Replace("{plan}", _ctx.ChosenPlan.Name).Replace("{plan.name}", _ctx.ChosenPlan.Title);
        return label;
    }

    // ---- explain: what rated each row of the period ------------------------------------------------------------

    private sealed record Retained(EventInput Event, int Month, List<string> RatedBy, int[] Changed)
    {
        /// <summary>The aggregates the row fed here, what it contributed to each and its weight in each (by position).</summary>
        public int[] Matched { get; private set; } = [];

        public List<string> Contributions { get; } = new();

        public decimal[] Weights { get; private set; } = [];

        public (int Group, decimal Amount)[] EventAmounts { get; private set; } = [];

        public List<LineShare>? Shares { get; set; }

        /// <summary>For what a row gave the held period's groups: the row's own entry, which reports what this one is claimed by.</summary>
        public Retained? Forward { get; init; }

        /// <summary>
        /// Takes the event in hand's matched aggregates, contributions and weights: those it folded into the held period
        /// or the others; per-event amounts go with the row's own entry.
        /// </summary>
        public void Take(RatingContext ctx, bool held)
        {
            var matched = new List<int>();
            var weights = new List<decimal>();
            for (var i = 0; i < ctx.MatchedCount; i++)
            {
                if (ctx.InHeldGroup(ctx.Matched[i]) != held) continue;
                matched.Add(ctx.Matched[i]);
                Contributions.Add(ctx.Contributions?[i] ?? "");
                weights.Add(ctx.Weights?[i] ?? 0m);
            }
            Matched = [.. matched];
            Weights = [.. weights];
            if (!held) EventAmounts = ctx.EventAmounts?.ToArray() ?? [];
        }
    }

    /// <summary>For one charge, what each retained row contributed: its aggregates' contributions, or the states it moved.</summary>
    /// <summary>
    /// The retained rows that fed a period charge: what each added, for explain, and its weight in the charge's amount:
    /// what it is of the charge's aggregates, or 1 for a row that only changed a state the charge reads.
    /// </summary>
    private (List<int> Rows, List<decimal> Weights) Claim(ChargePlan charge, MonthRange months, string prefix, string note,
        Dictionary<int, List<string>> claimed)
    {
        var rows = new List<int>();
        var weights = new List<decimal>();
        for (var r = 0; r < _retained.Count; r++)
        {
            var row = _retained[r];
            string? contribution = null;
            var weight = 0m;
            if (months.Contains(row.Month))
            {
                foreach (var aggregate in charge.Charge.Aggregates)
                {
                    var at = Array.IndexOf(row.Matched, _plan.AggregateIndex(aggregate));
                    if (at < 0) continue;
                    var text = row.Contributions[at];
                    contribution = contribution is not null && contribution != text ? contribution + ", " + text : text;
                    weight += row.Weights[at];
                }
            }
            if (contribution is null && charge.States.Length > 0 && row.Month <= months.Last)
            {
                var moved = row.Changed.Where(charge.States.Contains).Select(s => _plan.Model.States[s].Name).ToList();
                if (moved.Count > 0) (contribution, weight) = ("changes " + string.Join(", ", moved), 1m);
            }
            if (contribution is null) continue;
            if (!claimed.TryGetValue(r, out var list)) claimed[r] = list = new List<string>();
            list.Add(prefix + contribution + ")" + note);
            rows.Add(r);
            weights.Add(weight);
        }
        return (rows, weights);
    }

    /// <summary>A per-event line's amount divided among its rows in proportion to each row's own amount.</summary>
    private void ShareEventLine(int group, string label, decimal amount, string currency)
    {
        var rows = new List<int>();
        var weights = new List<decimal>();
        for (var r = 0; r < _retained.Count; r++)
        {
            var weight = 0m;
            var fed = false;
            foreach (var (g, exact) in _retained[r].EventAmounts)
            {
                if (g != group) continue;
                weight += exact;
                fed = true;
            }
            if (!fed) continue;
            rows.Add(r);
            weights.Add(weight);
        }
        Share(rows, weights, label, amount, currency);
    }

    private void Share(List<int> rows, List<decimal> weights, string label, decimal amount, string currency)
    {
        if (rows.Count == 0) return;
        var shares = Currencies.Divide(amount, weights, currency);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = _retained[rows[i]];
            (row.Shares ??= new List<LineShare>()).Add(new LineShare(_ctx.Period.From, label, shares[i], amount));
        }
    }

    private void ReportRetained(Dictionary<int, List<string>> claimed)
    {
        for (var r = 0; r < _retained.Count; r++)
        {
            var row = _retained[r];
            if (row.Forward is { } own)
            {
                // The row's own period is later: say which period billed its group.
                if (claimed.TryGetValue(r, out var held)) own.RatedBy.AddRange(
                    held.Select(h => $"{h} — billed in the period from {_ctx.Period.From:yyyy-MM-dd}"));
                if (row.Shares is { } heldShares) (own.Shares ??= new List<LineShare>()).AddRange(heldShares);
                continue;
            }
            var by = row.RatedBy.Concat(claimed.TryGetValue(r, out var labels) ? labels : []).Distinct().ToList();
            if (by.Count > 0) _outcomes.Rated(row.Event, string.Join("; ", by), row.Shares is { } shares ? [.. shares] : []);
            else _outcomes.Free(row.Event, NoCharge(row.Event.Kind));
        }
        _retained.Clear();
    }
}

/// <summary>The days grants land on, from the effective date (or the account's first period) on, in order.</summary>
internal sealed class GrantSchedule(CheckedTariff tariff)
{
    private readonly List<(DateOnly Date, CheckedGrant Grant)> _due = new();
    private readonly bool _hasYearly = tariff.Grants.Any(g => g.Once is null);

    /// <summary>Whether the tariff has grants at all (most have none: then nothing is looked up per event).</summary>
    public bool Any { get; } = tariff.Grants.Length > 0;
    private DateOnly _from;
    private int _nextYear;

    public void Begin(DateOnly from)
    {
        _from = from;
        _nextYear = from.Year;
        _due.Clear();
        foreach (var grant in tariff.Grants)
        {
            if (grant.Once is { } once && once >= from) _due.Add((once, grant));
        }
        Sort();
    }

    /// <summary>The next grant due, without taking it.</summary>
    public (DateOnly Date, CheckedGrant Grant)? Next
    {
        get
        {
            // Yearly grants are laid out a year at a time, always a year ahead of the earliest one pending.
            while (_hasYearly && _nextYear < DateOnly.MaxValue.Year && (_due.Count == 0 || _due[0].Date.Year >= _nextYear))
            {
                foreach (var grant in tariff.Grants)
                {
                    if (grant.Once is not null) continue;
                    var date = new DateOnly(_nextYear, grant.Month, Math.Min(grant.Day, DateTime.DaysInMonth(_nextYear, grant.Month)));
                    if (date >= _from) _due.Add((date, grant));
                }
                _nextYear++;
                Sort();
            }
            return _due.Count > 0 ? _due[0] : null;
        }
    }

    public (DateOnly Date, CheckedGrant Grant) Take()
    {
        var next = Next ?? throw new InvalidOperationException("no grant is due");
        _due.RemoveAt(0);
        return next;
    }

    public void Save(BlockWriter w)
    {
        w.VarUInt((ulong)_from.DayNumber);
        w.VarInt(_nextYear);
        w.VarUInt((ulong)_due.Count);
        foreach (var (date, grant) in _due)
        {
            w.VarUInt((ulong)date.DayNumber);
            w.VarUInt((ulong)grant.Index);
        }
    }

    public void Load(BlockReader r)
    {
        _from = DateOnly.FromDayNumber((int)r.VarUInt());
        _nextYear = (int)r.VarInt();
        _due.Clear();
        for (var n = (int)r.VarUInt(); n > 0; n--) _due.Add((DateOnly.FromDayNumber((int)r.VarUInt()), tariff.Grants[(int)r.VarUInt()]));
    }

    private void Sort() => _due.Sort((a, b) => a.Date != b.Date ? a.Date.CompareTo(b.Date) : a.Grant.Index.CompareTo(b.Grant.Index));
}
