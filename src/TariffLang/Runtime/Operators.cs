using System.Runtime.CompilerServices;

namespace TariffLang.Runtime;

/// <summary>A rating problem tied to one event (it is rejected) or, when <see cref="AccountWide"/>, to a whole account.</summary>
internal sealed class RatingException(string message, bool accountWide = false) : Exception(message)
{
    public bool AccountWide { get; } = accountWide;

    /// <summary>Whether an exception is a rating problem (the user's input), as opposed to a bug of ours.</summary>
    public static bool IsRatingFailure(Exception e) => e is RatingException or OverflowException;

    /// <summary>Whether an exception rejects the event in hand rather than the whole account.</summary>
    public static bool IsEventFailure(Exception e) => e is RatingException { AccountWide: false } or OverflowException;

    /// <summary>The reason a rating failure gives, in the words rows and accounts are rejected with.</summary>
    public static string Describe(Exception e) => e is OverflowException ? "a value is too large (arithmetic overflow)" : e.Message;
}

/// <summary>
/// The meaning of the language's operators and builtins, written once. The binder resolves each operator to one of
/// these (<see cref="Semantics.OperandKind"/> and the operator); the interpreter calls them, and the code the compiler
/// generates calls the very same methods. Any none operand makes arithmetic, comparisons and builtins none, and none
/// is not true. A nullable overload exists for operands that may be none; it delegates to the plain one.
/// </summary>
internal static class Operators
{
    // ---- numbers ----------------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static decimal Add(decimal x, decimal y) => x + y;

    public static decimal? Add(decimal? x, decimal? y) => x is { } a && y is { } b ? Add(a, b) : null;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static decimal Subtract(decimal x, decimal y) => x - y;

    public static decimal? Subtract(decimal? x, decimal? y) => x is { } a && y is { } b ? Subtract(a, b) : null;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static decimal Multiply(decimal x, decimal y) => x * y;

    public static decimal? Multiply(decimal? x, decimal? y) => x is { } a && y is { } b ? Multiply(a, b) : null;

    /// <summary>Division by zero is a rating error (the row, or the period, is rejected with it), never infinity.</summary>
    public static decimal Divide(decimal x, decimal y) => y == 0 ? throw new RatingException("division by zero") : x / y;

    // None first: none / 0 is none, not an error.
    public static decimal? Divide(decimal? x, decimal? y) => x is { } a && y is { } b ? Divide(a, b) : null;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static decimal Negate(decimal x) => -x;

    public static decimal? Negate(decimal? x) => x is { } a ? -a : null;

    // ---- times and durations --------------------------------------------------------------------------------

    /// <summary>
    /// A time moved by a duration. A ledger's duration can be as long as a TimeSpan holds, so the sum is checked before
    /// it is made: leaving the calendar rejects the row (a rating error naming both values), never the process.
    /// </summary>
    public static DateTimeOffset AddDuration(DateTimeOffset t, TimeSpan d) => Move(t, d, subtract: false);

    public static DateTimeOffset? AddDuration(DateTimeOffset? t, TimeSpan? d) => t is { } a && d is { } b ? AddDuration(a, b) : null;

    public static DateTimeOffset SubtractDuration(DateTimeOffset t, TimeSpan d) => Move(t, d, subtract: true);

    public static DateTimeOffset? SubtractDuration(DateTimeOffset? t, TimeSpan? d) =>
        t is { } a && d is { } b ? SubtractDuration(a, b) : null;

    private static readonly long FirstMovableTick = DateTime.MinValue.Ticks + TimeSpan.TicksPerDay,
        LastMovableTick = DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay;

    private static DateTimeOffset Move(DateTimeOffset t, TimeSpan d, bool subtract)
    {
        // In doubles, which neither overflow nor lack a -TimeSpan.MinValue; a day's margin keeps the time's offset inside too.
        var moved = t.UtcTicks + (subtract ? -(double)d.Ticks : d.Ticks);
        if (moved < FirstMovableTick || moved > LastMovableTick)
        {
            var operation = $"{ValueText.Show(Value.FromTime(t))} {(subtract ? '-' : '+')} {ValueText.Show(Value.FromDuration(d))}";
            throw new RatingException(operation + " falls outside the calendar (years 1–9999)");
        }
        return subtract ? t - d : t + d;
    }

