using System.Globalization;
using TariffLang.Semantics;
using TariffLang.Syntax;

namespace TariffLang.Tests.Reference;

/// <summary>A rating problem tied to one event (it is rejected) or, when <see cref="AccountWide"/>, to a whole account.</summary>
internal sealed class RatingException(string message, bool accountWide = false) : Exception(message)
{
    public bool AccountWide { get; } = accountWide;
}

/// <summary>
/// The meaning of the language's operators on runtime values, shared by both backends so that they
/// agree to the cent. Values are decimal, string, bool, DateOnly, DateTimeOffset, TimeSpan, string[] (tags),
/// or null for none; any none operand makes arithmetic and comparison none, and none is not true.
/// </summary>
internal static class RuntimeOps
{
    public static bool IsTrue(object? value) => value is true;

    public static object? Negate(object? v) => v is decimal d ? -d : null;

    public static object? Not(object? v) => v is bool b ? !b : null;

    public static object? And(object? a, object? b) => IsTrue(a) && IsTrue(b);

    public static object? Or(object? a, object? b) => IsTrue(a) || IsTrue(b);

    public static object? Arithmetic(BinaryOp op, object? a, object? b)
    {
        if (a is null || b is null) return null;
        switch (a, b)
        {
            case (decimal x, decimal y):
                return op switch
                {
                    BinaryOp.Add => x + y,
                    BinaryOp.Sub => x - y,
                    BinaryOp.Mul => x * y,
                    BinaryOp.Div => y == 0 ? throw new RatingException("division by zero") : x / y,
                    _ => throw new InvalidOperationException(op.ToString()),
                };
            case (DateTimeOffset t, TimeSpan d) when op == BinaryOp.Add: return t + d;
            case (DateTimeOffset t, TimeSpan d) when op == BinaryOp.Sub: return t - d;
            case (DateTimeOffset t1, DateTimeOffset t2) when op == BinaryOp.Sub: return t1 - t2;
            case (TimeSpan x, TimeSpan y) when op == BinaryOp.Add: return TicksOf((decimal)x.Ticks + y.Ticks);
            case (TimeSpan x, TimeSpan y) when op == BinaryOp.Sub: return TicksOf((decimal)x.Ticks - y.Ticks);
            case (TimeSpan x, TimeSpan y) when op == BinaryOp.Div:
                return y == TimeSpan.Zero ? throw new RatingException("division by zero") : (decimal)x.Ticks / y.Ticks;
            case (TimeSpan x, decimal n) when op == BinaryOp.Mul: return TicksOf(x.Ticks * n);
            case (decimal n, TimeSpan x) when op == BinaryOp.Mul: return TicksOf(x.Ticks * n);
            case (TimeSpan x, decimal n) when op == BinaryOp.Div:
                return n == 0 ? throw new RatingException("division by zero") : TicksOf(x.Ticks / n);
        }
        throw new InvalidOperationException($"no arithmetic {op} on {a.GetType().Name} and {b.GetType().Name}");
    }

    public static object? Compare(BinaryOp op, object? a, object? b)
    {
        if (a is null || b is null) return null;
        if (op is BinaryOp.Eq or BinaryOp.Ne)
        {
            var equal = a is decimal x && b is decimal y ? x == y : Equals(a, b);
            return op == BinaryOp.Eq ? equal : !equal;
        }
        var c = (a, b) switch
        {
            (decimal x, decimal y) => x.CompareTo(y),
            (DateTimeOffset x, DateTimeOffset y) => x.CompareTo(y),
            (DateOnly x, DateOnly y) => x.CompareTo(y),
            (TimeSpan x, TimeSpan y) => x.CompareTo(y),
            _ => throw new InvalidOperationException($"no ordering of {a.GetType().Name}"),
        };
        return op switch
        {
            BinaryOp.Lt => c < 0,
            BinaryOp.Le => c <= 0,
            BinaryOp.Gt => c > 0,
            _ => c >= 0,
        };
    }

    public static object? Contains(object? a, object? b) => (a, b) switch
    {
        (string[] tags, string item) => Array.IndexOf(tags, item) >= 0,
        (string text, string part) => text.Contains(part, StringComparison.Ordinal),
        _ => null,
    };

