using System.Runtime.CompilerServices;
using TariffLang.Runtime;

namespace TariffLang.Rating;

/// <summary>
/// One ledger row read and typed by a parse worker, waiting for its account's partition: everything the rating needs,
/// its attribute values in the batch's slots. <see cref="Problem"/> is set when the row cannot be an event of the tariff
/// (unknown event, bad attribute…): it is rejected with that reason after its id is checked, as the engine always did.
/// </summary>
internal struct RowRecord
{
    public int Row;
    public int Kind;
    public AccountEntry Account;
    public DateTimeOffset Time;
    public DateOnly LocalDate;
    public decimal Quantity;
    public string? Id;
    public string? Problem;
    public int SlotBase;

    /// <summary>The row counts toward the ledger's first and last days (a time rating supports, a declared event).</summary>
    public bool Datable;

    /// <summary>The row's time falls in the years rating supports (so <see cref="LocalDate"/> is set).</summary>
    public bool Dated;
}

/// <summary>The rows of one chunk that belong to one partition, in file order, with their attribute values.</summary>
internal sealed class RowBatch
{
    public RowRecord[] Rows = new RowRecord[256];
    public Value[] Slots = new Value[1024];
    public int Count;
    public int SlotCount;

    public ref RowRecord Add()
    {
        if (Count == Rows.Length) Array.Resize(ref Rows, Rows.Length * 2);
        return ref Rows[Count++];
    }

    /// <summary>Reserves <paramref name="count"/> slots and returns the first one's index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int ReserveSlots(int count)
    {
        if (SlotCount + count > Slots.Length) Array.Resize(ref Slots, Math.Max(Slots.Length * 2, SlotCount + count));
        var start = SlotCount;
        SlotCount += count;
        return start;
    }

    public void Clear()
    {
        Array.Clear(Rows, 0, Count);
        Array.Clear(Slots, 0, SlotCount);
        Count = 0;
        SlotCount = 0;
    }
}

/// <summary>A chunk of the ledger parsed by a worker: its rows split by partition, and the rows that could not be read.</summary>
internal sealed class ParsedChunk(int partitions)
{
    public int Index;

    public RowBatch[] Batches { get; } = Enumerable.Range(0, partitions).Select(_ => new RowBatch()).ToArray();

    /// <summary>Rows that could not be read at all (no account to give them to): rejected with their reason.</summary>
    public List<(int Row, string Reason)> Errors { get; } = new();

    /// <summary>How many partitions have still to rate their batch; the chunk is recycled when none has.</summary>
    public int Pending;

    public void Clear()
    {
        foreach (var b in Batches) b.Clear();
        Errors.Clear();
    }
}