    public static TimeSpan Elapsed(DateTimeOffset later, DateTimeOffset earlier) => later - earlier;

    public static TimeSpan? Elapsed(DateTimeOffset? later, DateTimeOffset? earlier) => later is { } a && earlier is { } b ? a - b : null;

    // ---- duration arithmetic --------------------------------------------------------------------------------
    // Durations are counted in ticks (100 ns). A product or quotient that is not a whole number of ticks is rounded to
    // the nearest tick, half away from zero; a result beyond what a duration holds is a rating error, never a wrap.

    public static TimeSpan Add(TimeSpan x, TimeSpan y) => Ticks((decimal)x.Ticks + y.Ticks);

    public static TimeSpan? Add(TimeSpan? x, TimeSpan? y) => x is { } a && y is { } b ? Add(a, b) : null;

    public static TimeSpan Subtract(TimeSpan x, TimeSpan y) => Ticks((decimal)x.Ticks - y.Ticks);

    public static TimeSpan? Subtract(TimeSpan? x, TimeSpan? y) => x is { } a && y is { } b ? Subtract(a, b) : null;

    public static TimeSpan Multiply(TimeSpan d, decimal n) => Ticks(d.Ticks * n);

    public static TimeSpan Multiply(decimal n, TimeSpan d) => Multiply(d, n);

    public static TimeSpan? Multiply(TimeSpan? d, decimal? n) => d is { } a && n is { } b ? Multiply(a, b) : null;

    public static TimeSpan? Multiply(decimal? n, TimeSpan? d) => d is { } a && n is { } b ? Multiply(a, b) : null;

    public static TimeSpan Divide(TimeSpan d, decimal n) => n == 0 ? throw new RatingException("division by zero") : Ticks(d.Ticks / n);

    public static TimeSpan? Divide(TimeSpan? d, decimal? n) => d is { } a && n is { } b ? Divide(a, b) : null;

    /// <summary>How many times <paramref name="unit"/> fits in <paramref name="d"/>: <c>d / 1min</c> is d in minutes.</summary>
    public static decimal Divide(TimeSpan d, TimeSpan unit) =>
        unit.Ticks == 0 ? throw new RatingException("division by zero") : (decimal)d.Ticks / unit.Ticks;

    public static decimal? Divide(TimeSpan? d, TimeSpan? unit) => d is { } a && unit is { } b ? Divide(a, b) : null;

    public static TimeSpan Negate(TimeSpan d) => Ticks(-(decimal)d.Ticks);

    public static TimeSpan? Negate(TimeSpan? d) => d is { } a ? Negate(a) : null;

    /// <summary>A duration in seconds, minutes, hours or days, as an exact decimal (80 s is 1.3333… minutes).</summary>
    public static decimal InUnit(TimeSpan d, long ticksPerUnit) => (decimal)d.Ticks / ticksPerUnit;

    public static decimal? InUnit(TimeSpan? d, long ticksPerUnit) => d is { } a ? InUnit(a, ticksPerUnit) : null;

    public static decimal Seconds(TimeSpan d) => InUnit(d, TimeSpan.TicksPerSecond);
    public static decimal Minutes(TimeSpan d) => InUnit(d, TimeSpan.TicksPerMinute);
    public static decimal Hours(TimeSpan d) => InUnit(d, TimeSpan.TicksPerHour);
    public static decimal Days(TimeSpan d) => InUnit(d, TimeSpan.TicksPerDay);
    public static decimal? Seconds(TimeSpan? d) => InUnit(d, TimeSpan.TicksPerSecond);
    public static decimal? Minutes(TimeSpan? d) => InUnit(d, TimeSpan.TicksPerMinute);
    public static decimal? Hours(TimeSpan? d) => InUnit(d, TimeSpan.TicksPerHour);
    public static decimal? Days(TimeSpan? d) => InUnit(d, TimeSpan.TicksPerDay);

