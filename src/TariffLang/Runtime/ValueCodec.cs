using System.Buffers.Binary;
using System.Text;

namespace TariffLang.Runtime;

/// <summary>
/// Bytes written in blocks of 64 KiB: rows held for a replay and account snapshots grow without ever copying what was
/// written, and without one large array.
/// </summary>
internal sealed class BlockWriter
{
    private const int BlockSize = 64 * 1024;
    private readonly List<byte[]> _blocks = new();
    private readonly List<int> _used = new();
    private byte[] _current = [];

    public long Length { get; private set; }

    private Span<byte> Reserve(int count)
    {
        // A reservation never straddles two blocks: what does not fit starts a new block (the reader skips the same way).
        if (_blocks.Count == 0 || _used[^1] + count > _current.Length)
        {
            _current = new byte[Math.Max(BlockSize, count)];
            _blocks.Add(_current);
            _used.Add(0);
        }
        var span = _current.AsSpan(_used[^1], count);
        _used[^1] += count;
        Length += count;
        return span;
    }

    public void Byte(byte value) => Reserve(1)[0] = value;

    public void Bytes(ReadOnlySpan<byte> value) => value.CopyTo(Reserve(value.Length));

    public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    /// <summary>An unsigned number in 7-bit groups: small numbers (row gaps, lengths) take one or two bytes.</summary>
    public void VarUInt(ulong value)
    {
        while (value >= 0x80)
        {
            Byte((byte)(value | 0x80));
            value >>= 7;
        }
        Byte((byte)value);
    }

    public void VarInt(long value) => VarUInt((ulong)((value << 1) ^ (value >> 63)));

    public void Decimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        foreach (var b in bits) Int32(b);
    }

    public void String(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        VarUInt((ulong)count);
        Encoding.UTF8.GetBytes(value, Reserve(count));
    }

    public BlockReader Reader() => new(_blocks, _used);

    /// <summary>Everything written, as one array (snapshots).</summary>
    public byte[] ToArray()
    {
        var result = new byte[Length];
        var at = 0;
        for (var i = 0; i < _blocks.Count; i++)
        {
            _blocks[i].AsSpan(0, _used[i]).CopyTo(result.AsSpan(at));
            at += _used[i];
        }
        return result;
    }
}

/// <summary>Reads what a <see cref="BlockWriter"/> wrote, in order (or a single array).</summary>
internal sealed class BlockReader
{
    private readonly List<byte[]> _blocks;
    private readonly List<int> _used;
    private int _block;
    private int _at;

    public BlockReader(List<byte[]> blocks, List<int> used)
    {
        _blocks = blocks;
        _used = used;
    }

    public BlockReader(byte[] bytes) : this([bytes], [bytes.Length])
    {
    }

    private int Available => _block >= _blocks.Count ? 0 : _used[_block] - _at;

    public bool AtEnd
    {
        get
        {
            while (_block < _blocks.Count && Available == 0)
            {
                _block++;
                _at = 0;
            }
            return _block >= _blocks.Count;
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (Available < count)
        {
            // The writer started a new block for this reservation.
            _block++;
            _at = 0;
            if (Available < count) throw new InvalidDataException("the bytes end in the middle of a value");
        }
        var span = _blocks[_block].AsSpan(_at, count);
        _at += count;
        return span;
    }

    public byte Byte() => Take(1)[0];

    /// <summary>Where the next read starts: a block and an offset in it, packed in one number.</summary>
    public long Position
    {
        get
        {
            _ = AtEnd;
            return ((long)_block << 32) | (uint)_at;
        }
        set
        {
            _block = (int)(value >> 32);
            _at = (int)(value & uint.MaxValue);
        }
    }

    public void Skip(int count) => Take(count);

    public byte[] ReadBytes(int count) => Take(count).ToArray();

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public ulong VarUInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("a number is too long");
    }

    public long VarInt()
    {
        var raw = VarUInt();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public decimal Decimal()
    {
        Span<int> bits = [Int32(), Int32(), Int32(), Int32()];
        return new decimal(bits);
    }

    public string String()
    {
        var count = checked((int)VarUInt());
        return Encoding.UTF8.GetString(Take(count));
    }
}

/// <summary>Values as bytes: a kind tag, then the shortest form of the payload (whole numbers as variable-length integers).</summary>
internal static class ValueCodec
{
    private const byte None = 0, WholeNumber = 1, Number = 2, Text = 3, True = 4, False = 5, Date = 6, Time = 7, Duration = 8, Tags = 9;

    public static void Write(BlockWriter w, Value v)
    {
        switch (v.Kind)
        {
            case ValueKind.None:
                w.Byte(None);
                break;
            case ValueKind.Number:
            {
                var d = v.Number;
                if (d.Scale == 0 && d >= long.MinValue && d <= long.MaxValue && !(d == 0m && decimal.IsNegative(d)))
                {
                    w.Byte(WholeNumber);
                    w.VarInt((long)d);
                }
                else
                {
                    w.Byte(Number);
                    w.Decimal(d);
                }
                break;
            }
            case ValueKind.Text:
                w.Byte(Text);
                w.String(v.Text);
                break;
            case ValueKind.Bool:
                w.Byte(v.Bool ? True : False);
                break;
            case ValueKind.Date:
                w.Byte(Date);
                w.VarUInt((ulong)v.Date.DayNumber);
                break;
            case ValueKind.Time:
                w.Byte(Time);
                w.Int64(v.Time.DateTime.Ticks);
                w.VarInt(v.Time.Offset.Ticks / TimeSpan.TicksPerMinute);
                break;
            case ValueKind.Duration:
                w.Byte(Duration);
                w.Int64(v.Duration.Ticks);
                break;
            default:
                w.Byte(Tags);
                w.VarUInt((ulong)v.Tags.Length);
                foreach (var tag in v.Tags) w.String(tag);
                break;
        }
    }

    /// <summary>Passes over one value without building it (no string is made).</summary>
    public static void Skip(BlockReader r)
    {
        switch (r.Byte())
        {
            case WholeNumber: r.VarInt(); break;
            case Number: r.Skip(16); break;
            case Text: r.Skip(checked((int)r.VarUInt())); break;
            case Date: r.VarUInt(); break;
            case Time: r.Skip(8); r.VarInt(); break;
            case Duration: r.Skip(8); break;
            case Tags:
                for (var n = (int)r.VarUInt(); n > 0; n--) r.Skip(checked((int)r.VarUInt()));
                break;
        }
    }

    public static Value Read(BlockReader r)
    {
        var tag = r.Byte();
        switch (tag)
        {
            case None: return Value.None;
            case WholeNumber: return Value.FromNumber((decimal)r.VarInt());
            case Number: return Value.FromNumber(r.Decimal());
            case Text: return Value.FromText(r.String());
            case True: return Value.FromBool(true);
            case False: return Value.FromBool(false);
            case Date: return Value.FromDate(DateOnly.FromDayNumber(checked((int)r.VarUInt())));
            case Time:
            {
                var ticks = r.Int64();
                var offset = TimeSpan.FromMinutes(r.VarInt());
                return Value.FromTime(new DateTimeOffset(ticks, offset));
            }
            case Duration: return Value.FromDuration(TimeSpan.FromTicks(r.Int64()));
            case Tags:
            {
                var tags = new string[checked((int)r.VarUInt())];
                for (var i = 0; i < tags.Length; i++) tags[i] = r.String();
                return Value.FromTags(tags);
            }
        }
        throw new InvalidDataException($"unknown value tag {tag}");
    }
}
