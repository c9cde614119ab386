using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace TariffLang.Ledgers;

/// <summary>
/// Turns UTF-8 bytes into strings, giving back the same string without allocating when the same bytes were met
/// recently: account names, event names and repeated attribute texts recur on most rows of a ledger. Direct-mapped by a
/// hash of the bytes, with a fixed number of slots, so its memory stays the same however many distinct values go
/// through it (a new value just takes the slot over). Not thread-safe: each worker has its own, one per column.
/// <para>
/// A slot is 32 bytes: the hash, the string, and a value of up to 15 bytes itself with its length (contacts, users,
/// kinds: most texts of a ledger), which is then compared without reading the string, whose memory may be anywhere. A
/// longer value is checked against the cached string's own characters. No other copy of the bytes is kept.
/// </para>
/// <para>
/// Small on purpose: a table that fits the processor's caches. A cache grown to hold a busy ledger's contacts (tens of
/// thousands of values) spared most of their strings and a third of the peak memory on 10 M Aircall rows, but made
/// rating 10–20 % slower: a lookup that misses the processor's caches costs more than a new string (measured in
/// docs/performance.md, "The text cache").
/// </para>
/// </summary>
internal sealed class Utf8StringCache
{
    /// <summary>The longest value a cache may keep; its characters are compared on the stack.</summary>
    public const int MaxKept = 256;

    private const int InlineLength = 15;

    private readonly int _maxLength;
    private readonly Slot[] _slots;
    private readonly int _mask;

    private struct Slot
    {
        public ulong Hash;
        public string? Text;

        // A value of up to 15 bytes: its first 8 bytes, then the next 7 and its length in the top byte (0 otherwise).
        public ulong Head;
        public ulong Tail;
    }

    /// <param name="slots">How many strings are kept, rounded up to a power of two.</param>
    /// <param name="maxLength">Longer values (in bytes) are decoded each time, never kept.</param>
    public Utf8StringCache(int slots = 4096, int maxLength = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxLength, MaxKept);
        var count = (int)BitOperations.RoundUpToPowerOf2((uint)slots);
        _maxLength = maxLength;
        _slots = new Slot[count];
        _mask = count - 1;
    }

    /// <summary>How many strings the cache holds at most.</summary>
    public int Slots => _slots.Length;

    /// <summary>The text of <paramref name="utf8"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string GetString(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return string.Empty;
        if (utf8.Length > _maxLength) return Utf8Text.Decode(utf8);

        var hash = Hash(utf8);
        ref var slot = ref _slots[(int)(hash >> 32) & _mask];
        ulong head = 0, tail = 0;
        if (utf8.Length <= InlineLength)
        {
            Words(utf8, out head, out tail);
            if (slot.Hash == hash && slot.Head == head && slot.Tail == tail && slot.Text is { } inline) return inline;
        }
        else if (slot.Hash == hash && slot.Text is { } cached && Same(utf8, cached))
        {
            return cached;
        }

        var text = Utf8Text.Decode(utf8);
        slot.Hash = hash;
        slot.Text = text;
        slot.Head = head;
        slot.Tail = tail;
        return text;
    }

    /// <summary>A value of at most <see cref="InlineLength"/> bytes as two words, its length in the top byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Words(ReadOnlySpan<byte> utf8, out ulong head, out ulong tail)
    {
        if (utf8.Length >= 8)
        {
            head = BinaryPrimitives.ReadUInt64LittleEndian(utf8);
            tail = Partial(utf8[8..]);
        }
        else
        {
            head = Partial(utf8);
            tail = 0;
        }
        tail |= (ulong)utf8.Length << 56;
    }

    /// <summary>Up to 8 bytes as a little-endian word, zero above them.</summary>
    private static ulong Partial(ReadOnlySpan<byte> bytes)
    {
        ulong word = 0;
        for (var i = 0; i < bytes.Length; i++) word |= (ulong)bytes[i] << (8 * i);
        return word;
    }

    /// <summary>Whether <paramref name="text"/> is what <paramref name="utf8"/> decodes to.</summary>
    internal static bool Same(ReadOnlySpan<byte> utf8, string text)
    {
        // Mostly ASCII: then the lengths match and the compare is vectorised.
        if (text.Length == utf8.Length && Ascii.Equals(utf8, text)) return true;
        // Otherwise decode onto the stack and compare: a non-ASCII character takes more UTF-8 bytes than UTF-16 units,
        // and invalid bytes decode to U+FFFD, so this decides every case the line above leaves.
        Span<char> chars = stackalloc char[MaxKept];
        var count = Encoding.UTF8.GetChars(utf8, chars);
        return chars[..count].SequenceEqual(text);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        const ulong Prime = 0x9E3779B97F4A7C15;
        var hash = (ulong)bytes.Length * Prime;
        var i = 0;
        for (; i + 8 <= bytes.Length; i += 8)
        {
            hash = BitOperations.RotateLeft((hash ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..])) * Prime, 31);
        }
        hash = (hash ^ Partial(bytes[i..])) * Prime;
        // A multiplication only carries low bits upward: values that differ in their last bytes (agent-1, agent-2…) would
        // differ only in the top bits. This finishing mix (MurmurHash3's) spreads every input bit over the whole word.
        hash = (hash ^ (hash >> 33)) * 0xFF51AFD7ED558CCD;
        hash = (hash ^ (hash >> 33)) * 0xC4CEB9FE1A85EC53;
        return hash ^ (hash >> 33);
    }
}
