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

    private Slot[] _slots = new Slot[16];
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
        var mask = _slots.Length - 1;
        for (var i = TextWord.HashOf(word) & mask;; i = (i + 1) & mask)
        {
            ref var slot = ref _slots[i];
            if (slot.Word == word)
            {
                existed = true;
                return ref slot.Value;
            }
            if (slot.Word != 0) continue;
            // At most three quarters full, as TextKeyTable.
            if ((_count + 1) * 4 > _slots.Length * 3)
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
        var mask = _slots.Length - 1;
        for (var next = (hole + 1) & mask; _slots[next].Word != 0; next = (next + 1) & mask)
        {
            var home = TextWord.HashOf(_slots[next].Word) & mask;
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
        var mask = _slots.Length - 1;
        for (var i = TextWord.HashOf(word) & mask;; i = (i + 1) & mask)
        {
            var found = _slots[i].Word;
            if (found == word) return i;
            if (found == 0) return -1;
        }
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new Slot[old.Length * 2];
        var mask = _slots.Length - 1;
        foreach (ref readonly var slot in old.AsSpan())
        {
            if (slot.Word == 0) continue;
            var i = TextWord.HashOf(slot.Word) & mask;
            while (_slots[i].Word != 0) i = (i + 1) & mask;
            _slots[i] = slot;
        }
    }
}
