using System.Numerics;
using System.Runtime.CompilerServices;

namespace TariffLang.Runtime;

/// <summary>
/// A text as a key of a <see cref="TextKeyTable{TValue}"/>, made once per look-up so that several tables (a window's
/// two generations) are asked without hashing it again. A text of at most <see cref="MaxPacked"/> characters, each
/// below U+0100, is packed into two words (ledger identifiers nearly always are: contacts, visitors, users); any other
/// text is kept by reference. <see cref="Hash"/> is seeded per process either way (see <see cref="HashOf"/>; a text
/// kept by reference has its string hash), so a ledger cannot be crafted to make its keys collide.
/// </summary>
internal readonly struct TextKey
{
    /// <summary>The longest text that packs, in characters.</summary>
    public const int MaxPacked = 15;

    /// <summary>The top byte of <see cref="Hi"/> for a text kept by reference; a packed text has its length + 1 there.</summary>
    internal const ulong LongMark = 0xFFUL << 56;

    /// <summary>Characters 0 to 7 of a packed text, a byte each; the hash and list place of a text kept by reference.</summary>
    public readonly ulong Lo;

    /// <summary>Characters 8 to 14 of a packed text and its length + 1 in the top byte; <see cref="LongMark"/> otherwise.</summary>
    public readonly ulong Hi;

    /// <summary>The key's hash, seeded per process.</summary>
    public readonly int Hash;

    /// <summary>The text itself when it does not pack; null when it does.</summary>
    public readonly string? Long;

    private TextKey(ulong lo, ulong hi, int hash, string? text)
    {
        Lo = lo;
        Hi = hi;
        Hash = hash;
        Long = text;
    }

    /// <summary>The key of <paramref name="text"/>.</summary>
    public static TextKey From(string text) =>
        TryPack(text, out var lo, out var hi)
            ? new TextKey(lo, hi, HashOf(lo, hi), null)
            : new TextKey(0, LongMark, text.GetHashCode(), text);

    /// <summary>Packs <paramref name="text"/> into two words; false (and zero words) when it is too long or too wide.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryPack(ReadOnlySpan<char> text, out ulong lo, out ulong hi)
    {
        lo = hi = 0;
        var length = text.Length;
        if (length > MaxPacked) return false;
        // One test for every character at the end instead of one each: OR-ed together, a wide one shows above 0xFF.
        var any = 0;
        var head = Math.Min(length, 8);
        for (var i = 0; i < head; i++)
        {
            any |= text[i];
            lo |= (ulong)text[i] << (8 * i);
        }
        for (var i = 8; i < length; i++)
        {
            any |= text[i];
            hi |= (ulong)text[i] << (8 * (i - 8));
        }
        // The length is kept so that texts ending in U+0000 stay apart, and + 1 so that a zero word means an empty slot.
        hi |= (ulong)(length + 1) << 56;
        if (any <= 0xFF) return true;
        lo = hi = 0;
        return false;
    }

    /// <summary>
    /// The hash of a packed text: <see cref="HashCode"/> over its four 32-bit parts, which .NET seeds at random per
    /// process, so a ledger cannot be crafted to make its keys collide. Cheaper than hashing the characters of the string
    /// (WindowBenchmarks), and a table that grows rehashes from its slots without making strings.
    /// </summary>
    public static int HashOf(ulong lo, ulong hi) => HashCode.Combine((uint)lo, (uint)(lo >> 32), (uint)hi, (uint)(hi >> 32));

    /// <summary>The characters of a packed text; <paramref name="buffer"/> holds at least <see cref="MaxPacked"/>.</summary>
    public static ReadOnlySpan<char> Unpack(ulong lo, ulong hi, Span<char> buffer)
    {
        var length = (int)(hi >> 56) - 1;
        for (var i = 0; i < length; i++) buffer[i] = (char)(byte)((i < 8 ? lo >> (8 * i) : hi >> (8 * (i - 8))));
        return buffer[..length];
    }
}

/// <summary>
/// An open-addressing map from texts to small values, for the per-key state that grows with a busy period: a window's
/// openings per contact, a distinct count's values. Packed keys (see <see cref="TextKey"/>) live in the slots
/// themselves, so a look-up reads one place in memory and the table keeps none of their strings alive: the ledger's
/// strings die young instead of being promoted by the collector, and the slots hold no reference for it to trace. A
/// <see cref="Dictionary{TKey,TValue}"/> of strings read its buckets, its entries and the key's string, measured as the
/// largest items of Aircall's and Web1on1's rating with perf. Texts that do not pack are kept in a list beside.
/// Iteration order follows the per-process hash: callers that write keys out sort them.
/// </summary>
internal sealed class TextKeyTable<TValue> where TValue : struct
{
    private struct Slot
    {
        public ulong Lo;
        public ulong Hi;
        public TValue Value;
    }

    private Slot[] _slots;
    private List<string?>? _long;
    private int _count;

    /// <summary>An empty table with room for about <paramref name="capacity"/> slots (at least 16, a power of two).</summary>
    public TextKeyTable(int capacity = LinearProbing.InitialLength) =>
        _slots = new Slot[Math.Max(LinearProbing.InitialLength, (int)BitOperations.RoundUpToPowerOf2((uint)capacity))];

