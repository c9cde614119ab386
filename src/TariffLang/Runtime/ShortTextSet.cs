using System.Runtime.CompilerServices;

namespace TariffLang.Runtime;

/// <summary>
/// A set of short texts, one machine word a slot (see <see cref="TextWord"/>). Identifiers of that form are what a
/// month's distinct set mostly holds (visitors, agents, phone numbers), and it is the largest open state of a busy month:
/// 8 bytes a slot instead of the 24 of a <see cref="TextKeyTable{TValue}"/> slot (two words of key and the months,
/// padded) made a 10 M-row Web1on1 month's tables a third of their size. Only a set: the months a value was seen in are
/// not kept, so it serves periods of one month.
/// </summary>
internal sealed class ShortTextSet
{
    private ulong[] _slots = new ulong[16];
    private int _count;

    /// <summary>How many texts are stored.</summary>
    public int Count => _count;

    /// <summary>How many slots the table has (a power of two).</summary>
    internal int Capacity => _slots.Length;

    /// <summary>Adds a text's word (from <see cref="TextWord.Of"/>); false when it was there already.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Add(ulong word)
    {
        var mask = _slots.Length - 1;
        for (var i = TextWord.HashOf(word) & mask;; i = (i + 1) & mask)
        {
            var slot = _slots[i];
            if (slot == word) return false;
            if (slot != 0) continue;
            // At most three quarters full, as TextKeyTable: probes stay short.
            if ((_count + 1) * 4 > _slots.Length * 3)
            {
                Grow();
                return Add(word);
            }
            _slots[i] = word;
            _count++;
            return true;
        }
    }

    /// <summary>Forgets every text; the slots keep their size, as the next month needs about as many.</summary>
    public void Clear()
    {
        if (_count > 0) Array.Clear(_slots);
        _count = 0;
    }

    /// <summary>Every text, in no particular order.</summary>
    public IEnumerable<string> Texts
    {
        get
        {
            for (var i = 0; i < _slots.Length; i++)
            {
                if (_slots[i] != 0) yield return TextWord.TextOf(_slots[i]);
            }
        }
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new ulong[old.Length * 2];
        var mask = _slots.Length - 1;
        foreach (var word in old)
        {
            if (word == 0) continue;
            var i = TextWord.HashOf(word) & mask;
            while (_slots[i] != 0) i = (i + 1) & mask;
            _slots[i] = word;
        }
    }
}
