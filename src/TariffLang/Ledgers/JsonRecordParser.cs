using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace TariffLang.Ledgers;

/// <summary>
/// Parses JSON Lines records (one per line) or JSON array elements (as <see cref="LedgerStreamReader"/> cuts them)
/// with <see cref="Utf8JsonReader"/>, giving the rows and the messages of <c>JsonDocument.Parse</c> followed by
/// <see cref="LedgerReader.ReadFlatObject"/>. Attribute column ids are ids of keys, stable for the parser's life.
/// </summary>
internal sealed class JsonRecordParser : LedgerRecordParser
{
    private const int TimeKey = 0, AccountKey = 1, EventKey = 2, IdKey = 3, QuantityKey = 4;

    private readonly JsonKeyTable _keys = new();
    private int[] _seen = new int[16];
    private int _stamp;
    private LedgerFormat _format;
    private int _length;
    private int _position;

    public JsonRecordParser()
    {
        // The reserved keys take the first ids, so that the row's reserved values are found by id.
        foreach (var name in (string[])[LedgerReader.TimeColumn, LedgerReader.AccountColumn, LedgerReader.EventColumn,
                     LedgerReader.IdColumn, LedgerReader.QuantityColumn])
        {
            _keys.GetId(System.Text.Encoding.UTF8.GetBytes(name));
        }
    }

    public override void Reset(LedgerChunk chunk)
    {
        Data = chunk.Buffer;
        _format = chunk.Format;
        _length = chunk.Length;
        _position = 0;
        Row = chunk.FirstRow - 1;
    }

    public override string ColumnName(int column) => _keys.Name(column);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool MoveNext()
    {
        if (_format == LedgerFormat.JsonArray)
        {
            if (_position >= _length) return false;
            var size = BinaryPrimitives.ReadInt32LittleEndian(Data.AsSpan(_position));
            var start = _position + 4;
            _position = start + size;
            Row++;
            Read(start, size);
            return true;
        }

        while (_position < _length)
        {
            var start = _position;
            var rest = Data.AsSpan(start, _length - start);
            var end = rest.IndexOfAny((byte)'\n', (byte)'\r');
            if (end < 0)
            {
                end = rest.Length;
                _position = _length;
            }
            else
            {
                _position = start + end + (rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n' ? 2 : 1);
            }
            // Every physical line takes a number, blank or not, so that rows point at lines in an editor.
            Row++;
            if (Row == 1)
            {
                // The first line may start with byte order marks (beyond the one the decoding drops).
                while (end >= 3 && rest[..3].SequenceEqual("\uFEFF"u8))
                {
                    rest = rest[3..];
                    start += 3;
                    end -= 3;
                }
            }
            if (Utf8Text.IsWhiteSpace(rest[..end])) continue;
            Read(start, end);
            return true;
        }
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Read(int start, int length)
    {
        BeginRecord();
        var record = new ReadOnlySpan<byte>(Data, start, length);
        // Defaults of JsonDocument.Parse: depth 64, no comments, no trailing commas.
        var reader = new Utf8JsonReader(record);
        string? problem = null;
        Exception? unreadable = null;
        Slice time = default, account = default, @event = default, quantity = default, id = default;
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                problem = $"expected a JSON object but found {Describe(reader.TokenType)}";
                if (reader.TokenType == JsonTokenType.StartArray) reader.Skip();
            }
            else
            {
                NextStamp();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var settled = problem is not null || unreadable is not null;
                    var key = -1;
                    if (!settled)
                    {
                        try
                        {
                            key = _keys.GetId(Text(ref reader));
                            // A record may bring keys never seen before; the stamp table grows with the key table.
                            if (key >= _seen.Length) Array.Resize(ref _seen, Math.Max(_seen.Length * 2, key + 1));
                        }
                        catch (InvalidOperationException ex)
                        {
                            unreadable = ex;
                        }
                    }
                    reader.Read();
                    var token = reader.TokenType;
                    if (key >= 0)
                    {
                        if (_seen[key] == _stamp)
                        {
                            problem = $"key '{_keys.Name(key)}' appears more than once";
                        }
                        else
                        {
                            _seen[key] = _stamp;
                            Slice value = default;
                            var present = true;
                            switch (token)
                            {
                                case JsonTokenType.String:
                                    try
                                    {
                                        value = Place(Text(ref reader));
                                    }
                                    catch (InvalidOperationException ex)
                                    {
                                        unreadable = ex;
                                        present = false;
                                    }
                                    break;
                                case JsonTokenType.Number:
                                    value = Place(reader.ValueSpan);
                                    break;
                                case JsonTokenType.True:
                                    value = Copy("true"u8);
                                    break;
                                case JsonTokenType.False:
                                    value = Copy("false"u8);
                                    break;
                                case JsonTokenType.Null:
                                    present = false;
                                    break;
                                default:
                                    problem = $"key '{_keys.Name(key)}' holds {Describe(token)}; "
                                              + "values must be strings, numbers, booleans or null";
                                    present = false;
                                    break;
                            }
                            if (present)
                            {
                                switch (key)
                                {
                                    case TimeKey: time = value; break;
                                    case AccountKey: account = value; break;
                                    case EventKey: @event = value; break;
                                    case IdKey: id = value; break;
                                    case QuantityKey: quantity = value; break;
                                    default: AddAttribute(key, value); break;
                                }
                            }
                        }
                    }
                    if (token is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
                }
            }
            // JsonDocument.Parse reads to the end before anything else is looked at: trailing text is a JSON error.
            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            Error = LedgerReader.DescribeJsonError(ex);
            return;
        }
        if (unreadable is not null)
        {
            // Known quirk kept on purpose: a lone surrogate escape ("\ud800") made the old reader's GetString throw
            // out of the read, before any later problem of the object was seen (see LedgerReaderDifferentialTests).
            ExceptionDispatchInfo.Throw(unreadable);
        }
        if (problem is not null)
        {
            Error = problem;
            return;
        }
        ReadReserved(time, account, @event, quantity, id, csv: false);
    }