    /// <summary>
    /// The oracle's own reading of overlap(): cut the span at every local midnight and at every from and to of the days it
    /// touches, then keep the pieces whose middle is, by the local clock, inside the daily window.
    /// </summary>
    private static TimeSpan Overlap(DateTimeOffset start, TimeSpan length, TimeSpan from, TimeSpan to, DateTimeZoneInfo zone)
    {
        if (from < TimeSpan.Zero || from > TimeSpan.FromDays(1) || to < TimeSpan.Zero || to > TimeSpan.FromDays(1))
            throw new RatingException("overlap(): a time of day is 0h to 24h");
        if (length <= TimeSpan.Zero || from == to) return TimeSpan.Zero;
        if (length > TimeSpan.FromDays(400)) throw new RatingException("overlap(): a span longer than 400 days");
        var end = start + length;
        var cuts = new SortedSet<DateTimeOffset> { start, end };
        for (var day = DateOf(start, zone).AddDays(-1); day <= DateOf(end, zone).AddDays(1); day = day.AddDays(1))
        {
            foreach (var time in new[] { TimeSpan.Zero, from, to })
            {
                var local = time >= TimeSpan.FromDays(1)
                    ? NodaTime.LocalDate.FromDateOnly(day.AddDays(1)).AtMidnight()
                    : NodaTime.LocalDate.FromDateOnly(day).At(NodaTime.LocalTime.FromTicksSinceMidnight(time.Ticks));
                var instant = zone.Zone.AtLeniently(local).ToDateTimeOffset();
                if (instant > start && instant < end) cuts.Add(instant);
            }
        }
        var total = TimeSpan.Zero;
        var points = cuts.ToList();
        for (var i = 0; i + 1 < points.Count; i++)
        {
            var middle = points[i] + (points[i + 1] - points[i]) / 2;
            var clock = NodaTime.Instant.FromDateTimeOffset(middle).InZone(zone.Zone).TimeOfDay.ToTimeOnly().ToTimeSpan();
            var inside = from < to ? clock >= from && clock < to : clock >= from || clock < to;
            if (inside) total += points[i + 1] - points[i];
        }
        return total;
    }