    /// <summary>How many keys are stored.</summary>
    public int Count => _count;

    /// <summary>How many slots the table has (a power of two).</summary>
    internal int Capacity => _slots.Length;

    /// <summary>The value stored under <paramref name="key"/>, if any.</summary>
    public bool TryGetValue(in TextKey key, out TValue value)
    {
        var index = IndexOf(key);
        value = index < 0 ? default : _slots[index].Value;
        return index >= 0;
    }

    /// <summary>The value stored under a key, added as default when absent (<paramref name="existed"/> says which).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ref TValue GetValueRefOrAddDefault(in TextKey key, out bool existed)
    {
        var slots = _slots;
        for (var i = LinearProbing.Home(key.Hash, slots.Length);; i = LinearProbing.Next(i, slots.Length))
        {
            ref var slot = ref slots[i];
            if (slot.Hi == 0)
            {
                if (LinearProbing.IsFullFor(_count, slots.Length))
                {
                    Grow();
                    return ref GetValueRefOrAddDefault(key, out existed);
                }
                if (key.Long is null)
                {
                    slot.Lo = key.Lo;
                    slot.Hi = key.Hi;
                }
                else
                {
                    _long ??= new List<string?>();
                    slot.Lo = (uint)key.Hash | ((ulong)_long.Count << 32);
                    slot.Hi = TextKey.LongMark;
                    _long.Add(key.Long);
                }
                _count++;
                existed = false;
                return ref slot.Value;
            }
            if (Matches(slot, key))
            {
                existed = true;
                return ref slot.Value;
            }
        }
    }

    /// <summary>Removes <paramref name="key"/>; false when it was not there.</summary>
    public bool Remove(in TextKey key)
    {
        var hole = IndexOf(key);
        if (hole < 0) return false;
        // A long text's place in the list is not reused before Clear, but its string is let go now.
        if (_slots[hole].Hi == TextKey.LongMark) _long![(int)(_slots[hole].Lo >> 32)] = null;
        // Linear probing: the keys after the hole that would no longer be found move back into it.
        var length = _slots.Length;
        for (var next = LinearProbing.Next(hole, length); _slots[next].Hi != 0; next = LinearProbing.Next(next, length))
        {
            var home = LinearProbing.Home(HashOf(_slots[next]), length);
            if (!LinearProbing.MovesIntoHole(hole, next, home)) continue;
            _slots[hole] = _slots[next];
            hole = next;
        }
        _slots[hole] = default;
        _count--;
        return true;
    }

    /// <summary>Forgets every key; the slots keep their size, as the next use needs about as many.</summary>
    public void Clear()
    {
        if (_count > 0) Array.Clear(_slots);
        _count = 0;
        _long?.Clear();
    }

    /// <summary>Every key with its value, in no particular order.</summary>
    public IEnumerable<(string Key, TValue Value)> Pairs
    {
        get
        {
            for (var i = 0; i < _slots.Length; i++)
            {
                var slot = _slots[i];
                if (slot.Hi != 0) yield return (TextOf(slot), slot.Value);
            }
        }
    }

    /// <summary>Every value, in no particular order.</summary>
    public IEnumerable<TValue> Values
    {
        get
        {
            for (var i = 0; i < _slots.Length; i++)
            {
                if (_slots[i].Hi != 0) yield return _slots[i].Value;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int IndexOf(in TextKey key)
    {
        var slots = _slots;
        for (var i = LinearProbing.Home(key.Hash, slots.Length);; i = LinearProbing.Next(i, slots.Length))
        {
            ref readonly var slot = ref slots[i];
            if (slot.Hi == 0) return -1;
            if (Matches(slot, key)) return i;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Matches(in Slot slot, in TextKey key)
    {
        if (key.Long is null) return slot.Lo == key.Lo && slot.Hi == key.Hi;
        return slot.Hi == TextKey.LongMark && (uint)slot.Lo == (uint)key.Hash
            && string.Equals(_long![(int)(slot.Lo >> 32)], key.Long, StringComparison.Ordinal);
    }

    private int HashOf(in Slot slot)
    {
        return slot.Hi == TextKey.LongMark ? (int)(uint)slot.Lo : TextKey.HashOf(slot.Lo, slot.Hi);
    }

    private string TextOf(in Slot slot)
    {
        if (slot.Hi == TextKey.LongMark) return _long![(int)(slot.Lo >> 32)]!;
        Span<char> buffer = stackalloc char[TextKey.MaxPacked];
        return new string(TextKey.Unpack(slot.Lo, slot.Hi, buffer));
    }

    private void Grow()
    {
        var old = _slots;
        var slots = new Slot[LinearProbing.GrownLength(old.Length)];
        foreach (ref readonly var slot in old.AsSpan())
        {
            if (slot.Hi == 0) continue;
            var i = LinearProbing.Home(HashOf(slot), slots.Length);
            while (slots[i].Hi != 0) i = LinearProbing.Next(i, slots.Length);
            slots[i] = slot;
        }
        _slots = slots;
    }
}
