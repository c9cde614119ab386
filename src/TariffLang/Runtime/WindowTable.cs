namespace TariffLang.Runtime;

/// <summary>
/// One window's openings for one account: for each key, when its window was last opened and, for a window read by
/// <c>elapsed()</c>, when it opened without a break. Kept in two generations so that closed windows are forgotten
/// without visiting them: openings go into the current generation; once the current generation is a whole window
/// length old, every opening in the previous one happened at least a window length ago, so all of those are closed and
/// the previous generation is emptied in one step and reused. That is sound because an account's events come in time
/// order (an account whose rows go back in time is replayed sorted), so a window found closed never reopens by itself.
/// Sweeping one map instead cost a hash and a removal per closed key, the largest item of window-heavy tariffs.
/// Times are kept as UTC ticks: 16 bytes an entry, where two <see cref="DateTimeOffset"/> took 32.
/// </summary>
internal sealed class WindowTable
{
    private readonly long _length;
    private readonly bool _tracksStart;
    private Generation _current = new();
    private Generation _previous = new();
    private long _currentSince = long.MinValue;

    public WindowTable(TimeSpan length, bool tracksStart)
    {
        _length = length.Ticks;
        _tracksStart = tracksStart;
    }

    /// <summary>How many keys have an opening kept (a key in both generations counts once).</summary>
    public int Count => Pairs.Count;

    /// <summary>Whether the key's window is open at <paramref name="now"/>.</summary>
    public bool Within(in Value key, DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        Advance(ticks);
        return Find(key, KeyOf(key), out var opening) && IsOpen(opening, ticks);
    }

    /// <summary>How long the key's window has been open without a break at <paramref name="now"/>; zero when closed.</summary>
    public TimeSpan Elapsed(in Value key, DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        Advance(ticks);
        return Find(key, KeyOf(key), out var opening) && IsOpen(opening, ticks) ? TimeSpan.FromTicks(ticks - opening.Start) : TimeSpan.Zero;
    }

    /// <summary>Opens (or refreshes) the key's window at <paramref name="now"/>; gives what the current generation held before.</summary>
    public void Open(in Value key, DateTimeOffset now, out bool had, out Opening old)
    {
        var ticks = now.UtcTicks;
        Advance(ticks);
        var text = KeyOf(key);
        // An opening inside an open window keeps the time the unbroken stretch began; only elapsed() reads it, and
        // finding it costs two more lookups on the hottest step of window-heavy tariffs.
        var start = _tracksStart && Find(key, text, out var found) && IsOpen(found, ticks) ? found.Start : ticks;
        ref var slot = ref _current.GetValueRefOrAddDefault(key, text, out had);
        old = slot;
        slot = new Opening(ticks, start);
    }

    /// <summary>Puts back what <see cref="Open"/> replaced in the current generation (an event rolled back).</summary>
    public void Restore(in Value key, bool had, Opening old)
    {
        if (had) _current.GetValueRefOrAddDefault(key, KeyOf(key), out _) = old;
        else _current.Remove(key, KeyOf(key));
    }

    /// <summary>
    /// Every key's latest opening, the current generation's where a key is in both; texts in ordinal order, so that a
    /// snapshot does not depend on the per-process string hash.
    /// </summary>
    public IReadOnlyList<KeyValuePair<Value, Opening>> Pairs
    {
        get
        {
            var texts = new List<KeyValuePair<Value, Opening>>(_current.Count);
            var others = new List<KeyValuePair<Value, Opening>>();
            foreach (var (key, opening) in _previous.Pairs())
            {
                if (!_current.TryGetValue(key, KeyOf(key), out _)) (key.Kind == ValueKind.Text ? texts : others).Add(new(key, opening));
            }
            foreach (var (key, opening) in _current.Pairs()) (key.Kind == ValueKind.Text ? texts : others).Add(new(key, opening));
            texts.Sort(static (a, b) => string.CompareOrdinal(a.Key.Text, b.Key.Text));
            texts.AddRange(others);
            return texts;
        }
    }

    public void Clear()
    {
        _current.Clear();
        _previous.Clear();
        _currentSince = long.MinValue;
    }

    /// <summary>Sets a key's opening as read back from a snapshot; the next event moves it to the previous generation.</summary>
    public void Set(in Value key, Opening opening) => _current.GetValueRefOrAddDefault(key, KeyOf(key), out _) = opening;

    /// <summary>Sets when a key's unbroken stretch began, as read back from a snapshot after its opening.</summary>
    public void SetStart(in Value key, long start)
    {
        var text = KeyOf(key);
        if (!_current.TryGetValue(key, text, out var opening)) return;
        _current.GetValueRefOrAddDefault(key, text, out _) = opening with { Start = start };
    }

    private static TextKey KeyOf(in Value key) => key.Kind == ValueKind.Text ? TextKey.From(key.Text) : default;

    private bool Find(in Value key, in TextKey text, out Opening opening) =>
        _current.TryGetValue(key, text, out opening) || _previous.TryGetValue(key, text, out opening);

    // Compared as an elapsed time, so a window of any length cannot overflow the calendar.
    private bool IsOpen(Opening opening, long now) => now >= opening.Opened && now - opening.Opened < _length;

    private void Advance(long now)
    {
        // long.MinValue stands for "openings of unknown age" (a new table, a snapshot read back): they move to the
        // previous generation at the first event, which is kept a whole window length after it.
        if (_currentSince != long.MinValue && now - _currentSince < _length) return;
        (_previous, _current) = (_current, _previous);
        _current.Clear();
        _currentSince = now;
    }

    /// <summary>When a key's window was last opened and when its unbroken stretch began, in UTC ticks.</summary>
    internal readonly record struct Opening(long Opened, long Start);

    /// <summary>One generation's openings: texts (nearly every key) in a <see cref="TextKeyTable{TValue}"/>, others beside.</summary>
    private sealed class Generation
    {
        private readonly TextKeyTable<Opening> _texts = new();
        private KeyMap<Opening>? _others;

        public int Count => _texts.Count + (_others?.Count ?? 0);

        public bool TryGetValue(in Value key, in TextKey text, out Opening opening)
        {
            if (key.Kind == ValueKind.Text) return _texts.TryGetValue(text, out opening);
            opening = default;
            return _others is not null && _others.TryGetValue(key, out opening);
        }

        public ref Opening GetValueRefOrAddDefault(in Value key, in TextKey text, out bool existed)
        {
            if (key.Kind == ValueKind.Text) return ref _texts.GetValueRefOrAddDefault(text, out existed);
            _others ??= new KeyMap<Opening>();
            return ref _others.GetValueRefOrAddDefault(key, out existed);
        }

        public void Remove(in Value key, in TextKey text)
        {
            if (key.Kind == ValueKind.Text) _texts.Remove(text);
            else _others?.Remove(key);
        }

        public void Clear()
        {
            _texts.Clear();
            _others?.Clear();
        }

        public IEnumerable<(Value Key, Opening Opening)> Pairs()
        {
            foreach (var (key, opening) in _texts.Pairs) yield return (Value.FromText(key), opening);
            if (_others is null) yield break;
            foreach (var pair in _others.Pairs) yield return (pair.Key, pair.Value);
        }
    }
}