    public static object? Call(Builtin fn, object?[] args, DateTimeOffset now, DateTimeZoneInfo zone)
    {
        // A contract without its own holiday list has none: only the tariff's dates count.
        if (fn == Builtin.IsHoliday && args[0] is { } day)
        {
            var local = DateOf(day, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            return ((string[])args[1]!).Contains(local) || (args.Length > 2 && args[2] is string[] own && own.Any(x => x.Trim() == local));
        }
        if (args.Any(a => a is null)) return null;
        switch (fn)
        {
            case Builtin.TimeOfDay:
                return NodaTime.Instant.FromDateTimeOffset((DateTimeOffset)args[0]!).InZone(zone.Zone).TimeOfDay.ToTimeOnly().ToTimeSpan();
            case Builtin.Overlap:
                return Overlap((DateTimeOffset)args[0]!, (TimeSpan)args[1]!, (TimeSpan)args[2]!, (TimeSpan)args[3]!, zone);
            case Builtin.DayOfWeek: return (decimal)((int)DateOf(args[0]!, zone).DayOfWeek + 6) % 7 + 1;
            case Builtin.MonthOfYear: return (decimal)DateOf(args[0]!, zone).Month;
            case Builtin.DayOfMonth: return (decimal)DateOf(args[0]!, zone).Day;
            case Builtin.Ceil: return Math.Ceiling((decimal)args[0]!);
            case Builtin.Floor: return Math.Floor((decimal)args[0]!);
            case Builtin.Round: return Math.Round((decimal)args[0]!, MidpointRounding.AwayFromZero);
            case Builtin.Abs: return Math.Abs((decimal)args[0]!);
            case Builtin.Min: return args.Cast<decimal>().Min();
            case Builtin.Max: return args.Cast<decimal>().Max();
            case Builtin.YearsSince: return YearsSince(args[0]!, now, zone);
            case Builtin.RoundUp or Builtin.RoundDown or Builtin.RoundNearest:
                return ToStep(fn, (decimal)args[0]!, (decimal)args[1]!);
            case Builtin.Blocks:
            {
                var size = (decimal)args[1]!;
                if (size <= 0) throw new RatingException(
                    $"blocks: the block size must be greater than 0, not {size.ToString(CultureInfo.InvariantCulture)}");
                var rest = Math.Max((decimal)args[0]! - (args.Length > 2 ? (decimal)args[2]! : 0m), 0m);
                var whole = Math.Truncate(rest / size);
                return rest % size == 0 ? whole : whole + 1;
            }
            case Builtin.RoundUpDuration or Builtin.RoundDownDuration or Builtin.RoundNearestDuration:
            {
                var step = (TimeSpan)args[1]!;
                var plain = fn switch { Builtin.RoundUpDuration => Builtin.RoundUp, Builtin.RoundDownDuration => Builtin.RoundDown,
                    _ => Builtin.RoundNearest };
                if (step <= TimeSpan.Zero) throw new RatingException($"{Name(plain)}: the step must be greater than 0, not {Show(step)}");
                return TicksOf(ToStep(plain, ((TimeSpan)args[0]!).Ticks, step.Ticks));
            }
            case Builtin.Seconds: return ((TimeSpan)args[0]!).Ticks / 10_000_000m;
            case Builtin.Minutes: return ((TimeSpan)args[0]!).Ticks / 600_000_000m;
            case Builtin.Hours: return ((TimeSpan)args[0]!).Ticks / 36_000_000_000m;
            case Builtin.Days: return ((TimeSpan)args[0]!).Ticks / 864_000_000_000m;
            // Characters as Unicode scalar values: a surrogate pair is one.
            case Builtin.Length: return (decimal)((string)args[0]!).Count(ch => !char.IsLowSurrogate(ch));
            case Builtin.StartsWith: return ((string)args[0]!).StartsWith((string)args[1]!, StringComparison.Ordinal);
            case Builtin.EndsWith: return ((string)args[0]!).EndsWith((string)args[1]!, StringComparison.Ordinal);
            case Builtin.IsGsm7: return Septets((string)args[0]!) is not null;
            case Builtin.Gsm7Length: return Septets((string)args[0]!);
            case Builtin.DaysBetween:
                return (decimal)(DateOf(args[1]!, zone).ToDateTime(TimeOnly.MinValue)
                    - DateOf(args[0]!, zone).ToDateTime(TimeOnly.MinValue)).Days;
        }
        throw new InvalidOperationException(fn.ToString());
    }

    private static string Name(Builtin fn) =>
        fn switch { Builtin.RoundUp => "round_up", Builtin.RoundDown => "round_down", _ => "round_nearest" };

    private static TimeSpan TicksOf(decimal ticks)
    {
        var whole = decimal.Round(ticks, 0, MidpointRounding.AwayFromZero);
        if (Math.Abs(whole) > TimeSpan.MaxValue.Ticks) throw new RatingException("a duration is too long (more than 29,000 years)");
        return new TimeSpan((long)whole);
    }

    // GSM 03.38 written as code points: the default alphabet's 128 positions, then the extension table reached by escape.
    private static readonly int[] Gsm7Default =
    [
        0x40, 0xA3, 0x24, 0xA5, 0xE8, 0xE9, 0xF9, 0xEC, 0xF2, 0xC7, 0x0A, 0xD8, 0xF8, 0x0D, 0xC5, 0xE5,
        0x394, 0x5F, 0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398, 0x39E, 0xC6, 0xE6, 0xDF, 0xC9,
        0x20, 0x21, 0x22, 0x23, 0xA4, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F,
        0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
        0xA1, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F,
        0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0xC4, 0xD6, 0xD1, 0xDC, 0xA7,
        0xBF, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F,
        0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0xE4, 0xF6, 0xF1, 0xFC, 0xE0,
    ];

    private static readonly int[] Gsm7Escaped = [0x0C, 0x5E, 0x7B, 0x7D, 0x5C, 0x5B, 0x7E, 0x5D, 0x7C, 0x20AC];

