using System.Collections.Immutable;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Rating;
using TariffLang.Runtime;

namespace TariffLang;

/// <summary>One usage event of one account, as a service receives it: its values as text, typed by the tariff.</summary>
/// <param name="Time">When it happened, with its UTC offset.</param>
/// <param name="Event">The event's name, as the tariff declares it.</param>
/// <param name="Attributes">Its attributes by name (absent = none).</param>
/// <param name="Quantity">How many units the row stands for (1 by default).</param>
/// <param name="Id">Its id: a repeated id is the same event sent twice, counted once.</param>
/// <param name="Row">The number outcomes are reported under (0: the next number after the last event fed).</param>
public sealed record UsageEvent(DateTimeOffset Time, string Event, IReadOnlyDictionary<string, string>? Attributes = null,
    decimal Quantity = 1m,
    string? Id = null, int Row = 0);

/// <summary>
/// The rating of one account, event by event, as a service hosts it: feed its events in time order and each one's outcome
/// comes back at once; its billing periods close as time moves on (or when asked), each into an invoice; its whole
/// rating state can be saved as a snapshot and restored, in this process or another, to go on exactly where it was.
/// The batch rating of a ledger rates every account with the same rater.
/// </summary>
public sealed class AccountRating
{
    private readonly CompiledTariff _tariff;
    private readonly AccountRater _rater;
    private readonly EventBinder _binder;
    private readonly Outcomes _outcomes = new();
    private readonly Dictionary<string, (int Row, UInt128 Content)> _ids = new(StringComparer.Ordinal);
    private readonly Value[] _slots;
    private int _lastRow;

    internal AccountRating(CompiledTariff tariff, string account, IReadOnlyDictionary<string, string> contract)
    {
        _tariff = tariff;
        _binder = new EventBinder(tariff.Model!, tariff.Plan!.Zone);
        _slots = new Value[Math.Max(1, _binder.MaxAttributes)];
        _rater = new AccountRater(tariff.Plan!, tariff.Program!, account, contract, _outcomes);
    }

    /// <summary>The account being rated.</summary>
    public string Account => _rater.Account;

    /// <summary>Why the account cannot be rated any more (a missing contract value, a grant that cannot be computed), if so.</summary>
    public string? Failure { get; private set; }

    /// <summary>
    /// Rates one event and returns its outcome: rated, free (with the rule), or rejected (with the reason). An event earlier
    /// than the last one fed is rejected: an account's events are rated in time order.
    /// </summary>
    public RowOutcome Feed(UsageEvent usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var row = usage.Row > 0 ? usage.Row : _lastRow + 1;
        _lastRow = Math.Max(_lastRow, row);
        RowOutcome Rejected(string reason) => new(row, Account, usage.Event, usage.Time, RowOutcomeKind.Rejected, reason);
        if (Failure is { } failure) return Rejected(failure);
        var problem = _binder.CheckHead(usage.Time, usage.Event, out var kind, out var localDate);
        problem ??= _binder.BindAttributes(kind, usage.Attributes ?? ImmutableDictionary<string, string>.Empty, _slots, 0);
        // A row that is not a valid event claims no id (its corrected re-send is rated).
        if (problem is not null) return Rejected(problem);
        if (usage.Id is { } id)
        {
            var content = IdClaims.Content(kind, usage.Time, usage.Quantity, _slots, 0, _binder.AttributeCount(kind));
            // Event by event, the first copy is rated before any other is seen: a later copy with other content is the
            // conflict, rejected alone (a ledger rated whole rejects every copy of a conflicting id instead).
            if (_ids.TryGetValue(id, out var first))
            {
                return Rejected(first.Content == content
                    ? IdClaims.Duplicate(id, first.Row)
                    : $"conflicting id '{id}': row {first.Row} was rated with it and other content, so this row is not");
            }
            _ids[id] = (row, content);
        }
        if (usage.Time < _rater.LastTime)
            return Rejected(
                $"earlier than the account's last event ({_rater.LastTime:yyyy-MM-ddTHH:mm:sszzz}): an account's "
                + $"events are rated in time order");
        try
        {
            _rater.Feed(new EventInput(row, kind, usage.Time, localDate, usage.Quantity, _slots, 0));
        }
        catch (Exception ex) when (RatingException.IsRatingFailure(ex))
        {
            Failure = LedgerRater.AccountReason(Account, ex);
            return Rejected(Failure);
        }
        return _outcomes.Last! with { Account = Account, Event = usage.Event, Time = usage.Time };
    }

