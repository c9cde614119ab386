namespace TariffLang.Runtime;

/// <summary>
/// The values a <c>distinct</c> aggregate has seen in its period, with the months each was seen in. Text values of a
/// period of at most 32 months live in one open-addressing table of 16-byte slots (the key, its hash, the months as
/// bits): a look-up touches one cache line, where a <see cref="Dictionary{TKey,TValue}"/> of strings to
/// <see cref="MonthBits"/> touches its buckets, its entries and the key, and takes about twice the memory per value.
/// Distinct counts over large sets (a dealer's visitors in a month) made that the hottest spot of rating, measured with
/// perf on the Web1on1 benchmark. Other keys, and longer periods, go to a <see cref="KeyMap{TValue}"/>.
/// </summary>
internal sealed class DistinctValues
{
    private const int MaxTableMonths = 32;

    private struct Slot
    {
        public string? Key;
        public int Hash;
        public uint Months;
    }

    private Slot[] _slots = new Slot[16];
    private int _texts;
    private KeyMap<MonthBits>? _others;
    private bool _wide;

    /// <summary>How many distinct values are kept.</summary>
    public int Count => _texts + (_others?.Count ?? 0);

    /// <summary>Forgets every value, for a period of <paramref name="months"/> months.</summary>
    public void Reset(int months)
    {
        // The slots keep their size: the next month of the same account needs about as many.
        if (_texts > 0) Array.Clear(_slots);
        _texts = 0;
        _others?.Clear();
        _wide = months > MaxTableMonths;
    }

    public void Add(int month, in Value key)
    {
        if (key.Kind != ValueKind.Text || _wide)
        {
            _others ??= new KeyMap<MonthBits>();
            _others.GetValueRefOrAddDefault(key, out _).Add(month);
            return;
        }
        AddText(key.Text, month);
    }

    private void AddText(string text, int month)
    {
        // The string hash is randomized per process, so a ledger cannot be crafted to make its keys collide.
        var hash = text.GetHashCode();
        var mask = _slots.Length - 1;
        for (var i = hash & mask;; i = (i + 1) & mask)
        {
            ref var slot = ref _slots[i];
            if (slot.Key is null)
            {
                slot.Key = text;
                slot.Hash = hash;
                slot.Months = 1u << month;
                // At most three quarters full, so that probes stay short.
                if (++_texts * 4 > _slots.Length * 3) Grow();
                return;
            }
            if (slot.Hash == hash && (ReferenceEquals(slot.Key, text) || string.Equals(slot.Key, text, StringComparison.Ordinal)))
            {
                slot.Months |= 1u << month;
                return;
            }
        }
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new Slot[old.Length * 2];
        var mask = _slots.Length - 1;
        foreach (ref readonly var slot in old.AsSpan())
        {
            if (slot.Key is null) continue;
            var i = slot.Hash & mask;
            while (_slots[i].Key is not null) i = (i + 1) & mask;
            _slots[i] = slot;
        }
    }

    /// <summary>How many values were seen in at least one of <paramref name="months"/>.</summary>
    public int CountIn(MonthRange months)
    {
        var count = 0;
        if (_texts > 0)
        {
            var mask = MonthMask(months);
            foreach (ref readonly var slot in _slots.AsSpan())
            {
                if (slot.Key is not null && (slot.Months & mask) != 0) count++;
            }
        }
        if (_others is not null)
        {
            foreach (var bits in _others.Values)
            {
                if (bits.Any(months)) count++;
            }
        }
        return count;
    }

    private static uint MonthMask(MonthRange months)
    {
        var first = Math.Max(months.First, 0);
        var last = Math.Min(months.Last, MaxTableMonths - 1);
        if (first > last) return 0;
        var width = last - first + 1;
        return (width == 32 ? uint.MaxValue : (1u << width) - 1) << first;
    }

    /// <summary>
    /// Every value with its months, texts in ordinal order: a snapshot does not depend on the per-process string hash.
    /// </summary>
    public IEnumerable<(Value Key, MonthBits Months)> Pairs()
    {
        var texts = new List<(string Key, uint Months)>(_texts);
        foreach (var slot in _slots)
        {
            if (slot.Key is not null) texts.Add((slot.Key, slot.Months));
        }
        texts.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var (key, months) in texts) yield return (Value.FromText(key), MonthBits.From(months, null));
        if (_others is null) yield break;
        foreach (var pair in _others.Pairs) yield return (pair.Key, pair.Value);
    }

    /// <summary>Puts back a value read from a snapshot.</summary>
    public void Restore(in Value key, MonthBits months)
    {
        var (low, high) = months.Bits;
        if (key.Kind == ValueKind.Text && !_wide && high is null && low <= uint.MaxValue)
        {
            for (var m = 0; m < MaxTableMonths; m++)
            {
                if ((low & (1UL << m)) != 0) AddText(key.Text, m);
            }
            return;
        }
        _others ??= new KeyMap<MonthBits>();
        _others.Set(key, months);
    }
}
