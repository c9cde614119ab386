using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TariffLang.Invoicing;

namespace TariffLang.Service.Grains;

/// <summary>
/// One account's rating. The grain keeps its persisted state (<see cref="AccountGrainState"/>) and, in memory, the live
/// rating: the state after the last closed month with the open months' events fed in time order. An event that comes
/// after every event fed is fed at once; one that comes earlier (a late event) is put in its place and the open months
/// are rated again from the last closed month, so the invoices are those of the events in time order, whatever order
/// they arrived in. Events of the same instant are taken in the order of their ids (then of arrival).
/// </summary>
internal sealed class AccountGrain(
    [PersistentState("account", ServiceSetup.StorageName)] IPersistentState<AccountGrainState> store,
    ServiceTariff host) : Grain, IAccountGrain
{
    private AccountRating? _live;
    private readonly List<Invoice> _liveInvoices = new();
    private readonly Dictionary<int, RowOutcome> _outcomes = new();
    private StoredEvent? _lastFed;

    private string Account => this.GetPrimaryKeyString();

    private AccountGrainState State => store.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Rebuild();
        return Task.CompletedTask;
    }

    public async Task<EventAnswer[]> Ingest(EventMessage[] events)
    {
        var answers = new EventAnswer[events.Length];
        var pending = new List<(int Index, StoredEvent Event, string Content)>();
        var batchIds = new Dictionary<string, (int Index, string Content)>(StringComparer.Ordinal);
        var repeats = new List<(int Index, int First, bool Same)>();
        foreach (var (m, i) in events.Select((m, i) => (m, i)))
        {
            var content = Content(m);
            // Not an event of the tariff: answered, not kept, and its id stays free for the corrected event.
            if ((_live ?? Start())?.Problem(new UsageEvent(m.Time, m.Event, m.Attributes, m.Quantity)) is { } problem)
            {
                answers[i] = new EventAnswer { Outcome = "rejected", Reason = problem };
                continue;
            }
            if (m.Id is { } id)
            {
                if (State.Ids.TryGetValue(id, out var seen))
                {
                    answers[i] = seen.Content == content ? Repeat(seen.Answer) : Conflict(id);
                    continue;
                }
                if (batchIds.TryGetValue(id, out var first))
                {
                    repeats.Add((i, first.Index, first.Content == content));
                    continue;
                }
                batchIds[id] = (i, content);
            }
            var month = host.Tariff.LocalDate(m.Time).ToString("yyyy-MM", CultureInfo.InvariantCulture);
            if (State.ClosedThrough is { } closed && string.CompareOrdinal(month, closed) <= 0)
            {
                // Not kept and not claiming its id: a closed month's invoice is final (a correction is a new event).
                answers[i] = new EventAnswer
                {
                    Outcome = "rejected",
                    Reason = $"the month {month} is closed (closed through {closed}): its invoice is final",
                };
                continue;
            }
            pending.Add((i, new StoredEvent { Seq = ++State.LastSeq, Message = m, Month = month }, content));
        }

        if (pending.Count > 0)
        {
            State.Open.AddRange(pending.Select(p => p.Event));
            var ordered = pending.Select(p => p.Event).OrderBy(e => e, EventOrder.Instance).ToList();
            if (_live is not null && (_lastFed is null || EventOrder.Instance.Compare(ordered[0], _lastFed) > 0))
            {
                foreach (var e in ordered) Feed(e);
            }
            else
            {
                Rebuild();
            }
            foreach (var (index, e, content) in pending)
            {
                answers[index] = Answer(e.Seq);
                if (e.Message.Id is { } id) State.Ids[id] = new SeenId { Content = content, Answer = answers[index] };
            }
        }
        foreach (var (index, first, same) in repeats)
        {
            answers[index] = same ? Repeat(answers[first]) : Conflict(events[index].Id!);
        }

        if (!State.Listed)
        {
            await GrainFactory.GetGrain<IAccountDirectoryGrain>(0).Add([Account]);
            State.Listed = true;
        }
        await store.WriteStateAsync();
        return answers;
    }

    public Task<InvoicesAnswer> Invoices(string? month)
    {
        var closed = State.Closed.Where(c => month is null || c.Month == month).Select(c => c.Json).ToList();
        var open = new List<Invoice>(_liveInvoices);
        string? failure = null;
        if (_live is not null)
        {
            // The running preview: a copy of the live rating, its open period closed now.
            var copy = host.Tariff.RestoreAccount(Account, host.Contract(Account), _live.Snapshot(), out _);
            if (copy is not null)
            {
                copy.Finish();
                open.AddRange(copy.TakeInvoices());
                failure = copy.Failure;
            }
        }
        var previews = open.Where(i => month is null || InvoiceDocuments.MonthOf(i) == month).Select(InvoiceDocuments.Write).ToList();
        return Task.FromResult(new InvoicesAnswer
        {
            InvoicesJson = InvoiceDocuments.Compose(closed.Concat(previews)),
            Final = previews.Count == 0 && (month is null || (State.ClosedThrough is { } c && string.CompareOrdinal(month, c) <= 0)),
            Failure = failure ?? _live?.Failure,
        });
    }

    public async Task Close(string month)
    {
        if (State.ClosedThrough is { } closed && string.CompareOrdinal(month, closed) <= 0) return;
        var first = DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture).AddMonths(1);
        if (State.Base is null && !State.Open.Any(e => string.CompareOrdinal(e.Month, month) <= 0))
        {
            // An account whose usage starts later is not started by closing an earlier month: it has nothing to bill yet.
            State.ClosedThrough = month;
            await store.WriteStateAsync();
            return;
        }
        // The closed months are rated from the previous close with their own events only, then moved past: that state is
        // where the open months start from from now on.
        var rating = Start();
        var keep = new List<StoredEvent>();
        if (rating is not null)
        {
            foreach (var e in State.Open.OrderBy(e => e, EventOrder.Instance))
            {
                if (string.CompareOrdinal(e.Month, month) > 0) keep.Add(e);
                else rating.Feed(Usage(e));
            }
            rating.AdvanceTo(first);
            foreach (var invoice in rating.TakeInvoices())
                State.Closed.Add(new ClosedInvoice { Month = InvoiceDocuments.MonthOf(invoice), Json = InvoiceDocuments.Write(invoice) });
            State.Base = rating.Snapshot();
        }
        State.Open = keep.OrderBy(e => e.Seq).ToList();
        State.ClosedThrough = month;
        await store.WriteStateAsync();
        Rebuild();
    }

    private AccountRating? Start()
    {
        var contract = host.Contract(Account);
        return State.Base is { } snapshot
            ? host.Tariff.RestoreAccount(Account, contract, snapshot, out _)
            : host.Tariff.RateAccount(Account, contract);
    }

    /// <summary>The live rating again: from the last close, every open event in time order.</summary>
    private void Rebuild()
    {
        _live = Start();
        _liveInvoices.Clear();
        _outcomes.Clear();
        _lastFed = null;
        foreach (var e in State.Open.OrderBy(e => e, EventOrder.Instance)) Feed(e);
    }

    private void Feed(StoredEvent e)
    {
        _outcomes[e.Seq] = _live!.Feed(Usage(e));
        _liveInvoices.AddRange(_live.TakeInvoices());
        _lastFed = e;
    }

    // Ids are answered by the grain (it keeps them across closes); the rating sees each event once.
    private static UsageEvent Usage(StoredEvent e) =>
        new(e.Message.Time, e.Message.Event, e.Message.Attributes, e.Message.Quantity, Id: null, Row: e.Seq);

    private EventAnswer Answer(int seq)
    {
        var outcome = _outcomes[seq];
        return new EventAnswer
        {
            Outcome = outcome.Kind.ToString().ToLowerInvariant(),
            Reason = outcome.Kind == RowOutcomeKind.Rated ? null : outcome.Detail,
        };
    }

    private static EventAnswer Repeat(EventAnswer first) => new() { Outcome = first.Outcome, Reason = first.Reason, Repeated = true };

    private static EventAnswer Conflict(string id) => new()
    {
        Outcome = "conflict",
        Reason = $"conflicting id '{id}': an event was already rated with it and other content, so this one is not",
    };

    /// <summary>A digest of what an event says (its instant, name, quantity and attributes), to tell a re-send from a conflict.</summary>
    internal static string Content(EventMessage m)
    {
        var text = new StringBuilder();
        text.Append(m.Time.UtcTicks).Append('\u001f').Append(m.Event).Append('\u001f').Append(m.Quantity.ToString(CultureInfo.InvariantCulture));
        foreach (var (key, value) in m.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (value.Length == 0) continue;
            text.Append('\u001f').Append(key).Append('=').Append(value);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }

    /// <summary>Time order: by instant, then id (ordinal; events without one first), then arrival.</summary>
    private sealed class EventOrder : IComparer<StoredEvent>
    {
        public static readonly EventOrder Instance = new();

        public int Compare(StoredEvent? x, StoredEvent? y)
        {
            var byTime = x!.Message.Time.UtcTicks.CompareTo(y!.Message.Time.UtcTicks);
            if (byTime != 0) return byTime;
            var byId = string.CompareOrdinal(x.Message.Id, y.Message.Id);
            return byId != 0 ? byId : x.Seq.CompareTo(y.Seq);
        }
    }
}

/// <summary>The accounts that sent events (one grain for the cluster: accounts are added once, when first seen).</summary>
internal sealed class AccountDirectoryGrain(
    [PersistentState("directory", ServiceSetup.StorageName)] IPersistentState<HashSet<string>> store) : Grain, IAccountDirectoryGrain
{
    public async Task Add(string[] accounts)
    {
        var added = false;
        foreach (var account in accounts) added |= store.State.Add(account);
        if (added) await store.WriteStateAsync();
    }

    public Task<string[]> All() => Task.FromResult(store.State.Order(StringComparer.Ordinal).ToArray());
}