    /// <summary>
    /// Why <paramref name="usage"/> is not an event of the tariff (an unknown event, a missing or unreadable attribute),
    /// or null: the checks <see cref="Feed"/> makes before rating, without rating. Such an event claims no id.
    /// </summary>
    internal string? Problem(UsageEvent usage)
    {
        var problem = _binder.CheckHead(usage.Time, usage.Event, out var kind, out _);
        return problem ?? _binder.BindAttributes(kind, usage.Attributes ?? ImmutableDictionary<string, string>.Empty, _slots, 0);
    }

    /// <summary>
    /// The first day of a period that has ended but is held for the later events of its groups (<c>charge "L" by KEY whole
    /// within D</c>), if one is: its invoice comes when the grace has passed, or at <see cref="Finish"/>.
    /// </summary>
    internal DateOnly? HeldPeriod => _rater.Context.Held?.From;

    /// <summary>Bills a period held for its groups' later events now: none will come to this rating (its tariff version has
    /// ended).</summary>
    internal void BillHeld() => Guard(() => _rater.BillHeld());

    /// <summary>
    /// Closes every period that ends before <paramref name="date"/>: their invoices become available, except a period held
    /// for the later events of its groups until <paramref name="date"/> is past its grace.
    /// </summary>
    public void AdvanceTo(DateOnly date) => Guard(() => _rater.AdvanceTo(date));

    /// <summary>
    /// Closes the open period and every later one that starts on or before <paramref name="through"/>. An account without
    /// events yet is invoiced from <paramref name="contractStart"/> when given (its fees are due). The rating ends here.
    /// </summary>
    public void Finish(DateOnly? through = null, DateOnly? contractStart = null) => Guard(() => _rater.Finish(through, contractStart));

    /// <summary>
    /// The periods closed so far that could not be billed (their charges overflow, a value they need is missing): they have
    /// no invoice, the events fed in them should be taken as rejected with the reason, and the account goes on.
    /// </summary>
    public IReadOnlyList<RejectedPeriod> RejectedPeriods => _rater.RejectedPeriods;

    /// <summary>The invoices of the periods closed since the last call, in time order.</summary>
    public ImmutableArray<Invoice> TakeInvoices()
    {
        var invoices = _rater.Invoices.ToImmutableArray();
        _rater.Invoices.Clear();
        return invoices;
    }

    /// <summary>
    /// The account's rating state as bytes: its states, windows, open period and the ids it has seen. Restore it with
    /// <see cref="CompiledTariff.RestoreAccount"/>, for the same tariff and account.
    /// </summary>
    public byte[] Snapshot()
    {
        var w = new BlockWriter();
        var rater = _rater.Snapshot();
        w.VarUInt((ulong)rater.Length);
        w.Bytes(rater);
        w.VarUInt((ulong)_lastRow);
        w.VarUInt((ulong)_ids.Count);
        foreach (var (id, (row, content)) in _ids)
        {
            w.String(id);
            w.VarUInt((ulong)row);
            w.Int64((long)(ulong)(content >> 64));
            w.Int64((long)(ulong)content);
        }
        return w.ToArray();
    }

    internal void Restore(byte[] snapshot)
    {
        var r = new BlockReader(snapshot);
        _rater.Restore(r.ReadBytes(checked((int)r.VarUInt())));
        _lastRow = (int)r.VarUInt();
        _ids.Clear();
        for (var n = (int)r.VarUInt(); n > 0; n--)
        {
            var id = r.String();
            var row = (int)r.VarUInt();
            var high = (ulong)r.Int64();
            _ids[id] = (row, new UInt128(high, (ulong)r.Int64()));
        }
    }

    private void Guard(Action close)
    {
        if (Failure is not null) return;
        try
        {
            close();
        }
        catch (Exception ex) when (RatingException.IsRatingFailure(ex))
        {
            Failure = LedgerRater.AccountReason(Account, ex);
        }
    }

    private sealed class Outcomes : IRowOutcomes
    {
        public RowOutcome? Last { get; private set; }

        public void Rated(in EventInput e, string detail) => Last = new RowOutcome(e.Row, "", "", e.Time, RowOutcomeKind.Rated, detail);

        public void Free(in EventInput e, string reason) => Last = new RowOutcome(e.Row, "", "", e.Time, RowOutcomeKind.Free, reason);

        public void Rejected(in EventInput e, string reason) =>
            Last = new RowOutcome(e.Row, "", "", e.Time, RowOutcomeKind.Rejected, reason);
    }
}
