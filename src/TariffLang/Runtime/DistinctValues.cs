using System.Runtime.CompilerServices;

namespace TariffLang.Runtime;

/// <summary>
/// The values a <c>distinct</c> aggregate has seen in its period, with the months each was seen in. Text values of a
/// period of at most 32 months live in a <see cref="TextKeyTable{TValue}"/> of the months as bits: a look-up reads one
/// slot, and the table keeps no string alive (a dealer's month of visitors no longer holds a string per visitor).
/// Distinct counts over large sets made a dictionary of strings the hottest spot of rating, measured with perf on the
/// Web1on1 benchmark. In a period of one month the months need no keeping, and texts that fit one word (short codes,
/// phone numbers; see <see cref="TextWord"/>) go to a <see cref="ShortTextSet"/>. Other keys, and longer periods, go to a
/// <see cref="KeyMap{TValue}"/>.
/// </summary>
internal sealed class DistinctValues
{
    private const int MaxTableMonths = 32;

    private readonly TextKeyTable<uint> _texts = new();
    private ShortTextSet? _short;
    private KeyMap<MonthBits>? _others;
    private bool _wide;
    private bool _oneMonth;

    /// <summary>How many distinct values are kept.</summary>
    public int Count => _texts.Count + (_short?.Count ?? 0) + (_others?.Count ?? 0);

    /// <summary>Forgets every value, for a period of <paramref name="months"/> months.</summary>
    public void Reset(int months)
    {
        _texts.Clear();
        _short?.Clear();
        _others?.Clear();
        _wide = months > MaxTableMonths;
        _oneMonth = months == 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(int month, in Value key)
    {
        if (key.Kind != ValueKind.Text || _wide)
        {
            _others ??= new KeyMap<MonthBits>();
            _others.GetValueRefOrAddDefault(key, out _).Add(month);
            return;
        }
        AddText(key, month);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddText(in Value text, int month)
    {
        // A text takes one place only, decided by its form: the set and the table never hold the same text. A text read
        // from the ledger as its word alone goes to the set without its string ever being made.
        if (_oneMonth && TextWord.OfValue(text) is var word and not 0)
        {
            (_short ??= new ShortTextSet()).Add(word);
            return;
        }
        _texts.GetValueRefOrAddDefault(TextKey.From(text.Text), out _) |= 1u << month;
    }

    /// <summary>How many values were seen in at least one of <paramref name="months"/>.</summary>
    public int CountIn(MonthRange months)
    {
        var count = 0;
        // The short texts of a one-month period were all seen in month 0.
        if (_short is not null && (MonthMask(months) & 1) != 0) count += _short.Count;
        if (_texts.Count > 0)
        {
            var mask = MonthMask(months);
            foreach (var bits in _texts.Values)
            {
                if ((bits & mask) != 0) count++;
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
    /// Every value with its months, texts in ordinal order (those of a period over 32 months in the order first seen):
    /// a snapshot does not depend on the per-process string hash.
    /// </summary>
    public IEnumerable<(Value Key, MonthBits Months)> Pairs()
    {
        var texts = new List<(string Key, uint Months)>(_texts.Pairs);
        if (_short is not null)
        {
            foreach (var text in _short.Texts) texts.Add((text, 1u));
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
            if (low == 0) return;
            // In a one-month period a value's only month is the first; AddText puts the text where Add would.
            if (_oneMonth) AddText(key, 0);
            else _texts.GetValueRefOrAddDefault(TextKey.From(key.Text), out _) |= (uint)low;
            return;
        }
        _others ??= new KeyMap<MonthBits>();
        _others.Set(key, months);
    }
}
