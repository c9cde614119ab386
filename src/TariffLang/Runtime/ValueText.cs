using System.Globalization;
using System.Runtime.CompilerServices;
using TariffLang.Semantics;

namespace TariffLang.Runtime;

/// <summary>
/// Values as text: how messages, <c>explain</c> and keys show them, and how contract values and example arguments
/// are read from text into the declared type.
/// </summary>
internal static class ValueText
{
    /// <summary>A decimal without trailing zeros: 7, 7.0 and 7.00 are one key, one distinct value.</summary>
    public static string Normalized(decimal d)
    {
        var text = d.ToString(CultureInfo.InvariantCulture);
        return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;
    }

    /// <summary>A value as messages show it: texts quoted, numbers without trailing zeros, none as <c>none</c>.</summary>
    public static string Show(Value value) => value.Kind switch
    {
        ValueKind.None => "none",
        ValueKind.Text => "\"" + value.Text + "\"",
        ValueKind.Number => Normalized(value.Number),
        ValueKind.Bool => value.Bool ? "true" : "false",
        ValueKind.Date => value.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ValueKind.Time => value.Time.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
        ValueKind.Tags => string.Join(";", value.Tags),
        _ => value.Duration.ToString(),
    };

    /// <summary>Parses ledger, contract or example text into a value of the declared type.</summary>
    public static Value Parse(string raw, TlType type, out string? error)
    {
        error = null;
        switch (type.Kind)
        {
            case TypeKind.Text: return Value.FromText(raw);
            case TypeKind.Number or TypeKind.Money:
                // "5%" is how contracts (and tariff examples) write rates: 0.05.
                if (!type.Integer && raw.EndsWith('%')
                    && decimal.TryParse(raw.AsSpan(0, raw.Length - 1), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign,
                        CultureInfo.InvariantCulture, out var percent))
                    return Value.FromNumber(percent / 100m);
                if (decimal.TryParse(raw, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
                    out var d))
                {
                    if (type.Integer && decimal.Truncate(d) != d)
                    {
                        error = $"'{raw}' is not a whole number";
                        return Value.None;
                    }
                    return Value.FromNumber(d);
                }
                error = $"'{raw}' is not a number";
                return Value.None;
            case TypeKind.Bool:
                if (raw is "true" or "TRUE" or "True" or "1" or "yes") return Value.FromBool(true);
                if (raw is "false" or "FALSE" or "False" or "0" or "no") return Value.FromBool(false);
                error = $"'{raw}' is not true or false";
                return Value.None;
            case TypeKind.Date:
                if (DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None,
                    out var date)) return Value.FromDate(date);
                error = $"'{raw}' is not a date (YYYY-MM-DD)";
                return Value.None;
            case TypeKind.Time:
                if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
                    && (raw.EndsWith('Z') || raw.IndexOfAny(['+', '-'], Math.Min(raw.Length, 11)) > 0)) return Value.FromTime(t);
                error = $"'{raw}' is not a time with an offset (ISO-8601)";
                return Value.None;
            case TypeKind.Duration:
                return DurationText.TryParse(raw, out var span, out error) ? Value.FromDuration(span) : Value.None;
            case TypeKind.Tags:
                return Value.FromTags(raw.Split([';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        error = $"cannot read a value of type {type}";
        return Value.None;
    }
}

/// <summary>
/// Equality of values used as keys (of a counter, a window, a distinct count): two values are one key when they show
/// the same (<see cref="ValueText.Show"/>): 7 and 7.00 are one key, a text "7" and the number 7 are two, and none is
/// a key of its own. Comparing without building the text keeps keys free of allocation.
/// </summary>
internal sealed class ValueKeyComparer : IEqualityComparer<Value>
{
    public static readonly ValueKeyComparer Instance = new();

    public bool Equals(Value x, Value y)
    {
        if (x.Kind != y.Kind) return false;
        return x.Kind switch
        {
            ValueKind.None => true,
            ValueKind.Text => string.Equals(x.Text, y.Text, StringComparison.Ordinal),
            ValueKind.Number => x.Number == y.Number,
            ValueKind.Bool => x.Bool == y.Bool,
            ValueKind.Date => x.Date == y.Date,
            // Shown to the second with their offset: the same clock time in two offsets is two keys.
            ValueKind.Time => x.Time.Offset == y.Time.Offset
                              && x.Time.DateTime.Ticks / TimeSpan.TicksPerSecond == y.Time.DateTime.Ticks / TimeSpan.TicksPerSecond,
            ValueKind.Duration => x.Duration == y.Duration,
            _ => string.Equals(string.Join(";", x.Tags), string.Join(";", y.Tags), StringComparison.Ordinal),
        };
    }

    public int GetHashCode(Value v) => v.Kind switch
    {
        ValueKind.None => 0,
        ValueKind.Text => StringComparer.Ordinal.GetHashCode(v.Text),
        // Equal decimals hash alike whatever their scale.
        ValueKind.Number => v.Number.GetHashCode(),
        ValueKind.Bool => v.Bool ? 1 : 2,
        ValueKind.Date => v.Date.DayNumber,
        ValueKind.Time => HashCode.Combine(v.Time.Offset, v.Time.DateTime.Ticks / TimeSpan.TicksPerSecond),
        ValueKind.Duration => v.Duration.GetHashCode(),
        _ => StringComparer.Ordinal.GetHashCode(string.Join(";", v.Tags)),
    };
}
