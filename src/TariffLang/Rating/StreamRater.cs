using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Runtime;

namespace TariffLang.Rating;

/// <summary>
/// Rates a ledger as a stream, on every core, in memory bounded by the accounts and their open state.
/// <para>
/// Worker threads take turns cutting the ledger into chunks of whole rows, type the rows of their chunk (in parallel, any
/// chunk) and split them by account into partitions; each partition is rated by whichever worker holds it at the time,
/// its batches strictly in file order, so an account's rows reach its <see cref="AccountRater"/> in order and no account
/// is ever touched by two threads at once. At most a few chunks are in flight, so memory does not grow with the ledger.
/// </para>
/// <para>
/// Rows must reach an account in time order. An account whose rows come out of order, or that cannot be rated (its
/// rows are then all rejected with the reason), is replayed: the ledger is read a second time, that account's rows are
/// held (compactly), sorted and rated from the start. Invoices and rejected rows are sorted at the end (accounts by
/// name, rows by number), so the output is the same whatever the number of threads.
/// </para>
/// </summary>
internal sealed class StreamRater
{
    private const int StackBytes = 64 * 1024 * 1024;
    private const int PartitionsPerThread = 8;

    private readonly RatingPlan _plan;
    private readonly RatingProgram _program;
    private readonly AccountTable _accounts;
    private readonly RatingOptions _options;
    private readonly int _threads;
    private readonly Partition[] _partitions;
    private readonly AccountDirectory _directory;
    private readonly EventBinder _binder;
    private ExceptionDispatchInfo? _failure;
    private int _replayed;
    private volatile bool _stopping;

    public StreamRater(RatingPlan plan, RatingProgram program, AccountTable accounts, RatingOptions options, int threads)
    {
        _plan = plan;
        _program = program;
        _accounts = accounts;
        _options = options;
        _threads = Math.Max(1, threads);
        // Several partitions per worker, taken by whichever worker is free: with one fixed partition per worker, two busy
        // accounts hashed to the same one would leave the other worker idle; with eight per worker they seldom meet.
        var partitions = _threads == 1 ? 1 : _threads * PartitionsPerThread;
        _partitions = Enumerable.Range(0, partitions).Select(_ => new Partition()).ToArray();
        _directory = new AccountDirectory(partitions, accounts, options.Month is not null);
        _binder = new EventBinder(plan.Model, plan.Zone, plan.KeyOnlyTexts).Bounded(options);
    }

    /// <summary>How many rows were held for a replay, and how many bytes they took (for the memory figures).</summary>
    public (long Rows, long Bytes) Held { get; private set; }

    private sealed class Partition
    {
        public int Next;

        /// <summary>1 while a worker rates this partition's batches.</summary>
        public int Busy;
    }

    public RatingResult Rate(LedgerInput input)
    {
        var errors = new ConcurrentBag<(int Row, string Reason)>();
        Pass(input, replay: false, errors);
        if (input.Problem is { } problem && input.ProblemVoidsRows)
        {
            // A ledger that is not valid as a whole (e.g. not UTF-8) is not rated at all.
            return new RatingResult(ImmutableArray<Invoice>.Empty, ImmutableArray<RejectedRow>.Empty,
                new Accounting(0, 0, 0, 0)) { Problem = problem };
        }

        // Each account is rated over its own rows' months, or over the months rated when they are given: then an account
        // under contract is billed for them even without usage.
        if (_options.ExplicitRange)
        {
            foreach (var name in _accounts.Accounts.Keys)
            {
                if (!_directory.Contains(name)) _directory.Add(_directory.Create(name));
            }
        }
        ForEachPartition(entry =>
        {
            if (entry.Replay) return;
            var rater = entry.Rater ??= NewRater(entry);
            try
            {
                rater.Finish(LedgerRater.Horizon(entry.Last, _options), LedgerRater.ContractStart(entry.Contracted, _options));
                // A period that could not be billed turns its rows into rejections, which only the replay (holding the
                // account's rows) can tell apart.
                if (rater.RejectedPeriods.Count > 0) Flag(entry);
                else entry.Invoices.AddRange(rater.Invoices);
            }
            catch (Exception ex) when (RatingException.IsRatingFailure(ex))
            {
                Flag(entry);
            }
            entry.Rater = null;
        });

        if (_directory.Entries.Any(e => e.Replay))
        {
            using var again = input.Reopen();
            Pass(again, replay: true, errors);
            Held = (_directory.Entries.Sum(e => (long)(e.Held?.Count ?? 0)), _directory.Entries.Sum(e => e.Held?.Bytes ?? 0));
            _replayed = _directory.Entries.Count(e => e.Replay);
            ForEachPartition(entry =>
            {
                if (entry.Replay) Replay(entry);
            });
        }
        return Result(errors, input.Problem);
    }

