using System.Runtime.CompilerServices;
using TariffLang.Ledgers;
using TariffLang.Runtime;

namespace TariffLang.Rating;

/// <summary>A piece of a ledger handed from the reader thread to a parse worker: whole rows, in file order by
/// <see cref="Index"/>.</summary>
internal abstract class InputChunk : IDisposable
{
    public int Index { get; init; }

    public virtual void Dispose()
    {
    }
}

/// <summary>
/// Where a streamed rating reads its rows: one reader thread takes chunks of whole rows in file order; parse workers type
/// them in parallel. A ledger can be read again (<see cref="Reopen"/>) for the accounts that must be replayed.
/// </summary>
internal abstract class LedgerInput : IDisposable
{
    /// <summary>What is wrong with the ledger as a whole (unreadable, not UTF-8, a bad header…), once known.</summary>
    public abstract string? Problem { get; }

    /// <summary>
    /// Whether the problem makes the whole ledger unreadable, so that no row of it counts (not UTF-8, broken JSON): such
    /// a problem may be found after rows were handed out, which are then forgotten. A bad CSV header is not one: each of
    /// its rows is rejected, pointing at the header.
    /// </summary>
    public virtual bool ProblemVoidsRows => false;

    /// <summary>The next chunk, or false at the end. Called by one thread only.</summary>
    public abstract bool TryRead(out InputChunk chunk);

    /// <summary>A parser for one worker thread.</summary>
    public abstract ChunkParser CreateParser(RowTyper typer);

    /// <summary>The same ledger from its start, for a second pass.</summary>
    public abstract LedgerInput Reopen();

    public virtual void Dispose()
    {
    }
}

/// <summary>Types the rows of a chunk into a <see cref="ParsedChunk"/>, each row in its account's partition.</summary>
internal abstract class ChunkParser
{
    public abstract void Parse(InputChunk chunk, ParsedChunk into, bool replayOnly);
}

/// <summary>
/// Types rows for one worker: finds each row's account (once per account, then from its own cache), its event, checks
/// its time, and parses its attributes into the batch's slots. The checks and their messages are the
/// <see cref="EventBinder"/>'s, whatever the ledger's format.
/// </summary>
internal sealed class RowTyper(EventBinder binder, AccountDirectory accounts)
{
    // The account's partition is kept here too: reading it from the shared entry, on the cache line the rating thread
    // writes for every row, would make the two cores fight over that line.
    private readonly Dictionary<string, (AccountEntry Entry, int Partition)> _accounts = new(StringComparer.Ordinal);

    public EventBinder Binder { get; } = binder;

    public AccountDirectory Accounts { get; } = accounts;

    public AccountEntry Account(string name, out int partition)
    {
        if (_accounts.TryGetValue(name, out var known))
        {
            partition = known.Partition;
            return known.Entry;
        }
        var entry = Accounts.Get(name);
        _accounts[name] = (entry, entry.Partition);
        partition = entry.Partition;
        return entry;
    }

    /// <summary>Sets the row's time-dependent fields; returns why its time or event cannot be rated, or null.</summary>
    public string? Head(ref RowRecord r, DateTimeOffset time, string eventName) => Head(ref r, time, Binder.Kind(eventName), eventName);

    /// <summary>The same, the event kind already found (-1: unknown, then <paramref name="eventName"/> names it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string? Head(ref RowRecord r, DateTimeOffset time, int kind, string? eventName)
    {
        r.Time = time;
        r.Dated = EventBinder.InRatingYears(time);
        var problem = Binder.CheckHead(time, kind, eventName, out r.Kind, out r.LocalDate);
        if (r.Dated && r.Kind < 0) r.LocalDate = Binder.LocalDate(time);
        r.Datable = r.Dated && r.Kind >= 0;
        return problem;
    }
}

/// <summary>
/// A ledger already in memory, read in chunks of rows (the tests). Its rows must be numbered in their order, as a
/// file's are: the streamed rating rates rows of one time in the order read, the in-memory one by row number.
/// </summary>
internal sealed class MemoryLedgerInput(Ledger ledger, int rowsPerChunk = 4096) : LedgerInput
{
    private int _next;
    private int _index;

    private sealed class Chunk : InputChunk
    {
        public int Start { get; init; }
        public int Count { get; init; }
        public bool WithErrors { get; init; }
    }

    public override string? Problem => ledger.Problem;

    public override bool TryRead(out InputChunk chunk)
    {
        if (_next >= ledger.Rows.Length && !(_index == 0 && ledger.Errors.Length > 0))
        {
            chunk = null!;
            return false;
        }
        var count = Math.Min(rowsPerChunk, ledger.Rows.Length - _next);
        chunk = new Chunk { Index = _index, Start = _next, Count = count, WithErrors = _index == 0 };
        _index++;
        _next += count;
        return true;
    }

    public override ChunkParser CreateParser(RowTyper typer) => new Parser(ledger, typer);

    public override LedgerInput Reopen() => new MemoryLedgerInput(ledger, rowsPerChunk);

    private sealed class Parser(Ledger ledger, RowTyper typer) : ChunkParser
    {
        public override void Parse(InputChunk input, ParsedChunk into, bool replayOnly)
        {
            var chunk = (Chunk)input;
            // The rows that could not be read at all are handed in with the first chunk.
            if (chunk.WithErrors && !replayOnly)
            {
                foreach (var error in ledger.Errors) into.Errors.Add((error.Row, error.Message));
            }
            for (var i = chunk.Start; i < chunk.Start + chunk.Count; i++)
            {
                var row = ledger.Rows[i];
                var account = typer.Account(row.Account, out var partition);
                if (replayOnly && !account.Replay) continue;
                var batch = into.Batches[partition];
                ref var r = ref batch.Add();
                r.Row = row.Row;
                r.Account = account;
                r.Quantity = row.Quantity;
                r.Id = row.Id;
                var problem = typer.Head(ref r, row.Time, row.Event);
                if (problem is null)
                {
                    var count = typer.Binder.AttributeCount(r.Kind);
                    r.SlotBase = batch.ReserveSlots(count);
                    problem = typer.Binder.BindAttributes(r.Kind, row.Attributes, batch.Slots, r.SlotBase);
                }
                r.Problem = problem;
            }
        }
    }
}
