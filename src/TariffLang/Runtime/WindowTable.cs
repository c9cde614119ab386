using System.Runtime.CompilerServices;

namespace TariffLang.Runtime;

/// <summary>
/// One window's openings for one account: for each key, when its window was last opened and, for a window read by
/// <c>elapsed()</c>, when it opened without a break. Kept in two generations so that closed windows are forgotten
/// without visiting them: openings go into the current generation; once the current generation is a whole window
/// length old, every opening in the previous one happened at least a window length ago, so all of those are closed and
/// the previous generation is emptied in one step and reused. That is sound because an account's events come in time
/// order (an account whose rows go back in time is replayed sorted), so a window found closed never reopens by itself.
/// Sweeping one map instead cost a hash and a removal per closed key, the largest item of window-heavy tariffs.
/// Times are kept as UTC ticks. A key that fits one word takes 16 bytes (the word and the time), or 24 when the start is
/// tracked; see <see cref="Generation"/>.
/// </summary>
internal sealed class WindowTable
{
    private readonly long _length;
    private readonly bool _tracksStart;
    private Generation _current;
    private Generation _previous;
    private long _currentSince = long.MinValue;

    public WindowTable(TimeSpan length, bool tracksStart)
    {
        _length = length.Ticks;
        _tracksStart = tracksStart;
        _current = new Generation(tracksStart);
        _previous = new Generation(tracksStart);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Open(in Value key, DateTimeOffset now, out bool had, out Opening old)
    {
        var ticks = now.UtcTicks;
        Advance(ticks);
        var text = KeyOf(key);
        // An opening inside an open window keeps the time the unbroken stretch began; only elapsed() reads it, and
        // finding it costs two more lookups on the hottest step of window-heavy tariffs.
        var start = _tracksStart && Find(key, text, out var found) && IsOpen(found, ticks) ? found.Start : ticks;
        _current.Set(key, text, new Opening(ticks, start), out had, out old);
    }

    /// <summary>Puts back what <see cref="Open"/> replaced in the current generation (an event rolled back).</summary>
    public void Restore(in Value key, bool had, Opening old)
    {
        if (had) _current.Set(key, KeyOf(key), old, out _, out _);
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
    public void Set(in Value key, Opening opening) => _current.Set(key, KeyOf(key), opening, out _, out _);

    /// <summary>Sets when a key's unbroken stretch began, as read back from a snapshot after its opening.</summary>
    public void SetStart(in Value key, long start)
    {
        var text = KeyOf(key);
        if (!_current.TryGetValue(key, text, out var opening)) return;
        _current.Set(key, text, opening with { Start = start }, out _, out _);
    }

    /// <summary>A text key made once per step and asked of both generations: its packed form and its word, if it has one.</summary>
    private readonly record struct Key(TextKey Text, ulong Word);

    private static Key KeyOf(in Value key)
    {
        if (key.Kind != ValueKind.Text) return default;
        var word = TextWord.OfValue(key);
        return word != 0 ? new Key(default, word) : new Key(TextKey.From(key.Text), 0);
    }

    private bool Find(in Value key, in Key text, out Opening opening) =>
        _current.TryGetValue(key, text, out opening) || _previous.TryGetValue(key, text, out opening);

    // Compared as an elapsed time, so a window of any length cannot overflow the calendar.
    private bool IsOpen(Opening opening, long now) => now >= opening.Opened && now - opening.Opened < _length;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>
    /// One generation's openings. Texts that fit one word (nearly every contact, see <see cref="TextWord"/>) are kept by
    /// their word: with the opening time alone when no <c>elapsed()</c> reads the window (its start is then the time of
    /// the opening), 16 bytes a slot instead of 32. Other texts are in a <see cref="TextKeyTable{TValue}"/>, other keys beside.
    /// </summary>
    private sealed class Generation(bool tracksStart)
    {
        private readonly WordKeyTable<long>? _times = tracksStart ? null : new();
        private readonly WordKeyTable<Opening>? _openings = tracksStart ? new() : null;
        private TextKeyTable<Opening>? _texts;
        private KeyMap<Opening>? _others;

        public int Count => (_times?.Count ?? 0) + (_openings?.Count ?? 0) + (_texts?.Count ?? 0) + (_others?.Count ?? 0);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool TryGetValue(in Value value, in Key key, out Opening opening)
        {
            if (value.Kind == ValueKind.Text)
            {
                if (key.Word != 0)
                {
                    if (_openings is not null) return _openings.TryGetValue(key.Word, out opening);
                    var found = _times!.TryGetValue(key.Word, out var time);
                    opening = new Opening(time, time);
                    return found;
                }
                opening = default;
                return _texts is not null && _texts.TryGetValue(key.Text, out opening);
            }
            opening = default;
            return _others is not null && _others.TryGetValue(value, out opening);
        }

        /// <summary>Stores the key's opening; <paramref name="old"/> is the one it replaced, if <paramref name="had"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Set(in Value value, in Key key, Opening opening, out bool had, out Opening old)
        {
            if (value.Kind == ValueKind.Text && key.Word != 0)
            {
                if (_openings is not null)
                {
                    ref var slot = ref _openings.GetValueRefOrAddDefault(key.Word, out had);
                    old = slot;
                    slot = opening;
                    return;
                }
                ref var time = ref _times!.GetValueRefOrAddDefault(key.Word, out had);
                old = new Opening(time, time);
                time = opening.Opened;
                return;
            }
            ref var stored = ref value.Kind == ValueKind.Text
                ? ref (_texts ??= new TextKeyTable<Opening>()).GetValueRefOrAddDefault(key.Text, out had)
                : ref (_others ??= new KeyMap<Opening>()).GetValueRefOrAddDefault(value, out had);
            old = stored;
            stored = opening;
        }

        public void Remove(in Value value, in Key key)
        {
            if (value.Kind != ValueKind.Text) _others?.Remove(value);
            else if (key.Word == 0) _texts?.Remove(key.Text);
            else if (_openings is not null) _openings.Remove(key.Word);
            else _times!.Remove(key.Word);
        }

        public void Clear()
        {
            _times?.Clear();
            _openings?.Clear();
            _texts?.Clear();
            _others?.Clear();
        }

        public IEnumerable<(Value Key, Opening Opening)> Pairs()
        {
            if (_times is not null)
            {
                foreach (var (key, time) in _times.Pairs) yield return (Value.FromText(key), new Opening(time, time));
            }
            if (_openings is not null)
            {
                foreach (var (key, opening) in _openings.Pairs) yield return (Value.FromText(key), opening);
            }
            if (_texts is not null)
            {
                foreach (var (key, opening) in _texts.Pairs) yield return (Value.FromText(key), opening);
            }
            if (_others is null) yield break;
            foreach (var pair in _others.Pairs) yield return (pair.Key, pair.Value);
        }
    }
}
