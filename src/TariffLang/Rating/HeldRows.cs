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
        var flags = (byte)((r.Id is null ? 0 : HasId) | (r.Problem is null ? 0 : HasProblem) | (r.Datable ? Datable : 0) | (r.Dated ? Dated : 0)
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

    /// <summary>The held rows back, in file order, their attribute values in <paramref name="into"/>'s slots.</summary>
    public void ReadAll(RowBatch into, AccountEntry account, Func<int, int> attributesOf)
    {
        var reader = _bytes.Reader();
        var row = 0;
        for (var n = 0; n < Count; n++)
        {
            ref var r = ref into.Add();
            row += (int)reader.VarUInt();
            r.Row = row;
            r.Account = account;
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
            if (r.Problem is not null) continue;
            var count = attributesOf(r.Kind);
            r.SlotBase = into.ReserveSlots(count);
            for (var i = 0; i < count; i++) into.Slots[r.SlotBase + i] = ValueCodec.Read(reader);
        }
    }
}
