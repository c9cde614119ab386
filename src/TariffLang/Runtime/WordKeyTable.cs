using System.Runtime.CompilerServices;

namespace TariffLang.Runtime;

/// <summary>
/// An open-addressing map from texts that fit one word (see <see cref="TextWord"/>) to small values: a window's openings
/// per contact. A slot is the word and the value, 16 bytes for a time where a <see cref="TextKeyTable{TValue}"/> slot took
/// 24 (two words of key), and 24 for a full opening where it took 32. The openings of a day are the open state that grows
/// with a busy month (Aircall's contacts). Iteration order follows the per-process hash: callers that write keys out sort
/// them.
/// </summary>
internal sealed class WordKeyTable<TValue> where TValue : struct
{
    private struct Slot
    {
        public ulong Word;
        public TValue Value;
    }

    private Slot[] _slots = new Slot[LinearProbing.InitialLength];
    private int _count;

    /// <summary>How many keys are stored.</summary>
    public int Count => _count;

    /// <summary>The value stored under <paramref name="word"/>, if any.</summary>
    public bool TryGetValue(ulong word, out TValue value)
    {
        var index = IndexOf(word);
        value = index < 0 ? default : _slots[index].Value;
        return index >= 0;
    }

    /// <summary>The value stored under a word, added as default when absent (<paramref name="existed"/> says which).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ref TValue GetValueRefOrAddDefault(ulong word, out bool existed)
    {
        var slots = _slots;
        for (var i = LinearProbing.Home(TextWord.HashOf(word), slots.Length);; i = LinearProbing.Next(i, slots.Length))
        {
            ref var slot = ref slots[i];
            if (slot.Word == word)
            {
                existed = true;
                return ref slot.Value;
            }
            if (slot.Word != 0) continue;
            if (LinearProbing.IsFullFor(_count, slots.Length))
            {
                Grow();
                return ref GetValueRefOrAddDefault(word, out existed);
            }
            slot.Word = word;
            _count++;
            existed = false;
            return ref slot.Value;
        }
    }

    /// <summary>Removes <paramref name="word"/>; false when it was not there.</summary>
    public bool Remove(ulong word)
    {
        var hole = IndexOf(word);
        if (hole < 0) return false;
        // Linear probing: the keys after the hole that would no longer be found move back into it.
        var length = _slots.Length;
        for (var next = LinearProbing.Next(hole, length); _slots[next].Word != 0; next = LinearProbing.Next(next, length))
        {
            var home = LinearProbing.Home(TextWord.HashOf(_slots[next].Word), length);
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
    }

    /// <summary>Every key's text with its value, in no particular order.</summary>
    public IEnumerable<(string Key, TValue Value)> Pairs
    {
        get
        {
            for (var i = 0; i < _slots.Length; i++)
            {
                var slot = _slots[i];
                if (slot.Word != 0) yield return (TextWord.TextOf(slot.Word), slot.Value);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int IndexOf(ulong word)
    {
        var slots = _slots;
        for (var i = LinearProbing.Home(TextWord.HashOf(word), slots.Length);; i = LinearProbing.Next(i, slots.Length))
        {
            var found = slots[i].Word;
            if (found == word) return i;
            if (found == 0) return -1;
        }
    }

    private void Grow()
    {
        var old = _slots;
        var slots = new Slot[LinearProbing.GrownLength(old.Length)];
        foreach (ref readonly var slot in old.AsSpan())
        {
            if (slot.Word == 0) continue;
            var i = LinearProbing.Home(TextWord.HashOf(slot.Word), slots.Length);
            while (slots[i].Word != 0) i = LinearProbing.Next(i, slots.Length);
            slots[i] = slot;
        }
        _slots = slots;
    }
}