    /// <summary>A duration rounded up, down or to the nearest multiple of a step (a call billed per started minute).</summary>
    public static TimeSpan RoundUp(TimeSpan d, TimeSpan step) => Ticks(RoundUp((decimal)d.Ticks, StepTicks(step, "round_up")));
    public static TimeSpan RoundDown(TimeSpan d, TimeSpan step) => Ticks(RoundDown((decimal)d.Ticks, StepTicks(step, "round_down")));
    public static TimeSpan RoundNearest(TimeSpan d, TimeSpan step) =>
        Ticks(RoundNearest((decimal)d.Ticks, StepTicks(step, "round_nearest")));
    public static TimeSpan? RoundUp(TimeSpan? d, TimeSpan? step) => d is { } a && step is { } b ? RoundUp(a, b) : null;
    public static TimeSpan? RoundDown(TimeSpan? d, TimeSpan? step) => d is { } a && step is { } b ? RoundDown(a, b) : null;
    public static TimeSpan? RoundNearest(TimeSpan? d, TimeSpan? step) => d is { } a && step is { } b ? RoundNearest(a, b) : null;

    private static decimal StepTicks(TimeSpan step, string function) =>
        step.Ticks > 0 ? step.Ticks
            : throw new RatingException($"{function}: the step must be greater than 0, not {ValueText.Show(Value.FromDuration(step))}");

    private static TimeSpan Ticks(decimal ticks)
    {
        var whole = Math.Round(ticks, MidpointRounding.AwayFromZero);
        if (whole < TimeSpan.MinValue.Ticks || whole > TimeSpan.MaxValue.Ticks)
            throw new RatingException("a duration is too long (more than 29,000 years)");
        return TimeSpan.FromTicks((long)whole);
    }

    // ---- texts ------------------------------------------------------------------------------------------------
    // Linear in the text's length, no regular expressions: nothing a tariff writes can make them slow.

    /// <summary>The number of characters (Unicode scalar values: an emoji is one, not two UTF-16 units).</summary>
    /// <remarks>Texts are references, so these take and answer nullables, as <see cref="Contains(string?, string?)"/> does.</remarks>
    public static decimal? Length(string? text)
    {
        if (text is null) return null;
        var count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }

    public static bool? StartsWith(string? text, string? prefix) =>
        text is null || prefix is null ? null : text.StartsWith(prefix, StringComparison.Ordinal);
    public static bool? EndsWith(string? text, string? suffix) =>
        text is null || suffix is null ? null : text.EndsWith(suffix, StringComparison.Ordinal);

    /// <summary>Whether every character is in the GSM 03.38 alphabet (basic set or extension table): an SMS in 7-bit.</summary>
    public static bool? IsGsm7(string? text) => text is null ? null : Gsm7Septets(text) >= 0;

    /// <summary>
    /// The septets a text takes in GSM 7-bit: one per basic character, two per extension character (€, [, ], {, }, \, ~, ^,
    /// |, form feed); none when a character has no 7-bit form, so the message goes as UCS-2 (ask <see cref="IsGsm7"/> first).
    /// </summary>
    public static decimal? Gsm7Length(string? text) => text is null || Gsm7Septets(text) is var n && n < 0 ? null : n;

    private static int Gsm7Septets(string text)
    {
        var septets = 0;
        foreach (var c in text)
        {
            if (Gsm7Basic.Contains(c)) septets++;
            else if (Gsm7Extension.Contains(c)) septets += 2;
            else return -1;
        }
        return septets;
    }

    // GSM 03.38 default alphabet and its extension table (the characters reachable by the escape code).
    private const string Gsm7Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ "
        + "!\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private const string Gsm7Extension = "\f^{}\\[~]|€";

    // ---- calendar ---------------------------------------------------------------------------------------------
    // Read in the tariff's zone: a time is first turned into its local date or wall-clock time, so "from 22h" and
    // "on Sundays" mean what they mean where the customer lives, daylight saving included.