    private AccountRater NewRater(AccountEntry entry) =>
        new(_plan, _program, entry.Name, _accounts.For(entry.Name, _options.Params), entry);

    /// <summary>The account is rated again from its held rows: its outcomes so far are forgotten.</summary>
    private static void Flag(AccountEntry entry)
    {
        entry.Replay = true;
        entry.Rater = null;
        entry.ResetOutcomes();
    }

    // ---- one pass over the ledger --------------------------------------------------------------------------

    private void Pass(LedgerInput input, bool replay, ConcurrentBag<(int Row, string Reason)> errors)
    {
        foreach (var p in _partitions) p.Next = 0;
        var ring = _threads * 4 + 2;
        var results = new ParsedChunk?[ring];
        var inFlight = new SemaphoreSlim(ring);
        var recycled = new ConcurrentBag<ParsedChunk>();
        var reading = new object();
        var produced = 0;
        var exhausted = false;

        // No thread of its own reads the ledger: the workers take turns, one chunk at a time, so that --threads N is N
        // threads doing all the work, and a chunk is read by the core that then parses it.
        InputChunk? Read()
        {
            if (Volatile.Read(ref exhausted) || !inFlight.Wait(0)) return null;
            lock (reading)
            {
                if (!exhausted && input.TryRead(out var chunk))
                {
                    produced++;
                    return chunk;
                }
                Volatile.Write(ref exhausted, true);
            }
            inFlight.Release();
            return null;
        }

        var workers = Enumerable.Range(0, _threads).Select(w => new Thread(() => Guard(() =>
        {
            var parser = input.CreateParser(new RowTyper(_binder, _directory));
            var idle = new SpinWait();
            while (!_stopping)
            {
                if (Read() is { } chunk)
                {
                    var parsed = recycled.TryTake(out var r) ? r : new ParsedChunk(_partitions.Length);
                    parsed.Index = chunk.Index;
                    try
                    {
                        parser.Parse(chunk, parsed, replay);
                    }
                    finally
                    {
                        chunk.Dispose();
                    }
                    foreach (var e in parsed.Errors) errors.Add(e);
                    parsed.Pending = _partitions.Length;
                    Volatile.Write(ref results[parsed.Index % ring], parsed);
                    idle.Reset();
                }
                else if (Volatile.Read(ref exhausted))
                {
                    break;
                }
                // The ring full and the partitions waiting for a chunk another worker is parsing: wait a moment.
                if (!Drain(w, results, ring, replay, inFlight, recycled, out var progressed) && !progressed) idle.SpinOnce();
            }
            // The last chunks: every worker helps rate them.
            int total;
            lock (reading) total = produced;
            while (!_stopping && !Drain(w, results, ring, replay, inFlight, recycled, out _, total)) Thread.Yield();
        }), StackBytes) { Name = "tariff worker " + w }).ToList();

        foreach (var t in workers) t.Start();
        foreach (var t in workers) t.Join();
        _failure?.Throw();
    }

    private void Guard(Action work)
    {
        try
        {
            work();
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            _stopping = true;
        }
    }

