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

    public static object? Call(Builtin fn, object?[] args, DateTimeOffset now, DateTimeZoneInfo zone)
    {
        if (args.Any(a => a is null)) return null;
        switch (fn)
        {
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
                if (size <= 0) throw new RatingException($"blocks: the block size must be greater than 0, not {size.ToString(CultureInfo.InvariantCulture)}");
                var rest = Math.Max((decimal)args[0]! - (args.Length > 2 ? (decimal)args[2]! : 0m), 0m);
                var whole = Math.Truncate(rest / size);
                return rest % size == 0 ? whole : whole + 1;
            }
            case Builtin.DaysBetween:
                return (decimal)(DateOf(args[1]!, zone).ToDateTime(TimeOnly.MinValue) - DateOf(args[0]!, zone).ToDateTime(TimeOnly.MinValue)).Days;
        }
        throw new InvalidOperationException(fn.ToString());
    }

    /// <summary>Rounds through the remainder: the multiple of step at or below q, then up, or to the nearer (half away from zero).</summary>
    private static decimal ToStep(Builtin fn, decimal q, decimal step)
    {
        var name = fn switch { Builtin.RoundUp => "round_up", Builtin.RoundDown => "round_down", _ => "round_nearest" };
        if (step <= 0) throw new RatingException($"{name}: the step must be greater than 0, not {step.ToString(CultureInfo.InvariantCulture)}");
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
                    && decimal.TryParse(raw.AsSpan(0, raw.Length - 1), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var percent))
                    return percent / 100m;
                if (decimal.TryParse(raw, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var d))
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
                if (TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out var span)) return span;
                error = $"'{raw}' is not a duration";
                return null;
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