    public static TimeSpan TimeOfDay(DateTimeOffset t, ZoneClock zone) => zone.TimeOfDay(t);

    public static TimeSpan? TimeOfDay(DateTimeOffset? t, ZoneClock zone) => t is { } v ? zone.TimeOfDay(v) : null;

    /// <summary>The longest span <see cref="Overlap(DateTimeOffset, TimeSpan, TimeSpan, TimeSpan, ZoneClock)"/> walks day by day.</summary>
    public static readonly TimeSpan MaxOverlapSpan = TimeSpan.FromDays(400);

    /// <summary>
    /// The part of the span [start, start + length) that falls between the wall-clock times <paramref name="from"/> and
    /// <paramref name="to"/> of each local day (from &gt; to wraps past midnight: 22h to 6h); from = to is an empty window.
    /// How a session that runs from 21:30 to 23:00 splits at a night rate from 22:00: 1 h at night, 30 min before.
    /// </summary>
    public static TimeSpan Overlap(DateTimeOffset start, TimeSpan length, TimeSpan from, TimeSpan to, ZoneClock zone)
    {
        if (from < TimeSpan.Zero || from > TimeSpan.FromDays(1) || to < TimeSpan.Zero || to > TimeSpan.FromDays(1))
            throw new RatingException(
                $"overlap(): a time of day is 0h to 24h, not "
                + $"{ValueText.Show(Value.FromDuration(from < TimeSpan.Zero || from > TimeSpan.FromDays(1) ? from : to))}");
        if (length <= TimeSpan.Zero || from == to) return TimeSpan.Zero;
        if (length > MaxOverlapSpan) throw new RatingException($"overlap(): a span longer than {MaxOverlapSpan.TotalDays} days");
        var end = start + length;
        var total = TimeSpan.Zero;
        // A window that wraps midnight starts the day before: begin a day early.
        for (var day = zone.LocalDate(start).AddDays(-1); day <= zone.LocalDate(end); day = day.AddDays(1))
        {
            var windowStart = WallClock(day, from, zone);
            var windowEnd = WallClock(from < to ? day : day.AddDays(1), to, zone);
            var a = windowStart > start ? windowStart : start;
            var b = windowEnd < end ? windowEnd : end;
            if (b > a) total += b - a;
        }
        return total;
    }

    public static TimeSpan? Overlap(DateTimeOffset? start, TimeSpan? length, TimeSpan? from, TimeSpan? to, ZoneClock zone) =>
        start is { } s && length is { } l && from is { } f && to is { } t ? Overlap(s, l, f, t, zone) : null;

    /// <summary>The instant a local day reads a wall-clock time (24h: the next day's start); a time skipped by a clock change
    /// counts from the moment after the gap.</summary>
    private static DateTimeOffset WallClock(DateOnly day, TimeSpan time, ZoneClock zone)
    {
        if (time >= TimeSpan.FromDays(1)) return zone.StartOf(day.AddDays(1));
        var local = NodaTime.LocalDate.FromDateOnly(day).At(NodaTime.LocalTime.FromTicksSinceMidnight(time.Ticks));
        return zone.Zone.AtLeniently(local).ToDateTimeOffset();
    }

    /// <summary>1 for Monday to 7 for Sunday (ISO 8601).</summary>
    public static decimal DayOfWeek(DateOnly d) => d.DayOfWeek == System.DayOfWeek.Sunday ? 7 : (int)d.DayOfWeek;

    public static decimal? DayOfWeek(DateOnly? d) => d is { } v ? DayOfWeek(v) : null;

    public static decimal MonthOfYear(DateOnly d) => d.Month;

    public static decimal? MonthOfYear(DateOnly? d) => d is { } v ? v.Month : null;

    public static decimal DayOfMonth(DateOnly d) => d.Day;

    public static decimal? DayOfMonth(DateOnly? d) => d is { } v ? v.Day : null;