    private static decimal? Septets(string text)
    {
        decimal n = 0;
        foreach (var ch in text)
        {
            if (Array.IndexOf(Gsm7Default, ch) >= 0) n += 1;
            else if (Array.IndexOf(Gsm7Escaped, ch) >= 0) n += 2;
            else return null;
        }
        return n;
    }

    /// <summary>Rounds through the remainder: the multiple of step at or below q, then up, or to the nearer (half away from
    /// zero).</summary>
    private static decimal ToStep(Builtin fn, decimal q, decimal step)
    {
        var name = fn switch { Builtin.RoundUp => "round_up", Builtin.RoundDown => "round_down", _ => "round_nearest" };
        if (step <= 0)
            throw new RatingException($"{name}: the step must be greater than 0, not {step.ToString(CultureInfo.InvariantCulture)}");
        var below = ((q % step) + step) % step;
        var k = Math.Truncate((q - below) / step);
        if (below == 0) return k * step;
        var up = fn switch
        {
            Builtin.RoundUp => true,
            Builtin.RoundDown => false,
            _ => 2 * below > step || (2 * below == step && q > 0),
        };
        return (up ? k + 1 : k) * step;
    }

    private static DateOnly DateOf(object value, DateTimeZoneInfo zone) => value switch
    {
        DateOnly d => d,
        DateTimeOffset t => zone.LocalDate(t),
        _ => throw new InvalidOperationException("a date"),
    };

    public static object? DayOfPeriod(object? value, DateOnly first, DateTimeZoneInfo zone) =>
        value is null ? null : (decimal)(DateOf(value, zone).DayNumber - first.DayNumber + 1);

    /// <summary>Whole years from a date to the current moment's local date (negative when the date is later).</summary>
    public static decimal YearsSince(object date, DateTimeOffset now, DateTimeZoneInfo zone)
    {
        var from = date switch
        {
            DateOnly d => d,
            DateTimeOffset t => zone.LocalDate(t),
            _ => throw new InvalidOperationException("years_since"),
        };
        var today = zone.LocalDate(now);
        var years = today.Year - from.Year;
        if (today.Month < from.Month || (today.Month == from.Month && today.Day < from.Day)) years--;
        return years;
    }

