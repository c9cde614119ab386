using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace TariffLang.Ledgers;

/// <summary>
/// The reserved values of a ledger row (time, quantity) read from UTF-8. A byte-level fast path handles the forms
/// ledgers are written in; anything else goes through the string-based logic the reader always had, so that values
/// and messages stay the same whatever path is taken.
/// </summary>
internal static class LedgerValues
{
    private const string TimeExample = "e.g. 2024-01-03T09:15:00+01:00 or 2024-01-03T08:15:00Z";

    /// <summary>Reads a trimmed time value.</summary>
    /// <returns>Why the text is not a time with offset, or null.</returns>
    public static string? ParseTime(ReadOnlySpan<byte> trimmed, ref DateCache dates, out DateTimeOffset time)
    {
        if (TryParseLedgerTime(trimmed, ref dates, out time)) return null;
        return ParseTime(Utf8Text.Decode(trimmed), out time);
    }

    // ISO 8601 extended format with a mandatory offset; seconds and fractions optional.
    private static readonly Regex IsoTime = new(
        @"^(?<local>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,7})?)?)(?<offset>Z|[+-]\d{2}(?::?\d{2})?)?$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    private static readonly string[] LocalFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF"];

    /// <summary>The reader's original time logic, kept as the reference for everything the fast path declines.</summary>
    /// <returns>Why <paramref name="text"/> is not a time with offset, or null.</returns>
    internal static string? ParseTime(string text, out DateTimeOffset time)
    {
        time = default;
        var match = IsoTime.Match(text);
        if (!match.Success)
        {
            return $"time '{text}' is not an ISO-8601 date-time ({TimeExample})";
        }
        var local = match.Groups["local"].Value.ToUpperInvariant().Replace(',', '.');
        if (!DateTime.TryParseExact(local, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dateTime))
        {
            return $"time '{text}' is not a valid date-time ({TimeExample})";
        }
        if (!match.Groups["offset"].Success)
        {
            // Without an offset the instant is ambiguous, and periods are cut in the tariff's zone.
            return $"time '{text}' has no UTC offset ({TimeExample})";
        }

        var offsetText = match.Groups["offset"].Value;
        var offset = TimeSpan.Zero;
        if (!offsetText.Equals("Z", StringComparison.OrdinalIgnoreCase))
        {
            var digits = offsetText[1..].Replace(":", "", StringComparison.Ordinal);
            // Known quirk kept on purpose: \d also matches non-ASCII digits, which int.Parse then rejects with a
            // FormatException (see LedgerReaderDifferentialTests).
            var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
            var minutes = digits.Length > 2 ? int.Parse(digits[2..], CultureInfo.InvariantCulture) : 0;
            if (hours > 14 || minutes > 59 || (hours == 14 && minutes > 0))
            {
                return $"time '{text}' has an offset out of range (-14:00 to +14:00)";
            }
            offset = new TimeSpan(hours, minutes, 0);
            if (offsetText[0] == '-') offset = -offset;
        }

        var utcTicks = dateTime.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return $"time '{text}' is out of range";
        }
        time = new DateTimeOffset(dateTime, offset);
        return null;
    }

    /// <summary>
    /// The ledger time forms on ASCII bytes: <c>yyyy-MM-ddTHH:mm[:ss[(.|,)f{1,7}]]</c> then <c>Z</c> or
    /// <c>±HH[[:]mm]</c> (<c>T</c> and <c>Z</c> in either case). False for anything else and for anything invalid:
    /// the caller then asks the original logic, which also words the problem.
    /// </summary>
    internal static bool TryParseLedgerTime(ReadOnlySpan<byte> s, out DateTimeOffset time)
    {
        var dates = new DateCache();
        return TryParseLedgerTime(s, ref dates, out time);
    }

    /// <summary>The same, remembering the last date read: the rows of a ledger mostly share their day with the previous one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryParseLedgerTime(ReadOnlySpan<byte> s, ref DateCache dates, out DateTimeOffset time)
    {
        time = default;
        if (s.Length < 17) return false;
        // "yyyy-MM-" and "ddTHH:mm" checked eight bytes at a time: digits where digits go, separators in between.
        var head = BinaryPrimitives.ReadUInt64LittleEndian(s);
        var tail = BinaryPrimitives.ReadUInt64LittleEndian(s[8..]);
        if ((head & 0xFF00_00FF_0000_0000) != 0x2D00_002D_0000_0000
            || ((tail | 0x0000_0000_0020_0000) & 0x0000_FF00_00FF_0000) != 0x0000_3A00_0074_0000
            || !AreDigits(head, 0x00FF_FF00_FFFF_FFFF) || !AreDigits(tail, 0xFFFF_00FF_FF00_FFFF)) return false;

        long days;
        var dayDigits = (uint)(tail & 0xFFFF);
        if (dates.Head == head && dates.DayDigits == dayDigits && dates.Days >= 0)
        {
            days = dates.Days;
        }
        else
        {
            var year = Digit(head, 0) * 1000 + Digit(head, 1) * 100 + Digit(head, 2) * 10 + Digit(head, 3);
            var month = Digit(head, 5) * 10 + Digit(head, 6);
            var day = Digit(tail, 0) * 10 + Digit(tail, 1);
            days = DaysOf(year, month, day);
            if (days < 0) return false;
            dates = dates with { Head = head, DayDigits = dayDigits, Days = days };
        }
        var hour = Digit(tail, 3) * 10 + Digit(tail, 4);
        var minute = Digit(tail, 6) * 10 + Digit(tail, 7);

        var i = 16;
        var second = 0;
        long fraction = 0;
        if (s[i] == ':')
        {
            if (s.Length < i + 3 || !TwoDigits(s, i + 1, out second)) return false;
            i += 3;
            if (i < s.Length && s[i] is (byte)'.' or (byte)',')
            {
                i++;
                var digits = 0;
                while (i < s.Length && (uint)(s[i] - '0') <= 9)
                {
                    if (++digits > 7) return false;
                    fraction = fraction * 10 + (s[i] - '0');
                    i++;
                }
                if (digits == 0) return false;
                for (; digits < 7; digits++) fraction *= 10;
            }
        }
        if (hour > 23 || minute > 59 || second > 59) return false;
        var offsetText = s[i..];
        var offsetKey = offsetText.Length == 6
            ? BinaryPrimitives.ReadUInt32LittleEndian(offsetText) | ((ulong)offsetText[4] << 32) | ((ulong)offsetText[5] << 40)
            : 0;
        int offsetMinutes;
        if (offsetKey != 0 && dates.Offset == offsetKey)
        {
            offsetMinutes = dates.OffsetMinutes;
        }
        else
        {
            if (!TryParseOffset(offsetText, allowShortForms: true, out offsetMinutes)) return false;
            if (offsetKey != 0) dates = dates with { Offset = offsetKey, OffsetMinutes = offsetMinutes };
        }
        var ticks = days * TimeSpan.TicksPerDay + hour * TimeSpan.TicksPerHour + minute * TimeSpan.TicksPerMinute
                    + second * TimeSpan.TicksPerSecond + fraction;
        return TryCompose(ticks, offsetMinutes, out time);
    }

    /// <summary>
    /// The last date a parser read (its first ten bytes) with its day number, and the last six-byte offset (<c>±HH:mm</c>)
    /// with its minutes (an offset of 0 bytes never matches: every form starts with Z, z, + or -).
    /// </summary>
    internal readonly record struct DateCache(ulong Head, uint DayDigits, long Days, ulong Offset, int OffsetMinutes)
    {
        public DateCache() : this(0, 0, -1, 0, 0)
        {
        }
    }

    /// <summary>Whether the bytes of <paramref name="word"/> under <paramref name="digitMask"/> are all ASCII digits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AreDigits(ulong word, ulong digitMask)
    {
        const ulong Zeros = 0x3030_3030_3030_3030, Sixes = 0x0606_0606_0606_0606, High = 0xF0F0_F0F0_F0F0_F0F0;
        // A byte is a digit when its high nibble is 3 and adding 6 keeps it there (0x30..0x39).
        var highNibbles = High & digitMask;
        return (word & highNibbles) == (Zeros & digitMask) && ((word + Sixes) & highNibbles) == (Zeros & digitMask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Digit(ulong word, int index) => (int)((word >> (index * 8)) & 0xFF) - '0';

    /// <summary>
    /// <c>Z</c>/<c>z</c> or <c>±HH</c>, <c>±HHmm</c>, <c>±HH:mm</c> (the short forms only when allowed), within ±14:00.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryParseOffset(ReadOnlySpan<byte> s, bool allowShortForms, out int minutes)
    {
        minutes = 0;
        if (s.Length == 1) return (s[0] | 0x20) == 'z' && (allowShortForms || s[0] == 'Z');
        if (s.Length < 3 || s[0] is not ((byte)'+' or (byte)'-') || !TwoDigits(s, 1, out var hours)) return false;
        var mins = 0;
        switch (s.Length)
        {
            case 3 when allowShortForms:
                break;
            case 5 when allowShortForms:
                if (!TwoDigits(s, 3, out mins)) return false;
                break;
            case 6 when s[3] == ':':
                if (!TwoDigits(s, 4, out mins)) return false;
                break;
            default:
                return false;
        }
        if (hours > 14 || mins > 59 || (hours == 14 && mins > 0)) return false;
        minutes = hours * 60 + mins;
        if (s[0] == '-') minutes = -minutes;
        return true;
    }

    private static readonly int[] DaysToMonth365 = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
    private static readonly int[] DaysToMonth366 = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366];

    /// <summary>The day number (days since 0001-01-01) of a valid date, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static long DaysOf(int year, int month, int day)
    {
        if (year < 1 || month < 1 || month > 12) return -1;
        var table = DateTime.IsLeapYear(year) ? DaysToMonth366 : DaysToMonth365;
        if (day < 1 || day > table[month] - table[month - 1]) return -1;
        var y = year - 1;
        return y * 365 + y / 4 - y / 100 + y / 400 + table[month - 1] + day - 1;
    }

    /// <summary>Builds the instant if every part is in range and the UTC instant fits <see cref="DateTime"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryCompose(int year, int month, int day, int hour, int minute, int second, long fractionTicks,
        int offsetMinutes, out DateTimeOffset time)
    {
        time = default;
        var days = DaysOf(year, month, day);
        if (days < 0 || hour > 23 || minute > 59 || second > 59) return false;
        var ticks = days * TimeSpan.TicksPerDay + hour * TimeSpan.TicksPerHour + minute * TimeSpan.TicksPerMinute
                    + second * TimeSpan.TicksPerSecond + fractionTicks;
        return TryCompose(ticks, offsetMinutes, out time);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryCompose(long ticks, int offsetMinutes, out DateTimeOffset time)
    {
        var offsetTicks = offsetMinutes * TimeSpan.TicksPerMinute;
        var utcTicks = ticks - offsetTicks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            time = default;
            return false;
        }
        time = new DateTimeOffset(ticks, new TimeSpan(offsetTicks));
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TwoDigits(ReadOnlySpan<byte> s, int at, out int value)
    {
        uint a = (uint)(s[at] - '0'), b = (uint)(s[at + 1] - '0');
        value = (int)(a * 10 + b);
        return a <= 9 && b <= 9;
    }

    private const NumberStyles QuantityStyles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>Reads a quantity as the reader always did: an invariant decimal, greater than 0.</summary>
    /// <param name="trimmed">The trimmed value, not empty.</param>
    /// <param name="raw">The value as written, for the message.</param>
    /// <returns>Why it is not a valid quantity, or null.</returns>
    public static string? ParseQuantity(ReadOnlySpan<byte> trimmed, ReadOnlySpan<byte> raw, out decimal quantity)
    {
        if (!Utf8Decimal.TryParsePlain(trimmed, out quantity)
            && !decimal.TryParse(Utf8Text.Decode(trimmed), QuantityStyles, CultureInfo.InvariantCulture, out quantity))
        {
            return $"quantity '{Utf8Text.Decode(raw)}' is not a number (write e.g. 3 or 2.5, with a dot)";
        }
        return quantity <= 0 ? $"quantity '{Utf8Text.Decode(raw)}' must be greater than 0" : null;
    }
}