    /// <summary>
    /// Whether a local date is in the tariff's holiday list (dates written yyyy-MM-dd) or in a contract's own list (a tags
    /// value of such dates). Compared digit by digit, so no text is made per event.
    /// </summary>
    public static bool? IsHoliday(DateOnly? d, string[] tariff, string[]? contract)
    {
        if (d is not { } date) return null;
        foreach (var text in tariff)
        {
            if (SameDate(text, date)) return true;
        }
        if (contract is null) return false;
        foreach (var text in contract)
        {
            if (SameDate(text.AsSpan().Trim(), date)) return true;
        }
        return false;
    }

    public static bool? IsHoliday(DateOnly? d, string[] tariff) => IsHoliday(d, tariff, null);

    private static bool SameDate(ReadOnlySpan<char> text, DateOnly d)
    {
        if (text.Length != 10 || text[4] != '-' || text[7] != '-') return false;
        return Digits(text[..4]) == d.Year && Digits(text.Slice(5, 2)) == d.Month && Digits(text.Slice(8, 2)) == d.Day;
    }

    private static int Digits(ReadOnlySpan<char> text)
    {
        var n = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c)) return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    // ---- comparisons ------------------------------------------------------------------------------------------
    // Ordering exists for numbers, dates, times (by instant) and durations; equality for every kind.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(decimal x, decimal y) => x.CompareTo(y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(DateOnly x, DateOnly y) => x.CompareTo(y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(DateTimeOffset x, DateTimeOffset y) => x.CompareTo(y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(TimeSpan x, TimeSpan y) => x.CompareTo(y);

    public static bool Less(decimal x, decimal y) => x < y;
    public static bool LessOrEqual(decimal x, decimal y) => x <= y;
    public static bool Greater(decimal x, decimal y) => x > y;
    public static bool GreaterOrEqual(decimal x, decimal y) => x >= y;
    public static bool Equal(decimal x, decimal y) => x == y;
    public static bool NotEqual(decimal x, decimal y) => x != y;

    public static bool? Less(decimal? x, decimal? y) => x is { } a && y is { } b ? a < b : null;
    public static bool? LessOrEqual(decimal? x, decimal? y) => x is { } a && y is { } b ? a <= b : null;
    public static bool? Greater(decimal? x, decimal? y) => x is { } a && y is { } b ? a > b : null;
    public static bool? GreaterOrEqual(decimal? x, decimal? y) => x is { } a && y is { } b ? a >= b : null;
    public static bool? Equal(decimal? x, decimal? y) => x is { } a && y is { } b ? a == b : null;
    public static bool? NotEqual(decimal? x, decimal? y) => x is { } a && y is { } b ? a != b : null;

    public static bool Less(DateTimeOffset x, DateTimeOffset y) => Compare(x, y) < 0;
    public static bool LessOrEqual(DateTimeOffset x, DateTimeOffset y) => Compare(x, y) <= 0;
    public static bool Greater(DateTimeOffset x, DateTimeOffset y) => Compare(x, y) > 0;
    public static bool GreaterOrEqual(DateTimeOffset x, DateTimeOffset y) => Compare(x, y) >= 0;
    public static bool Equal(DateTimeOffset x, DateTimeOffset y) => Compare(x, y) == 0;
    public static bool NotEqual(DateTimeOffset x, DateTimeOffset y) => Compare(x, y) != 0;

    public static bool? Less(DateTimeOffset? x, DateTimeOffset? y) => x is { } a && y is { } b ? Less(a, b) : null;
    public static bool? LessOrEqual(DateTimeOffset? x, DateTimeOffset? y) => x is { } a && y is { } b ? LessOrEqual(a, b) : null;
    public static bool? Greater(DateTimeOffset? x, DateTimeOffset? y) => x is { } a && y is { } b ? Greater(a, b) : null;
    public static bool? GreaterOrEqual(DateTimeOffset? x, DateTimeOffset? y) => x is { } a && y is { } b ? GreaterOrEqual(a, b) : null;
    public static bool? Equal(DateTimeOffset? x, DateTimeOffset? y) => x is { } a && y is { } b ? Equal(a, b) : null;
    public static bool? NotEqual(DateTimeOffset? x, DateTimeOffset? y) => x is { } a && y is { } b ? NotEqual(a, b) : null;

    public static bool Less(DateOnly x, DateOnly y) => x < y;
    public static bool LessOrEqual(DateOnly x, DateOnly y) => x <= y;
    public static bool Greater(DateOnly x, DateOnly y) => x > y;
    public static bool GreaterOrEqual(DateOnly x, DateOnly y) => x >= y;
    public static bool Equal(DateOnly x, DateOnly y) => x == y;
    public static bool NotEqual(DateOnly x, DateOnly y) => x != y;

    public static bool? Less(DateOnly? x, DateOnly? y) => x is { } a && y is { } b ? a < b : null;
    public static bool? LessOrEqual(DateOnly? x, DateOnly? y) => x is { } a && y is { } b ? a <= b : null;
    public static bool? Greater(DateOnly? x, DateOnly? y) => x is { } a && y is { } b ? a > b : null;
    public static bool? GreaterOrEqual(DateOnly? x, DateOnly? y) => x is { } a && y is { } b ? a >= b : null;
    public static bool? Equal(DateOnly? x, DateOnly? y) => x is { } a && y is { } b ? a == b : null;
    public static bool? NotEqual(DateOnly? x, DateOnly? y) => x is { } a && y is { } b ? a != b : null;

    public static bool Less(TimeSpan x, TimeSpan y) => x < y;
    public static bool LessOrEqual(TimeSpan x, TimeSpan y) => x <= y;
    public static bool Greater(TimeSpan x, TimeSpan y) => x > y;
    public static bool GreaterOrEqual(TimeSpan x, TimeSpan y) => x >= y;
    public static bool Equal(TimeSpan x, TimeSpan y) => x == y;
    public static bool NotEqual(TimeSpan x, TimeSpan y) => x != y;

    public static bool? Less(TimeSpan? x, TimeSpan? y) => x is { } a && y is { } b ? a < b : null;
    public static bool? LessOrEqual(TimeSpan? x, TimeSpan? y) => x is { } a && y is { } b ? a <= b : null;
    public static bool? Greater(TimeSpan? x, TimeSpan? y) => x is { } a && y is { } b ? a > b : null;
    public static bool? GreaterOrEqual(TimeSpan? x, TimeSpan? y) => x is { } a && y is { } b ? a >= b : null;
    public static bool? Equal(TimeSpan? x, TimeSpan? y) => x is { } a && y is { } b ? a == b : null;
    public static bool? NotEqual(TimeSpan? x, TimeSpan? y) => x is { } a && y is { } b ? a != b : null;

    // Texts compare by their characters (ordinal); none (null) compares to nothing.
    public static bool? Equal(string? x, string? y) => x is null || y is null ? null : string.Equals(x, y, StringComparison.Ordinal);

    public static bool? NotEqual(string? x, string? y) => x is null || y is null ? null : !string.Equals(x, y, StringComparison.Ordinal);

    public static bool Equal(bool x, bool y) => x == y;
    public static bool NotEqual(bool x, bool y) => x != y;
    public static bool? Equal(bool? x, bool? y) => x is { } a && y is { } b ? a == b : null;
    public static bool? NotEqual(bool? x, bool? y) => x is { } a && y is { } b ? a != b : null;

    /// <summary>Two sets of tags are equal when they hold the same tags in the same order.</summary>
    public static bool? Equal(string[]? x, string[]? y) => x is null || y is null ? null : x.AsSpan().SequenceEqual(y);

    public static bool? NotEqual(string[]? x, string[]? y) => x is null || y is null ? null : !x.AsSpan().SequenceEqual(y);

    // ---- truth ---------------------------------------------------------------------------------------------

    /// <summary>Only true is true: none is not.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTrue(bool? value) => value == true;

    /// <summary>The branch an <c>if</c> takes: a none condition rejects the row with the binder's reason instead of choosing.</summary>
    public static bool Choose(bool? condition, string noneReason) => condition ?? throw new RatingException(noneReason);

    /// <summary>A truth the code generator proved is never none (a comparison of texts that cannot be none).</summary>
    public static bool Proven(bool? value) => value ?? throw new InvalidOperationException("a value proved never none was none");

    /// <summary>A number the code generator proved is never none (the length of a text that cannot be none).</summary>
    public static decimal Proven(decimal? value) => value ?? throw new InvalidOperationException("a value proved never none was none");

    public static bool IsNone(decimal? x) => x is null;
    public static bool IsNone(bool? x) => x is null;
    public static bool IsNone(string? x) => x is null;
    public static bool IsNone(string[]? x) => x is null;
    public static bool IsNone(DateOnly? x) => x is null;
    public static bool IsNone(DateTimeOffset? x) => x is null;
    public static bool IsNone(TimeSpan? x) => x is null;

    public static bool Not(bool x) => !x;

    public static bool? Not(bool? x) => x is { } b ? !b : null;

    // ---- contains --------------------------------------------------------------------------------------------

    public static bool? Contains(string[]? tags, string? item) => tags is null || item is null ? null : Array.IndexOf(tags, item) >= 0;

    public static bool? Contains(string? text, string? part) =>
        text is null || part is null ? null : text.Contains(part, StringComparison.Ordinal);

    // ---- builtins ------------------------------------------------------------------------------------------

    public static decimal Ceiling(decimal x) => Math.Ceiling(x);
    public static decimal Floor(decimal x) => Math.Floor(x);
    public static decimal Round(decimal x) => Math.Round(x, MidpointRounding.AwayFromZero);
    public static decimal Abs(decimal x) => Math.Abs(x);

    public static decimal? Ceiling(decimal? x) => x is { } v ? Ceiling(v) : null;
    public static decimal? Floor(decimal? x) => x is { } v ? Floor(v) : null;
    public static decimal? Round(decimal? x) => x is { } v ? Round(v) : null;
    public static decimal? Abs(decimal? x) => x is { } v ? Abs(v) : null;

    // min and max keep the first of equal values: 1.0 and 1.00 are equal but print differently on an invoice.
    public static decimal Min(decimal x, decimal y) => y < x ? y : x;
    public static decimal Max(decimal x, decimal y) => y > x ? y : x;

    public static decimal? Min(decimal? x, decimal? y) => x is { } a && y is { } b ? Min(a, b) : null;
    public static decimal? Max(decimal? x, decimal? y) => x is { } a && y is { } b ? Max(a, b) : null;

    /// <summary>Whole years from a date to the current moment's local date (negative when the date is later).</summary>
    public static decimal YearsSince(DateOnly from, DateTimeOffset now, ZoneClock zone)
    {
        var today = zone.LocalDate(now);
        var years = today.Year - from.Year;
        if (today.Month < from.Month || (today.Month == from.Month && today.Day < from.Day)) years--;
        return years;
    }

    public static decimal YearsSince(DateTimeOffset from, DateTimeOffset now, ZoneClock zone) =>
        YearsSince(zone.LocalDate(from), now, zone);

    public static decimal? YearsSince(DateOnly? from, DateTimeOffset now, ZoneClock zone) =>
        from is { } d ? YearsSince(d, now, zone) : null;

    public static decimal? YearsSince(DateTimeOffset? from, DateTimeOffset now, ZoneClock zone) =>
        from is { } t ? YearsSince(t, now, zone) : null;

    // ---- steps and packages --------------------------------------------------------------------------------
    // A step or block size of 0 or less has no multiples to round to: a literal one is TL0085, a computed one rejects
    // the row (or fails the period) here, like a division by zero.

    public static decimal RoundUp(decimal q, decimal step) => Math.Ceiling(q / Positive(step, "round_up", "step")) * step;
    public static decimal RoundDown(decimal q, decimal step) => Math.Floor(q / Positive(step, "round_down", "step")) * step;

    /// <summary>Half a step rounds away from zero, as <see cref="Round(decimal)"/> does.</summary>
    public static decimal RoundNearest(decimal q, decimal step) =>
        Math.Round(q / Positive(step, "round_nearest", "step"), MidpointRounding.AwayFromZero) * step;

    public static decimal? RoundUp(decimal? q, decimal? step) => q is { } a && step is { } b ? RoundUp(a, b) : null;
    public static decimal? RoundDown(decimal? q, decimal? step) => q is { } a && step is { } b ? RoundDown(a, b) : null;
    public static decimal? RoundNearest(decimal? q, decimal? step) => q is { } a && step is { } b ? RoundNearest(a, b) : null;

    /// <summary>How many blocks of <paramref name="size"/> cover what is left of q once <paramref name="free"/> units are used.</summary>
    public static decimal Blocks(decimal q, decimal size, decimal free) =>
        Math.Ceiling(Math.Max(q - free, 0m) / Positive(size, "blocks", "block size"));

    public static decimal Blocks(decimal q, decimal size) => Blocks(q, size, 0m);

    public static decimal? Blocks(decimal? q, decimal? size) => q is { } a && size is { } b ? Blocks(a, b) : null;

    public static decimal? Blocks(decimal? q, decimal? size, decimal? free) =>
        q is { } a && size is { } b && free is { } f ? Blocks(a, b, f) : null;

    private static decimal Positive(decimal value, string function, string what) =>
        value > 0 ? value
            : throw new RatingException(
                $"{function}: the {what} must be greater than 0, not {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    // ---- dates ---------------------------------------------------------------------------------------------
    // Days are counted between local dates: a time is first read as its date in the tariff's zone, so a day across a
    // daylight-saving change (23 or 25 hours) is still one day.

    public static DateOnly LocalDate(DateTimeOffset t, ZoneClock zone) => zone.LocalDate(t);

    public static DateOnly? LocalDate(DateTimeOffset? t, ZoneClock zone) => t is { } v ? zone.LocalDate(v) : null;

    /// <summary>Whole days from a to b: negative when b comes first.</summary>
    public static decimal DaysBetween(DateOnly a, DateOnly b) => b.DayNumber - a.DayNumber;

    public static decimal? DaysBetween(DateOnly? a, DateOnly? b) => a is { } x && b is { } y ? DaysBetween(x, y) : null;

    /// <summary>The days from <paramref name="first"/> to <paramref name="last"/>, both included.</summary>
    public static decimal DaysIn(DateOnly first, DateOnly last) => DaysBetween(first, last) + 1;

    /// <summary>1 on the period's first day; days before it count 0, −1…, days after its last day go on past its length.</summary>
    public static decimal DayOfPeriod(DateOnly d, DateOnly first) => DaysBetween(first, d) + 1;

    public static decimal? DayOfPeriod(DateOnly? d, DateOnly first) => d is { } v ? DayOfPeriod(v, first) : null;
    // ---- allowances ------------------------------------------------------------------------------------------

    /// <summary>
    /// The share (0 to 1) of each unit of an event's quantity that an allowance still covers, per unit like every per-event
    /// value: each unit uses <paramref name="weight"/> of what is left (<paramref name="amount"/> − <paramref name="used"/>),
    /// and when the rest covers only part of the event, that part is covered, so that the units beyond are exactly what
    /// the allowance cannot pay for (share × quantity units are covered).
    /// </summary>
    public static decimal AllowanceCovered(decimal amount, decimal used, decimal weight, decimal quantity)
    {
        if (weight < 0m) throw new RatingException($"an allowance's use must not be negative, not {weight}");
        var left = amount - used;
        if (left <= 0m) return 0m;
        if (weight * quantity <= left) return 1m;
        return left / weight / quantity;
    }

    /// <summary>What an event takes from an allowance: its whole use, or the rest of the allowance when that is less.</summary>
    public static decimal AllowanceConsumed(decimal amount, decimal used, decimal weight, decimal quantity)
    {
        if (weight < 0m) throw new RatingException($"an allowance's use must not be negative, not {weight}");
        var left = amount - used;
        if (left <= 0m) return 0m;
        var wanted = weight * quantity;
        return wanted <= left ? wanted : left;
    }
}
