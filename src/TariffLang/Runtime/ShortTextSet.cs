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
    private ulong[] _slots = new ulong[LinearProbing.InitialLength];
    private int _count;

    /// <summary>How many texts are stored.</summary>
    public int Count => _count;

    /// <summary>How many slots the table has (a power of two).</summary>
    internal int Capacity => _slots.Length;

    /// <summary>Adds a text's word (from <see cref="TextWord.Of"/>); false when it was there already.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Add(ulong word)
    {
        var slots = _slots;
        for (var i = LinearProbing.Home(TextWord.HashOf(word), slots.Length);; i = LinearProbing.Next(i, slots.Length))
        {
            var slot = slots[i];
            if (slot == word) return false;
            if (slot != 0) continue;
            if (LinearProbing.IsFullFor(_count, slots.Length))
            {
                Grow();
                return Add(word);
            }
            slots[i] = word;
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
        var slots = new ulong[LinearProbing.GrownLength(old.Length)];
        foreach (var word in old)
        {
            if (word == 0) continue;
            var i = LinearProbing.Home(TextWord.HashOf(word), slots.Length);
            while (slots[i] != 0) i = LinearProbing.Next(i, slots.Length);
            slots[i] = word;
        }
        _slots = slots;
    }
}