    /// <summary>
    /// Rates the batches that are next in file order in every partition no other worker holds, starting from a different
    /// partition for each worker so that they rarely meet. Returns whether every partition has rated
    /// <paramref name="total"/> chunks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Drain(int worker, ParsedChunk?[] results, int ring, bool replay, SemaphoreSlim inFlight,
        ConcurrentBag<ParsedChunk> recycled,
        out bool progressed, int total = int.MaxValue)
    {
        var done = true;
        progressed = false;
        var count = _partitions.Length;
        var start = worker * count / _threads;
        for (var k = 0; k < count; k++)
        {
            var index = (start + k) % count;
            var p = _partitions[index];
            if (Ready(results, ring, p) is not null && Interlocked.CompareExchange(ref p.Busy, 1, 0) == 0)
            {
                // Held: this worker alone moves p.Next until it lets go (the exchange and the write below are the fences).
                while (Ready(results, ring, p) is { } chunk)
                {
                    Rate(chunk.Batches[index], p, replay);
                    p.Next++;
                    progressed = true;
                    if (Interlocked.Decrement(ref chunk.Pending) == 0)
                    {
                        Volatile.Write(ref results[chunk.Index % ring], null);
                        chunk.Clear();
                        recycled.Add(chunk);
                        inFlight.Release();
                    }
                }
                Volatile.Write(ref p.Busy, 0);
            }
            done &= Volatile.Read(ref p.Next) >= total;
        }
        return done;
    }

    /// <summary>The parsed chunk that partition <paramref name="p"/> rates next, if it is there yet.</summary>
    private static ParsedChunk? Ready(ParsedChunk?[] results, int ring, Partition p)
    {
        var next = Volatile.Read(ref p.Next);
        return Volatile.Read(ref results[next % ring]) is { } chunk && chunk.Index == next ? chunk : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Rate(RowBatch batch, Partition p, bool replay)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            ref var r = ref batch.Rows[i];
            var entry = r.Account;
            if (replay)
            {
                (entry.Held ??= new HeldRows()).Add(r, batch.Slots, r.Problem is null ? _binder.AttributeCount(r.Kind) : 0);
                continue;
            }
            if (entry.Replay) continue;
            if (r.Problem is { } problem)
            {
                // A row that is not a valid event claims no id: its corrected re-send is rated.
                entry.Record(RowOutcomeKind.Rejected, r.Row, r.Dated ? r.LocalDate : null, problem);
                continue;
            }
            // A repeated id is a duplicate or a conflict, which only all the account's copies decide (IdClaims): the
            // account is replayed with its rows held, as rare as it should be.
            if (r.Id is { } id && !(entry.Ids ??= new HashSet<string>(StringComparer.Ordinal)).Add(id))
            {
                Flag(entry);
                continue;
            }
            // Only rows accepted set the account's span: a rejected row never adds a period.
            entry.Last = entry.Last is { } l && l >= r.LocalDate ? l : r.LocalDate;
            var rater = entry.Rater ??= NewRater(entry);
            if (r.Time < rater.LastTime)
            {
                Flag(entry);
                continue;
            }
            try
            {
                rater.Feed(new EventInput(r.Row, r.Kind, r.Time, r.LocalDate, r.Quantity, batch.Slots, r.SlotBase));
            }
            catch (Exception ex) when (RatingException.IsRatingFailure(ex))
            {
                Flag(entry);
            }
        }
    }

    private void ForEachPartition(Action<AccountEntry> work)
    {
        var byPartition = _directory.Entries.GroupBy(e => e.Partition).Select(g => g.ToList()).ToList();
        var threads = byPartition.Select(list => new Thread(() => Guard(() =>
        {
            foreach (var entry in list) work(entry);
        }), StackBytes)).ToList();
        // No more threads than asked for: partitions are taken in turns.
        var running = new List<Thread>();
        foreach (var t in threads)
        {
            t.Start();
            running.Add(t);
            if (running.Count < _threads) continue;
            running[0].Join();
            running.RemoveAt(0);
        }
        foreach (var t in running) t.Join();
        _failure?.Throw();
    }

    // ---- the replay of an account: all its rows, sorted ----------------------------------------------------

    private void Replay(AccountEntry entry)
    {
        entry.ResetOutcomes();
        var held = entry.Held ?? new HeldRows();
        entry.Held = null;
        // An index of the held rows (where each starts, its time and row) is all that is sorted: each row is read in
        // full only when its turn comes, so a replay needs the held bytes and some 40 bytes a row more, never the rows
        // of an account built all at once.
        var index = held.Index(_binder.AttributeCount);
        var byId = IdRejections(held, index, entry);
        var kept = new List<HeldRows.Entry>(held.Count);
        foreach (var e in index)
        {
            if (byId?.TryGetValue(e.Row, out var reason) == true) entry.Record(RowOutcomeKind.Rejected, e.Row, e.Date, reason);
            else kept.Add(e);
        }
        var duplicates = entry.Rejections?.ToList() ?? [];
        var order = kept.ToArray();
        Array.Sort(order, (a, b) => a.UtcTicks != b.UtcTicks ? a.UtcTicks.CompareTo(b.UtcTicks) : a.Row.CompareTo(b.Row));
        var outcomes = new OutcomeBuffer();
        var rater = new AccountRater(_plan, _program, entry.Name, _accounts.For(entry.Name, _options.Params), outcomes);
        var one = new RowBatch();
        DateOnly? last = null;
        try
        {
            foreach (var e in order)
            {
                one.Clear();
                var r = held.Read(e, one, entry, _binder.AttributeCount);
                if (r.Problem is { } problem)
                {
                    entry.Record(RowOutcomeKind.Rejected, r.Row, r.Dated ? r.LocalDate : null, problem);
                    continue;
                }
                last = r.LocalDate;
                rater.Feed(new EventInput(r.Row, r.Kind, r.Time, r.LocalDate, r.Quantity, one.Slots, r.SlotBase));
            }
            rater.Finish(LedgerRater.Horizon(last, _options), LedgerRater.ContractStart(entry.Contracted, _options));
            entry.Invoices.AddRange(rater.Invoices);
            foreach (var (row, kind, date, reason) in outcomes.Rows)
            {
                // The rated and free rows of a period that could not be billed are rejected with its reason.
                var failed = kind == RowOutcomeKind.Rejected ? null : rater.RejectedPeriods.Find(p => p.Rejects(row, date));
                entry.Record(failed is null ? kind : RowOutcomeKind.Rejected, row, date, failed?.Reason ?? reason);
            }
        }
        catch (Exception ex) when (RatingException.IsRatingFailure(ex))
        {
            // Without its contract values, or when a period's charges cannot be computed, the account cannot be rated at
            // all: no invoice, and every row says why (its duplicates keep their own reason).
            entry.ResetOutcomes();
            foreach (var (row, reason, date) in duplicates) entry.Record(RowOutcomeKind.Rejected, row, date, reason);
            var because = LedgerRater.AccountReason(entry.Name, ex);
            foreach (var e in kept) entry.Record(RowOutcomeKind.Rejected, e.Row, e.Date, because);
        }
    }

    /// <summary>A replayed account's row outcomes, kept until its periods are closed (a period may fail and reject its rows).</summary>
    private sealed class OutcomeBuffer : IRowOutcomes
    {
        public List<(int Row, RowOutcomeKind Kind, DateOnly Date, string? Reason)> Rows { get; } = new();

        public void Rated(in EventInput e, string detail) => Rows.Add((e.Row, RowOutcomeKind.Rated, e.LocalDate, null));

        public void Free(in EventInput e, string reason) => Rows.Add((e.Row, RowOutcomeKind.Free, e.LocalDate, null));

        public void Rejected(in EventInput e, string reason) => Rows.Add((e.Row, RowOutcomeKind.Rejected, e.LocalDate, reason));
    }

    /// <summary>The held rows not rated because of their id; the content of a row is read only when its id is repeated.</summary>
    private Dictionary<int, string>? IdRejections(HeldRows held, List<HeldRows.Entry> index, AccountEntry entry)
    {
        var one = new RowBatch();
        return IdClaims.Decide(index, e => e.Problem ? null : e.Id, e =>
        {
            one.Clear();
            var r = held.Read(e, one, entry, _binder.AttributeCount);
            return (r.Row, IdClaims.Content(r.Kind, r.Time, r.Quantity, one.Slots, r.SlotBase, _binder.AttributeCount(r.Kind)));
        });
    }

    // ---- the result ---------------------------------------------------------------------------------------

    private RatingResult Result(ConcurrentBag<(int Row, string Reason)> errors, string? problem)
    {
        var entries = _directory.Entries.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        var invoices = new List<Invoice>();
        // Sized once and handed over without a copy, and each account's list let go once copied: a ledger whose rows are
        // all rejected (a run without its accounts file) holds its rejections in one array, not in a list and a copy of
        // it beside every account's own list.
        var capacity = errors.Count;
        foreach (var entry in entries) capacity += entry.Rejections?.Count ?? 0;
        var rejected = ImmutableArray.CreateBuilder<RejectedRow>(capacity);
        int rated = 0, free = 0, rejectedCount = errors.Count;
        foreach (var (row, reason) in errors) rejected.Add(new RejectedRow(row, reason));
        DateOnly? month = _options.Month is { } m ? new DateOnly(m.Year, m.Month, 1) : null;
        foreach (var entry in entries)
        {
            if (month is not { } first)
            {
                invoices.AddRange(entry.Invoices);
                rated += entry.Rated;
                free += entry.Free;
                rejectedCount += entry.Rejected;
                if (entry.Rejections is { } list)
                {
                    foreach (var x in list) rejected.Add(new RejectedRow(x.Row, x.Reason));
                    entry.Rejections = null;
                }
                continue;
            }
            // Only the period that contains the month: the account's period, or the month itself when it has no invoice then.
            var invoice = entry.Invoices.FirstOrDefault(i => i.Period.From <= first && first <= i.Period.To);
            var from = invoice?.Period.From ?? first;
            var to = invoice?.Period.To ?? first.AddMonths(1).AddDays(-1);
            if (invoice is not null) invoices.Add(invoice);
            if (entry.ByMonth is { } byMonth)
            {
                for (var d = new DateOnly(from.Year, from.Month, 1); d <= to; d = d.AddMonths(1))
                {
                    if (!byMonth.TryGetValue(d.Year * 12 + d.Month - 1, out var c)) continue;
                    rated += c.Rated;
                    free += c.Free;
                    rejectedCount += c.Rejected;
                }
            }
            if (entry.Rejections is { } rows)
            {
                foreach (var x in rows)
                {
                    if (x.Date is { } d && d >= from && d <= to) rejected.Add(new RejectedRow(x.Row, x.Reason));
                }
                entry.Rejections = null;
            }
        }
        rejected.Sort((a, b) => a.Row.CompareTo(b.Row));
        var all = rejected.Count == rejected.Capacity ? rejected.MoveToImmutable() : rejected.ToImmutable();
        return new RatingResult(invoices.ToImmutableArray(), all,
            new Accounting(rated + free + rejectedCount, rated, free, rejectedCount))
        {
            Problem = problem,
            Statistics = new RatingStatistics(_threads, _replayed, Held.Rows, Held.Bytes),
        };
    }
}
