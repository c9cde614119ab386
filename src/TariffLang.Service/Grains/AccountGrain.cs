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
/// they arrived in. Events of the same instant are taken in the order of their ids (then of arrival). With later tariff
/// versions, each version has its own live rating and state, and rates the events of its months.
/// </summary>
internal sealed class AccountGrain(
    [PersistentState("account", ServiceSetup.StorageName)] IPersistentState<AccountGrainState> store,
    ServiceTariff host) : Grain, IAccountGrain
{
    // One live rating per tariff version: a version rates the months from its first to the next version's.
    private readonly AccountRating?[] _live = new AccountRating?[host.Versions.Length];
    private readonly StoredEvent?[] _lastFed = new StoredEvent?[host.Versions.Length];
    private readonly List<Invoice> _liveInvoices = new();
    private readonly Dictionary<int, RowOutcome> _outcomes = new();

    // The open months' events (read from the log's chunks at activation) and their ids, in memory.
    private List<StoredEvent> _open = new();
    private readonly Dictionary<string, StoredEvent> _ids = new(StringComparer.Ordinal);
    private int _lastChunkSize;

    private string Account => this.GetPrimaryKeyString();

    private AccountGrainState State => store.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Only what the account record committed counts: events past its last arrival number, or of a closed month, are
        // left over from a request or a compaction that did not finish; an event read twice (a compaction half done) once.
        var seen = new HashSet<int>();
        for (var n = 0; n < State.ChunkCount; n++)
        {
            var events = await Chunk(n).Read();
            if (n == State.ChunkCount - 1) _lastChunkSize = events.Count(e => e.Seq <= State.LastSeq);
            foreach (var e in events)
            {
                if (e.Seq > State.LastSeq || (State.ClosedThrough is { } closed && string.CompareOrdinal(e.Month, closed) <= 0)) continue;
                if (seen.Add(e.Seq)) _open.Add(e);
            }
        }
        _open = _open.OrderBy(e => e.Seq).ToList();
        foreach (var e in _open)
        {
            if (e.Message.Id is { } id) _ids[id] = e;
        }
        Rebuild();
    }

    private IEventChunkGrain Chunk(int n) =>
        GrainFactory.GetGrain<IEventChunkGrain>(n.ToString(CultureInfo.InvariantCulture) + "|" + Account);

    public async Task<EventAnswer[]> Ingest(EventMessage[] events)
    {
        var answers = new EventAnswer[events.Length];
        var committed = State.LastSeq;
        var pending = new List<(int Index, StoredEvent Event)>();
        var batchIds = new Dictionary<string, (int Index, string Content)>(StringComparer.Ordinal);
        var repeats = new List<(int Index, int First, bool Same)>();
        foreach (var (m, i) in events.Select((m, i) => (m, i)))
        {
            var content = Content(m);
            var month = Months.Of(host.Tariff.LocalDate(m.Time));
            var version = host.VersionOf(month);
            // Not an event of the tariff: answered, not kept, and its id stays free for the corrected event.
            if ((_live[version] ?? Start(version))?.Problem(new UsageEvent(m.Time, m.Event, m.Attributes, m.Quantity)) is { } problem)
            {
                answers[i] = new EventAnswer { Outcome = "rejected", Reason = problem };
                continue;
            }
            if (m.Id is { } id)
            {
                if (_ids.TryGetValue(id, out var seen))
                {
                    answers[i] = seen.Content == content ? Repeat(seen.Answer!) : Conflict(id);
                    continue;
                }
                if (batchIds.TryGetValue(id, out var first))
                {
                    repeats.Add((i, first.Index, first.Content == content));
                    continue;
                }
                batchIds[id] = (i, content);
            }
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
            pending.Add((i, new StoredEvent { Seq = ++State.LastSeq, Message = m, Month = month, Content = content }));
        }

        if (pending.Count > 0)
        {
            _open.AddRange(pending.Select(p => p.Event));
            var ordered = pending.Select(p => p.Event).OrderBy(e => e, EventOrder.Instance).ToList();
            // Fed at once when every new event of a version comes after the events that version has rated; else the
            // open months are rated again in time order.
            var inOrder = ordered.GroupBy(e => host.VersionOf(e.Month)).All(g =>
                _live[g.Key] is not null && (_lastFed[g.Key] is not { } last || EventOrder.Instance.Compare(g.First(), last) > 0));
            if (inOrder)
            {
                foreach (var e in ordered) Feed(host.VersionOf(e.Month), e);
            }
            else
            {
                Rebuild();
            }
            var logged = new List<StoredEvent>(pending.Count);
            foreach (var (index, e) in pending)
            {
                answers[index] = Answer(e.Seq);
                var kept = e with { Answer = answers[index] };
                logged.Add(kept);
                if (e.Message.Id is { } id) _ids[id] = kept;
            }
            // The events in memory are those of the log, answers included (a compaction writes them back).
            _open.RemoveRange(_open.Count - logged.Count, logged.Count);
            _open.AddRange(logged);
            await Log(committed, logged);
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
        var rejected = new List<RejectedPeriod>();
        string? failure = null;
        for (var v = 0; v < _live.Length; v++)
        {
            // Only a version with events since the last close has a period of usage open: a rating just moved past a
            // closed month has opened the next one, which bills nothing until an event comes (as in the batch rating).
            if (_live[v] is not { } live) continue;
            rejected.AddRange(live.RejectedPeriods);
            // A closed month held for its groups' later events (by KEY whole within D) is billed by the preview too.
            if (_lastFed[v] is null && live.HeldPeriod is null) continue;
            // The running preview: a copy of the live rating, its open period closed now (a version's last at its end).
            var copy = host.Versions[v].Tariff.RestoreAccount(Account, host.Contract(Account), live.Snapshot(), out _);
            if (copy is null) continue;
            copy.Finish(host.LastDayOf(v));
            var made = copy.TakeInvoices();
            // Without events since the close, only the held month is billed: the month after it has nothing yet.
            open.AddRange(_lastFed[v] is null ? made.Where(i => i.Period.From == live.HeldPeriod) : made);
            rejected.AddRange(copy.RejectedPeriods.Where(r => _lastFed[v] is not null || r.Period.From == live.HeldPeriod));
            failure ??= copy.Failure ?? live.Failure;
        }
        var previews = open.Where(i => month is null || Months.Of(i.Period.From) == month)
            .OrderBy(i => i.Period.From).Select(InvoiceDocuments.Write).ToList();
        return Task.FromResult(new InvoicesAnswer
        {
            InvoicesJson = InvoiceDocuments.Compose(closed.Concat(previews)),
            Final = previews.Count == 0 && (month is null || (State.ClosedThrough is { } c && string.CompareOrdinal(month, c) <= 0)),
            Failure = failure,
            RejectedPeriods = [.. State.ClosedRejections.Concat(rejected.Select(Rejection)).Where(r => month is null || r.Month == month)],
        });
    }

    public async Task Close(string month)
    {
        if (State.ClosedThrough is { } closed && string.CompareOrdinal(month, closed) <= 0) return;
        var first = Months.FirstDay(month).AddMonths(1);
        var keep = new List<StoredEvent>();
        for (var v = 0; v < host.Versions.Length; v++)
        {
            var events = _open.Where(e => host.VersionOf(e.Month) == v).OrderBy(e => e, EventOrder.Instance).ToList();
            keep.AddRange(events.Where(e => string.CompareOrdinal(e.Month, month) > 0));
            var closing = events.Where(e => string.CompareOrdinal(e.Month, month) <= 0).ToList();
            // A version that has not started for the account (no state, nothing to close) is not started by closing a month.
            if (!State.Bases.ContainsKey(host.Versions[v].Hash) && closing.Count == 0) continue;
            if (host.Versions[v].From is { } from && string.CompareOrdinal(from, month) > 0) continue;
            // The closed months are rated from the previous close with their own events only, then moved past: that state
            // is where the open months start from from now on.
            if (Start(v) is not { } rating) continue;
            foreach (var e in closing) rating.Feed(Usage(e));
            var ended = host.LastDayOf(v) is { } last && last < first;
            rating.AdvanceTo(ended ? host.LastDayOf(v)!.Value.AddDays(1) : first);
            // A version that has ended takes no more events (later months are the next version's): a month it holds for its
            // groups' later events is billed now.
            if (ended) rating.BillHeld();
            foreach (var invoice in rating.TakeInvoices())
                State.Closed.Add(new ClosedInvoice { Month = Months.Of(invoice.Period.From), Json = InvoiceDocuments.Write(invoice) });
            State.ClosedRejections.AddRange(rating.RejectedPeriods.Select(Rejection));
            State.Bases[host.Versions[v].Hash] = rating.Snapshot();
        }
        // The ids of closed months are let go with their events, so an account's state follows its open months, not its
        // whole history: an event of a closed month sent again is answered as such (rejected, the month being closed).
        _open = keep.OrderBy(e => e.Seq).ToList();
        _ids.Clear();
        foreach (var e in _open)
        {
            if (e.Message.Id is { } id) _ids[id] = e;
        }
        State.ClosedThrough = month;
        // The close is committed first (closed months' events in the log are ignored from now on), then the log compacted.
        await store.WriteStateAsync();
        await Compact();
        Rebuild();
    }

    /// <summary>Appends a request's events to the log, filling the last chunk, then new ones; the account record commits them.</summary>
    private async Task Log(int committed, List<StoredEvent> events)
    {
        var n = Math.Max(0, State.ChunkCount - 1);
        var size = State.ChunkCount == 0 ? 0 : _lastChunkSize;
        for (var at = 0; at < events.Count;)
        {
            if (size == EventChunkState.Size)
            {
                n++;
                size = 0;
            }
            var take = Math.Min(EventChunkState.Size - size, events.Count - at);
            await Chunk(n).Append(committed, [.. events.GetRange(at, take)]);
            at += take;
            size += take;
        }
        State.ChunkCount = Math.Max(State.ChunkCount, n + 1);
        _lastChunkSize = size;
    }

    /// <summary>Rewrites the log with the open months' events only, after a close; a half-done rewrite is safe (see activation).</summary>
    private async Task Compact()
    {
        var chunks = (_open.Count + EventChunkState.Size - 1) / EventChunkState.Size;
        for (var n = 0; n < Math.Max(chunks, State.ChunkCount); n++)
            await Chunk(n).Replace(n < chunks ? [.. _open.Skip(n * EventChunkState.Size).Take(EventChunkState.Size)] : []);
        State.ChunkCount = chunks;
        _lastChunkSize = chunks == 0 ? 0 : _open.Count - (chunks - 1) * EventChunkState.Size;
        await store.WriteStateAsync();
    }

    private AccountRating? Start(int version)
    {
        var (tariff, contract) = (host.Versions[version].Tariff, host.Contract(Account));
        return State.Bases.TryGetValue(host.Versions[version].Hash, out var snapshot)
            ? tariff.RestoreAccount(Account, contract, snapshot, out _)
            : tariff.RateAccount(Account, contract);
    }

    /// <summary>The live ratings again: each version from the last close, its open events in time order.</summary>
    private void Rebuild()
    {
        _liveInvoices.Clear();
        _outcomes.Clear();
        for (var v = 0; v < _live.Length; v++)
        {
            _live[v] = Start(v);
            _lastFed[v] = null;
        }
        foreach (var e in _open.OrderBy(e => e, EventOrder.Instance)) Feed(host.VersionOf(e.Month), e);
    }

    private void Feed(int version, StoredEvent e)
    {
        var live = _live[version]!;
        _outcomes[e.Seq] = live.Feed(Usage(e));
        _liveInvoices.AddRange(live.TakeInvoices());
        _lastFed[version] = e;
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

    private static RejectedPeriodAnswer Rejection(RejectedPeriod period) => new()
    {
        Month = Months.Of(period.Period.From),
        Reason = period.Reason,
    };

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
        text.Append(m.Time.UtcTicks).Append('\u001f').Append(m.Event).Append('\u001f')
            .Append(m.Quantity.ToString(CultureInfo.InvariantCulture));
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

/// <summary>One chunk of an account's event log, in the same grain storage as the account.</summary>
internal sealed class EventChunkGrain(
    [PersistentState("chunk", ServiceSetup.StorageName)] IPersistentState<EventChunkState> store) : Grain, IEventChunkGrain
{
    public Task<StoredEvent[]> Read() => Task.FromResult(store.State.Events.ToArray());

    public async Task Append(int committed, StoredEvent[] events)
    {
        store.State.Events.RemoveAll(e => e.Seq > committed);
        store.State.Events.AddRange(events);
        await store.WriteStateAsync();
    }

    public async Task Replace(StoredEvent[] events)
    {
        if (events.Length == 0 && store.State.Events.Count == 0) return;
        store.State.Events = [.. events];
        await store.WriteStateAsync();
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