/// <summary>
/// Plain decimals on ASCII bytes, bit for bit as <see cref="decimal.TryParse(string, NumberStyles, IFormatProvider, out decimal)"/>.
/// </summary>
internal static class Utf8Decimal
{
    /// <summary>
    /// <c>[+-]?digits[.digits]</c> or <c>[+-]?.digits</c> with at most 19 digits in all: the value and the scale (trailing
    /// zeros kept, "1.50" has scale 2; "-0" keeps its sign) are what decimal.TryParse gives with leading sign and decimal
    /// point allowed (and exponent: a plain number has none). False for anything else, which the caller hands to
    /// decimal.TryParse.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParsePlain(ReadOnlySpan<byte> s, out decimal value)
    {
        value = default;
        var i = 0;
        var negative = false;
        if (s.Length > 0 && s[0] is (byte)'+' or (byte)'-')
        {
            negative = s[0] == '-';
            i = 1;
        }
        ulong mantissa = 0;
        var digits = 0;
        var scale = 0;
        var afterPoint = false;
        for (; i < s.Length; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d <= 9)
            {
                if (++digits > 19) return false;
                mantissa = mantissa * 10 + d;
                if (afterPoint) scale++;
            }
            else if (s[i] == '.' && !afterPoint)
            {
                afterPoint = true;
            }
            else
            {
                return false;
            }
        }
        if (digits == 0) return false;
        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, negative, (byte)scale);
        return true;
    }
}
