using System.Globalization;

namespace TariffLang.Runtime;

/// <summary>
/// How a ledger, a contract or an example writes a duration. Three forms, each unambiguous: the language's own literals
/// (<c>80s</c>, <c>2min</c>, <c>1h</c>, <c>7d</c>), ISO-8601 (<c>PT1M20S</c>, <c>P1DT2H</c>, <c>P2W</c>) and a plain
/// number of seconds (<c>80</c>, <c>80.5</c>). A clock form such as <c>1:20</c> is refused: it reads as 1 h 20 min to
/// some and 1 min 20 s to others, and a bill must not guess. Years and months are refused too (their length varies).
/// </summary>
internal static class DurationText
{
    /// <summary>The longest duration a value may hold, as for the tariff's own literals (TL0071).</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(36_525);

    public static bool TryParse(string raw, out TimeSpan value, out string? error)
    {
        value = default;
        error = null;
        var text = raw.Trim();
        decimal? ticks = text.Contains(':')
            ? Fail(out error, $"'{raw}' is ambiguous: write a duration as 80s, 2min, PT1M20S or a number of seconds, not as a clock")
            : text.StartsWith('-')
                ? Fail(out error, $"'{raw}' is negative: a duration is 0 or more")
                : text.StartsWith('P')
                    ? Iso(text, raw, out error)
                    : Literal(text) ?? Seconds(text) ?? Fail(out error, Unreadable(raw));
        if (ticks is not { } t) return false;
        if (t > Max.Ticks)
        {
            error = $"'{raw}' is longer than {Max.Days}d (100 years)";
            return false;
        }
        value = TimeSpan.FromTicks((long)Math.Round(t, MidpointRounding.AwayFromZero));
        return true;
    }

    private static string Unreadable(string raw) => $"'{raw}' is not a duration: write 80s, 2min, 1h, 1d, PT1M20S or a number of seconds";

    private static decimal? Fail(out string? error, string message)
    {
        error = message;
        return null;
    }

    private static decimal? Literal(string text)
    {
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits])) digits++;
        if (digits == 0 || digits > 12) return null;
        var unit = text[digits..] switch
        {
            "s" => TimeSpan.TicksPerSecond,
            "min" => TimeSpan.TicksPerMinute,
            "h" => TimeSpan.TicksPerHour,
            "d" => TimeSpan.TicksPerDay,
            _ => 0L,
        };
        return unit == 0 ? null : decimal.Parse(text[..digits], NumberStyles.None, CultureInfo.InvariantCulture) * unit;
    }

    private static decimal? Seconds(string text) =>
        text.Length <= 15 && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            ? seconds * TimeSpan.TicksPerSecond
            : null;

    /// <summary>P[nW] or P[nD][T[nH][nM][n[.f]S]], components in that order, at least one. Lengths are capped so that no
    /// component can overflow a decimal before the range check.</summary>
    private static decimal? Iso(string text, string raw, out string? error)
    {
        error = null;
        decimal ticks = 0;
        var i = 1;
        var inTime = false;
        var any = false;
        var order = 0; // the rank of the last component read: each must come after the one before
        while (i < text.Length)
        {
            if (text[i] == 'T' && !inTime)
            {
                inTime = true;
                i++;
                if (i == text.Length) return Fail(out error, Unreadable(raw));
                continue;
            }
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (i == start || i == text.Length || i - start > 15) return Fail(out error, Unreadable(raw));
            if (!decimal.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
                return Fail(out error, Unreadable(raw));
            var designator = text[i++];
            if (!inTime && designator is 'Y' or 'M')
                return Fail(out error, $"'{raw}' counts years or months, whose length varies: write days (P30D) or hours");
            var (rank, unit) = (inTime, designator) switch
            {
                (false, 'W') => (1, TimeSpan.TicksPerDay * 7),
                (false, 'D') => (2, TimeSpan.TicksPerDay),
                (true, 'H') => (3, TimeSpan.TicksPerHour),
                (true, 'M') => (4, TimeSpan.TicksPerMinute),
                (true, 'S') => (5, TimeSpan.TicksPerSecond),
                _ => (0, 0L),
            };
            // Only seconds may have a fraction, and the components come largest first, once each.
            if (rank <= order || (designator != 'S' && n != decimal.Truncate(n))) return Fail(out error, Unreadable(raw));
            order = rank;
            ticks += n * unit;
            any = true;
        }
        return any ? ticks : Fail(out error, Unreadable(raw));
    }
}