    private void NextStamp()
    {
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_seen);
            _stamp = 1;
        }
    }

    /// <summary>The unescaped bytes of the current string or property name; they stay valid for this record.</summary>
    private ReadOnlySpan<byte> Text(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped) return reader.ValueSpan;
        var at = ReserveScratch(reader.ValueSpan.Length);
        var length = reader.CopyString(Scratch.AsSpan(at, reader.ValueSpan.Length));
        ScratchLength = at + length;
        return Scratch.AsSpan(at, length);
    }

    /// <summary>The slice of <paramref name="bytes"/>, which lie either in the chunk or in the scratch buffer.</summary>
    private Slice Place(ReadOnlySpan<byte> bytes)
    {
        ref var first = ref MemoryMarshal.GetReference(bytes);
        var offset = Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(Data), ref first);
        if (offset >= 0 && offset <= Data.Length) return new Slice((int)offset, bytes.Length);
        offset = Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(Scratch), ref first);
        return new Slice(~(int)offset, bytes.Length);
    }

    private Slice Copy(ReadOnlySpan<byte> bytes)
    {
        var at = ReserveScratch(bytes.Length);
        bytes.CopyTo(Scratch.AsSpan(at));
        return new Slice(~at, bytes.Length);
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };
}

/// <summary>
/// Ids for JSON keys, by their unescaped UTF-8 bytes, without a string per lookup. Ids are dense from 0 and never
/// change; the table grows with the number of distinct keys, which a ledger keeps small.
/// </summary>
internal sealed class JsonKeyTable
{
    private int[] _slots = new int[64];
    private readonly List<byte[]> _bytes = [];
    private readonly List<string> _names = [];
    private readonly List<uint> _hashes = [];

    public int Count => _names.Count;

    public string Name(int id) => _names[id];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int GetId(ReadOnlySpan<byte> key)
    {
        var hash = Hash(key);
        var mask = _slots.Length - 1;
        for (var slot = (int)hash & mask; ; slot = (slot + 1) & mask)
        {
            var entry = _slots[slot] - 1;
            if (entry < 0) break;
            if (_hashes[entry] == hash && key.SequenceEqual(_bytes[entry])) return entry;
        }

        var id = _names.Count;
        _bytes.Add(key.ToArray());
        _names.Add(Utf8Text.Decode(key));
        _hashes.Add(hash);
        if (_names.Count * 2 > _slots.Length) Rehash();
        else Insert(id, hash);
        return id;
    }

    private void Insert(int id, uint hash)
    {
        var mask = _slots.Length - 1;
        var slot = (int)hash & mask;
        while (_slots[slot] != 0) slot = (slot + 1) & mask;
        _slots[slot] = id + 1;
    }

    private void Rehash()
    {
        _slots = new int[_slots.Length * 2];
        for (var i = 0; i < _names.Count; i++) Insert(i, _hashes[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Hash(ReadOnlySpan<byte> key)
    {
        var hash = 2166136261u;
        foreach (var b in key) hash = (hash ^ b) * 16777619u;
        return hash;
    }
}
