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
    private KeyMap<Opening> _current = new();
    private KeyMap<Opening> _previous = new();
    private long _currentSince = long.MinValue;

    public WindowTable(TimeSpan length, bool tracksStart)
    {
        _length = length.Ticks;
        _tracksStart = tracksStart;
    }

    /// <summary>How many keys have an opening kept (a key in both generations counts once).</summary>
    public int Count
    {
        get
        {
            var count = _current.Count;
            foreach (var (key, _) in _previous.Pairs)
            {
                if (!_current.TryGetValue(key, out _)) count++;
            }
            return count;
        }
    }

    /// <summary>Whether the key's window is open at <paramref name="now"/>.</summary>
    public bool Within(in Value key, DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        Advance(ticks);
        return Find(key, out var opening) && IsOpen(opening, ticks);
    }

    /// <summary>How long the key's window has been open without a break at <paramref name="now"/>; zero when closed.</summary>
    public TimeSpan Elapsed(in Value key, DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        Advance(ticks);
        return Find(key, out var opening) && IsOpen(opening, ticks) ? TimeSpan.FromTicks(ticks - opening.Start) : TimeSpan.Zero;
    }

    /// <summary>Opens (or refreshes) the key's window at <paramref name="now"/>; gives what the current generation held before.</summary>
    public void Open(in Value key, DateTimeOffset now, out bool had, out Opening old)
    {
        var ticks = now.UtcTicks;
        Advance(ticks);
        // An opening inside an open window keeps the time the unbroken stretch began; only elapsed() reads it, and
        // finding it costs two more lookups on the hottest step of window-heavy tariffs.
        var start = _tracksStart && Find(key, out var found) && IsOpen(found, ticks) ? found.Start : ticks;
        ref var slot = ref _current.GetValueRefOrAddDefault(key, out had);
        old = slot;
        slot = new Opening(ticks, start);
    }

    /// <summary>Puts back what <see cref="Open"/> replaced in the current generation (an event rolled back).</summary>
    public void Restore(in Value key, bool had, Opening old)
    {
        if (had) _current.Set(key, old);
        else _current.Remove(key);
    }

    /// <summary>Every key's latest opening, the current generation's where a key is in both.</summary>
    public IEnumerable<KeyValuePair<Value, Opening>> Pairs
    {
        get
        {
            foreach (var pair in _previous.Pairs)
            {
                if (!_current.TryGetValue(pair.Key, out _)) yield return pair;
            }
            foreach (var pair in _current.Pairs) yield return pair;
        }
    }

    public void Clear()
    {
        _current.Clear();
        _previous.Clear();
        _currentSince = long.MinValue;
    }

    /// <summary>Sets a key's opening as read back from a snapshot; the next event moves it to the previous generation.</summary>
    public void Set(in Value key, Opening opening) => _current.Set(key, opening);

    /// <summary>Sets when a key's unbroken stretch began, as read back from a snapshot after its opening.</summary>
    public void SetStart(in Value key, long start)
    {
        if (_current.TryGetValue(key, out var opening)) _current.Set(key, opening with { Start = start });
    }

    private bool Find(in Value key, out Opening opening) => _current.TryGetValue(key, out opening) || _previous.TryGetValue(key, out opening);

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
}
