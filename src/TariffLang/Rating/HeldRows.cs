using TariffLang.Runtime;

namespace TariffLang.Rating;

/// <summary>
/// The rows of one account held for a replay, in file order, as compact bytes: the row number as a gap from the previous
/// one, the time, and each attribute value in its shortest form. A typical calenDoc row takes about 40 bytes, so a
/// ledger out of time order costs about that much memory per row while its accounts are sorted.
/// </summary>
internal sealed class HeldRows
{
    private const byte HasId = 1, HasProblem = 2, Datable = 4, Dated = 8, UnitQuantity = 16;

    private readonly BlockWriter _bytes = new();
    private int _lastRow;

    public int Count { get; private set; }

    public long Bytes => _bytes.Length;

    public void Add(in RowRecord r, Value[] slots, int attributes)
    {
        Count++;
        _bytes.VarUInt((ulong)(r.Row - _lastRow));
        _lastRow = r.Row;
        var flags = (byte)((r.Id is null ? 0 : HasId) | (r.Problem is null ? 0 : HasProblem) | (r.Datable ? Datable : 0)
            | (r.Dated ? Dated : 0)
            | (r.Quantity == 1m && r.Quantity.Scale == 0 ? UnitQuantity : 0));
        _bytes.Byte(flags);
        _bytes.VarInt(r.Kind);
        _bytes.Int64(r.Time.DateTime.Ticks);
        _bytes.VarInt(r.Time.Offset.Ticks / TimeSpan.TicksPerMinute);
        if (r.Dated) _bytes.VarUInt((ulong)r.LocalDate.DayNumber);
        if ((flags & UnitQuantity) == 0) _bytes.Decimal(r.Quantity);
        if (r.Id is { } id) _bytes.String(id);
        if (r.Problem is { } problem)
        {
            _bytes.String(problem);
            return;
        }
        for (var i = 0; i < attributes; i++) ValueCodec.Write(_bytes, slots[r.SlotBase + i]);
    }

    /// <summary>Where each held row starts, with what a replay sorts and checks before reading it all.</summary>
    public readonly record struct Entry(long Position, int Row, long UtcTicks, string? Id, DateOnly? Date, bool Problem);

    /// <summary>The held rows, in file order, without their attribute values (no text is made).</summary>
    public List<Entry> Index(Func<int, int> attributesOf)
    {
        var entries = new List<Entry>(Count);
        var reader = _bytes.Reader();
        var row = 0;
        for (var n = 0; n < Count; n++)
        {
            var position = reader.Position;
            var r = ReadHead(reader, row, knownRow: null);
            row = r.Row;
            entries.Add(new Entry(position, r.Row, r.Time.UtcTicks, r.Id, r.Dated ? r.LocalDate : null, r.Problem is not null));
            if (r.Problem is not null) continue;
            for (var i = attributesOf(r.Kind); i > 0; i--) ValueCodec.Skip(reader);
        }
        return entries;
    }

    /// <summary>One held row, its attribute values in <paramref name="into"/>'s slots.</summary>
    public RowRecord Read(Entry entry, RowBatch into, AccountEntry account, Func<int, int> attributesOf)
    {
        var reader = _bytes.Reader();
        reader.Position = entry.Position;
        // The row number is stored as a gap from the previous row: the entry knows it.
        var r = ReadHead(reader, 0, entry.Row);
        r.Account = account;
        if (r.Problem is not null) return r;
        var count = attributesOf(r.Kind);
        r.SlotBase = into.ReserveSlots(count);
        for (var i = 0; i < count; i++) into.Slots[r.SlotBase + i] = ValueCodec.Read(reader);
        return r;
    }

    private static RowRecord ReadHead(BlockReader reader, int previousRow, int? knownRow)
    {
        var r = new RowRecord();
        var gap = (int)reader.VarUInt();
        r.Row = knownRow ?? previousRow + gap;
        var flags = reader.Byte();
        r.Kind = (int)reader.VarInt();
        var ticks = reader.Int64();
        r.Time = new DateTimeOffset(ticks, TimeSpan.FromMinutes(reader.VarInt()));
        r.Dated = (flags & Dated) != 0;
        r.Datable = (flags & Datable) != 0;
        r.LocalDate = r.Dated ? DateOnly.FromDayNumber((int)reader.VarUInt()) : default;
        r.Quantity = (flags & UnitQuantity) != 0 ? 1m : reader.Decimal();
        r.Id = (flags & HasId) != 0 ? reader.String() : null;
        r.Problem = (flags & HasProblem) != 0 ? reader.String() : null;
        return r;
    }
}