    /// <summary>Parses ledger or contract text into a value of the declared type.</summary>
    public static object? Parse(string raw, TlType type, out string? error)
    {
        error = null;
        switch (type.Kind)
        {
            case TypeKind.Text: return raw;
            case TypeKind.Number or TypeKind.Money:
                // "5%" is how contracts (and tariff examples) write rates: 0.05.
                if (!type.Integer && raw.EndsWith('%')
                    && decimal.TryParse(raw.AsSpan(0, raw.Length - 1), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign,
                        CultureInfo.InvariantCulture, out var percent))
                    return percent / 100m;
                if (decimal.TryParse(raw, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
                    out var d))
                {
                    if (type.Integer && decimal.Truncate(d) != d)
                    {
                        error = $"'{raw}' is not a whole number";
                        return null;
                    }
                    return d;
                }
                error = $"'{raw}' is not a number";
                return null;
            case TypeKind.Bool:
                if (raw is "true" or "TRUE" or "True" or "1" or "yes") return true;
                if (raw is "false" or "FALSE" or "False" or "0" or "no") return false;
                error = $"'{raw}' is not true or false";
                return null;
            case TypeKind.Date:
                if (DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
                error = $"'{raw}' is not a date (YYYY-MM-DD)";
                return null;
            case TypeKind.Time:
                if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
                    && (raw.EndsWith('Z') || raw.IndexOfAny(['+', '-'], Math.Min(raw.Length, 11)) > 0)) return t;
                error = $"'{raw}' is not a time with an offset (ISO-8601)";
                return null;
            case TypeKind.Duration:
                return ParseDuration(raw, out error);
            case TypeKind.Tags:
                return raw.Split([';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        error = $"cannot read a value of type {type}";
        return null;
    }

    /// <summary>A decimal without trailing zeros: 7, 7.0 and 7.00 are one key, one distinct value.</summary>
    public static string Normalized(decimal d)
    {
        var text = d.ToString(CultureInfo.InvariantCulture);
        return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;
    }

    public static string Show(object? value) => value switch
    {
        null => "none",
        string s => "\"" + s + "\"",
        decimal d => Normalized(d),
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
        string[] tags => string.Join(";", tags),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// The ledger's duration forms, read independently of the engine: ISO-8601 by the framework's XML reader, the
    /// language's literals and plain seconds by patterns.
    /// </summary>
    private static TimeSpan? ParseDuration(string raw, out string? error)
    {
        error = null;
        var text = raw.Trim();
        var unreadable = $"'{raw}' is not a duration: write 80s, 2min, 1h, 1d, PT1M20S or a number of seconds";
        decimal ticks;
        if (text.Contains(':'))
        {
            error = $"'{raw}' is ambiguous: write a duration as 80s, 2min, PT1M20S or a number of seconds, not as a clock";
            return null;
        }
        if (text.StartsWith('-'))
        {
            error = $"'{raw}' is negative: a duration is 0 or more";
            return null;
        }
        var literal = System.Text.RegularExpressions.Regex.Match(text, @"^([0-9]{1,12})(s|min|h|d)$");
        if (text.StartsWith('P'))
        {
            var date = text.Split('T')[0];
            if (date.Contains('Y') || date.Contains('M'))
            {
                error = $"'{raw}' counts years or months, whose length varies: write days (P30D) or hours";
                return null;
            }
            var shape = System.Text.RegularExpressions.Regex.IsMatch(text,
                @"^P(?=[0-9]|T[0-9])([0-9]{1,15}W)?([0-9]{1,15}D)?(T(?=[0-9])([0-9]{1,15}H)?([0-9]{1,15}M)?([0-9]{1,15}(\.[0-9]{1,14})?S)?)?$");
            if (!shape || text.Length > 60)
            {
                error = unreadable;
                return null;
            }
            // XmlConvert reads P…W? Not in every runtime: weeks are turned into days first.
            var weeks = System.Text.RegularExpressions.Regex.Match(text, @"^P([0-9]+)W");
            decimal extra = 0;
            if (weeks.Success)
            {
                extra = decimal.Parse(weeks.Groups[1].Value, CultureInfo.InvariantCulture) * 7 * TimeSpan.TicksPerDay;
                text = "P" + text[weeks.Length..];
                if (text == "P") text = "PT0S";
            }
            ticks = System.Xml.XmlConvert.ToTimeSpan(text).Ticks + extra;
        }
        else if (literal.Success)
        {
            var unit = literal.Groups[2].Value switch { "s" => 1m, "min" => 60m, "h" => 3600m, _ => 86400m };
            ticks = decimal.Parse(literal.Groups[1].Value, CultureInfo.InvariantCulture) * unit * TimeSpan.TicksPerSecond;
        }
        else if (text.Length <= 15 && System.Text.RegularExpressions.Regex.IsMatch(text, @"^[0-9]+(\.[0-9]+)?$|^\.[0-9]+$|^[0-9]+\.$"))
            ticks = decimal.Parse(text, CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond;
        else
        {
            error = unreadable;
            return null;
        }
        if (ticks > 36_525m * TimeSpan.TicksPerDay)
        {
            error = $"'{raw}' is longer than 36525d (100 years)";
            return null;
        }
        return new TimeSpan((long)decimal.Round(ticks, 0, MidpointRounding.AwayFromZero));
    }
}

/// <summary>The tariff's time zone, with the conversions rating needs.</summary>
internal sealed class DateTimeZoneInfo(NodaTime.DateTimeZone zone)
{
    public NodaTime.DateTimeZone Zone { get; } = zone;

    public DateOnly LocalDate(DateTimeOffset t) =>
        NodaTime.Instant.FromDateTimeOffset(t).InZone(Zone).Date.ToDateOnly();

    /// <summary>The instant a local date starts (midnight, or the first valid moment after a gap).</summary>
    public DateTimeOffset StartOf(DateOnly date) =>
        Zone.AtStartOfDay(NodaTime.LocalDate.FromDateOnly(date)).ToDateTimeOffset();
}
