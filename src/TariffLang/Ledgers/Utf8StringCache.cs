using System.Buffers.Binary;
using System.Numerics;

namespace TariffLang.Ledgers;

/// <summary>
/// Turns UTF-8 bytes into strings, giving back the same string without allocating when the same bytes were met
/// recently: account names, event names and repeated attribute texts recur on most rows of a ledger. Direct-mapped by a
/// hash of the bytes, with a fixed number of slots and a bounded length per slot, so its memory stays the same however
/// many distinct values go through it (a new value just takes the slot over). Not thread-safe: one per worker.
/// </summary>
internal sealed class Utf8StringCache
{
    private readonly int _mask;
    private readonly int _maxLength;
    private readonly string?[] _strings;
    private readonly ulong[] _hashes;
    private readonly int[] _lengths;
    private readonly byte[] _bytes;

    /// <param name="slots">How many strings are kept, rounded up to a power of two.</param>
    /// <param name="maxLength">Longer values are decoded each time, never kept.</param>
    public Utf8StringCache(int slots = 4096, int maxLength = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var count = (int)BitOperations.RoundUpToPowerOf2((uint)slots);
        _mask = count - 1;
        _maxLength = maxLength;
        _strings = new string?[count];
        _hashes = new ulong[count];
        _lengths = new int[count];
        _bytes = new byte[count * maxLength];
    }

    /// <summary>How many strings the cache holds at most.</summary>
    public int Slots => _strings.Length;

    /// <summary>The text of <paramref name="utf8"/>.</summary>
    public string GetString(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return string.Empty;
        if (utf8.Length > _maxLength) return Utf8Text.Decode(utf8);

        var hash = Hash(utf8);
        var slot = (int)(hash >> 32) & _mask;
        var stored = _bytes.AsSpan(slot * _maxLength, utf8.Length);
        if (_hashes[slot] == hash && _lengths[slot] == utf8.Length && _strings[slot] is { } cached && utf8.SequenceEqual(stored))
        {
            return cached;
        }

        var text = Utf8Text.Decode(utf8);
        utf8.CopyTo(stored);
        _hashes[slot] = hash;
        _lengths[slot] = utf8.Length;
        _strings[slot] = text;
        return text;
    }

    internal static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        const ulong Prime = 0x9E3779B97F4A7C15;
        var hash = (ulong)bytes.Length * Prime;
        var i = 0;
        for (; i + 8 <= bytes.Length; i += 8)
        {
            hash = BitOperations.RotateLeft((hash ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..])) * Prime, 31);
        }
        ulong tail = 0;
        for (var shift = 0; i < bytes.Length; i++, shift += 8) tail |= (ulong)bytes[i] << shift;
        hash = (hash ^ tail) * Prime;
        return hash ^ (hash >> 29);
    }
}
