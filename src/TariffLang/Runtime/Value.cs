using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TariffLang.Runtime;

/// <summary>What a <see cref="Value"/> holds. <see cref="None"/> is the language's <c>none</c>.</summary>
internal enum ValueKind : byte
{
    None,
    Number,
    Text,
    Bool,
    Date,
    Time,
    Duration,
    Tags,
}

/// <summary>
/// One runtime value of the language without boxing: a number (decimal), a text, a bool, a date, a time with its
/// offset, a duration or a set of tags, or none. Event attributes are stored in arrays of these (typed slots), the
/// interpreter evaluates to them, and states, parameters and snapshots keep them. The payloads share their bytes,
/// so a value is 32 bytes whatever it holds.
/// <para>
/// A text is held as its string, or, when it was read from a ledger and has a <see cref="TextWord"/>, possibly as that
/// word alone (<see cref="FromWord"/>): a text that the tariff reads only as a window's key or a distinct count's value
/// (<see cref="RatingPlan.KeyOnlyTexts"/>) goes to tables that keep the word, and needs no string at all. Reading
/// <see cref="Text"/> makes the string; equality does not tell the two forms apart.
/// </para>
/// </summary>
[StructLayout(LayoutKind.Explicit)]
internal readonly struct Value : IEquatable<Value>
{
    [FieldOffset(0)] private readonly decimal _number;
    [FieldOffset(0)] private readonly DateTimeOffset _time;
    [FieldOffset(0)] private readonly TimeSpan _duration;
    [FieldOffset(0)] private readonly DateOnly _date;
    [FieldOffset(0)] private readonly bool _bool;
    [FieldOffset(0)] private readonly ulong _word;
    [FieldOffset(16)] private readonly object? _ref;
    [FieldOffset(24)] private readonly ValueKind _kind;

    public static readonly Value None = default;

    private Value(decimal number)
    {
        this = default;
        _number = number;
        _kind = ValueKind.Number;
    }

    private Value(string text)
    {
        this = default;
        _ref = text;
        _kind = ValueKind.Text;
    }

    /// <summary>A text held as its word alone (a word is never 0: the length is in its top byte).</summary>
    private Value(ulong word)
    {
        this = default;
        _word = word;
        _kind = ValueKind.Text;
    }

    private Value(string[] tags)
    {
        this = default;
        _ref = tags;
        _kind = ValueKind.Tags;
    }

    private Value(bool b)
    {
        this = default;
        _bool = b;
        _kind = ValueKind.Bool;
    }

    private Value(DateOnly date)
    {
        this = default;
        _date = date;
        _kind = ValueKind.Date;
    }

    private Value(DateTimeOffset time)
    {
        this = default;
        _time = time;
        _kind = ValueKind.Time;
    }

    private Value(TimeSpan duration)
    {
        this = default;
        _duration = duration;
        _kind = ValueKind.Duration;
    }

    public ValueKind Kind => _kind;

    public bool IsNone => _kind == ValueKind.None;

    public bool HasValue => _kind != ValueKind.None;

    // Readers of the payload. The checker types every expression, so the caller knows which one applies; reading the
    // wrong one is a bug of ours, never a user's, and is caught in debug builds.

    public decimal Number
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            System.Diagnostics.Debug.Assert(_kind == ValueKind.Number);
            return _number;
        }
    }

    public string Text
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            System.Diagnostics.Debug.Assert(_kind == ValueKind.Text);
            // A text held as its word has no string: this makes one each time, which the callers on the hot path avoid.
            return _ref is null ? TextWord.TextOf(_word) : Unsafe.As<string>(_ref);
        }
    }

    public string[] Tags
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            System.Diagnostics.Debug.Assert(_kind == ValueKind.Tags);
            return Unsafe.As<string[]>(_ref)!;
        }
    }

    public bool Bool
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            System.Diagnostics.Debug.Assert(_kind == ValueKind.Bool);
            return _bool;
        }
    }

    public DateOnly Date
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            System.Diagnostics.Debug.Assert(_kind == ValueKind.Date);
            return _date;
        }
    }

    public DateTimeOffset Time
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            System.Diagnostics.Debug.Assert(_kind == ValueKind.Time);
            return _time;
        }
    }

    public TimeSpan Duration
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            System.Diagnostics.Debug.Assert(_kind == ValueKind.Duration);
            return _duration;
        }
    }

    // Nullable views: none becomes null. Generated code and the interpreter read optional values through these.

    public decimal? NumberOrNull => _kind == ValueKind.Number ? _number : null;

    public string? TextOrNull => _kind == ValueKind.Text ? Text : null;

    public string[]? TagsOrNull => _kind == ValueKind.Tags ? Unsafe.As<string[]>(_ref) : null;

    public bool? BoolOrNull => _kind == ValueKind.Bool ? _bool : null;

    public DateOnly? DateOrNull => _kind == ValueKind.Date ? _date : null;

    public DateTimeOffset? TimeOrNull => _kind == ValueKind.Time ? _time : null;

    public TimeSpan? DurationOrNull => _kind == ValueKind.Duration ? _duration : null;

    // Checked readers for a value the code generator proved is never none: a none here is a bug of ours, and it must
    // stop the rating rather than read a zero.

    public decimal RequireNumber() => _kind == ValueKind.Number ? _number : throw Unexpected(ValueKind.Number);

    public string RequireText() => _kind == ValueKind.Text ? Text : throw Unexpected(ValueKind.Text);

    public string[] RequireTags() => _kind == ValueKind.Tags ? Unsafe.As<string[]>(_ref)! : throw Unexpected(ValueKind.Tags);

    public bool RequireBool() => _kind == ValueKind.Bool ? _bool : throw Unexpected(ValueKind.Bool);

    public DateOnly RequireDate() => _kind == ValueKind.Date ? _date : throw Unexpected(ValueKind.Date);

    public DateTimeOffset RequireTime() => _kind == ValueKind.Time ? _time : throw Unexpected(ValueKind.Time);

    public TimeSpan RequireDuration() => _kind == ValueKind.Duration ? _duration : throw Unexpected(ValueKind.Duration);

    private InvalidOperationException Unexpected(ValueKind expected) => new($"expected a {expected} value but found {_kind}");

    /// <summary>Only <c>true</c> is true: none and false are not.</summary>
    public bool IsTrue => _kind == ValueKind.Bool && _bool;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Value FromNumber(decimal value) => new(value);

    public static Value FromText(string? value) => value is null ? None : new Value(value);

    /// <summary>The text whose <see cref="TextWord"/> is <paramref name="word"/>, held without its string.</summary>
    public static Value FromWord(ulong word)
    {
        System.Diagnostics.Debug.Assert(word != 0);
        return new Value(word);
    }

    /// <summary>
    /// The word of a text held as its word alone; 0 for any other value, a text held as a string included (whose word,
    /// if it has one, <see cref="TextWord.Of"/> gives).
    /// </summary>
    public ulong Word => _kind == ValueKind.Text && _ref is null ? _word : 0;

    public static Value FromTags(string[]? value) => value is null ? None : new Value(value);

    public static Value FromBool(bool value) => new(value);

    public static Value FromDate(DateOnly value) => new(value);

    public static Value FromTime(DateTimeOffset value) => new(value);

    public static Value FromDuration(TimeSpan value) => new(value);

    public static Value FromNumber(decimal? value) => value is { } v ? new Value(v) : None;

    public static Value FromBool(bool? value) => value is { } v ? new Value(v) : None;

    public static Value FromDate(DateOnly? value) => value is { } v ? new Value(v) : None;

    public static Value FromTime(DateTimeOffset? value) => value is { } v ? new Value(v) : None;

    public static Value FromDuration(TimeSpan? value) => value is { } v ? new Value(v) : None;

    /// <summary>
    /// Identity of values as keys and snapshots see it: same kind and same payload (a decimal's scale included, a
    /// time's offset included, tags element by element). The language's <c>=</c> is defined with the operators.
    /// </summary>
    public bool Equals(Value other)
    {
        if (_kind != other._kind) return false;
        return _kind switch
        {
            ValueKind.None => true,
            ValueKind.Number => _number == other._number && _number.Scale == other._number.Scale,
            ValueKind.Text => SameText(this, other),
            ValueKind.Bool => _bool == other._bool,
            ValueKind.Date => _date == other._date,
            ValueKind.Time => _time.EqualsExact(other._time),
            ValueKind.Duration => _duration == other._duration,
            ValueKind.Tags => Tags.AsSpan().SequenceEqual(other.Tags),
            _ => false,
        };
    }

    // A text has one word at most, so two texts with words are the same exactly when their words are: no string is made.
    private static bool SameText(in Value x, in Value y) => (x._ref, y._ref) switch
    {
        (null, null) => x._word == y._word,
        (null, string b) => TextWord.Of(b) == x._word,
        (string a, null) => TextWord.Of(a) == y._word,
        _ => string.Equals(Unsafe.As<string>(x._ref), Unsafe.As<string>(y._ref), StringComparison.Ordinal),
    };

    public override bool Equals(object? obj) => obj is Value other && Equals(other);

    public override int GetHashCode() => _kind switch
    {
        ValueKind.None => 0,
        ValueKind.Number => _number.GetHashCode(),
        ValueKind.Text => StringComparer.Ordinal.GetHashCode(Text),
        ValueKind.Bool => _bool ? 1 : 2,
        ValueKind.Date => _date.GetHashCode(),
        ValueKind.Time => _time.GetHashCode(),
        ValueKind.Duration => _duration.GetHashCode(),
        _ => Tags.Length,
    };

    public override string ToString() => _kind switch
    {
        ValueKind.None => "none",
        ValueKind.Number => _number.ToString(CultureInfo.InvariantCulture),
        ValueKind.Text => Text,
        ValueKind.Bool => _bool ? "true" : "false",
        ValueKind.Date => _date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ValueKind.Time => _time.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
        ValueKind.Duration => _duration.ToString("c", CultureInfo.InvariantCulture),
        _ => string.Join(";", Tags),
    };
}
