using System.Runtime.CompilerServices;
using TariffLang.Runtime;
using TariffLang.Semantics;

namespace TariffLang.Ledgers;

/// <summary>
/// Types an attribute straight from its UTF-8 bytes, with exactly the values and messages of
/// <see cref="ValueText.Parse"/>. The forms ledgers are written in (plain decimals and percentages, the bool words,
/// <c>yyyy-MM-dd</c>, canonical ISO-8601 times) are read from the bytes without a string; everything else, and every
/// error, goes through <see cref="ValueText.Parse"/> itself, so the two can never disagree on an odd input.
/// </summary>
internal static class AttributeParser
{
    /// <summary>Reads <paramref name="utf8"/> as a value of <paramref name="type"/>.</summary>
    /// <returns>False, with <paramref name="error"/> saying why, when the text is not such a value.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8, TlType type, out Value value, out string? error) =>
        TryParse(utf8, type, null, out value, out error);

    /// <summary>Reads <paramref name="utf8"/> as a value of <paramref name="type"/>, texts through <paramref name="texts"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(ReadOnlySpan<byte> utf8, TlType type, Utf8StringCache? texts, out Value value, out string? error)
    {
        error = null;
        switch (type.Kind)
        {
            case TypeKind.Text:
                value = Value.FromText(texts is null ? Utf8Text.Decode(utf8) : texts.GetString(utf8));
                return true;
            case TypeKind.Number or TypeKind.Money when TryNumber(utf8, type.Integer, out var number):
                value = Value.FromNumber(number);
                return true;
            case TypeKind.Bool when TryBool(utf8, out var flag):
                value = Value.FromBool(flag);
                return true;
            case TypeKind.Date when TryDate(utf8, out var date):
                value = Value.FromDate(date);
                return true;
            case TypeKind.Time when TryTime(utf8, out var time):
                value = Value.FromTime(time);
                return true;
        }
        return Fallback(utf8, type, out value, out error);
    }

    /// <summary>
    /// Reads a text that the tariff reads only as a key (<see cref="RatingPlan.KeyOnlyTexts"/>): as its word alone when it
    /// has one, which is all the tables that read it keep, else as a string through <paramref name="texts"/>.
    /// </summary>
    /// <remarks>
    /// A busy month's visitors or callers recur a few times each among tens of thousands, so most missed a cache of recent
    /// strings: their strings were most of what a 10 M-row Web1on1 or Aircall rating allocated (22.8 and 39.4 bytes a row,
    /// against 10.1 and 7.0 without them; docs/performance.md, "Keys read as words").
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Value KeyText(ReadOnlySpan<byte> utf8, Utf8StringCache texts) =>
        TextWord.OfAscii(utf8) is var word and not 0 ? Value.FromWord(word) : Value.FromText(texts.GetString(utf8));

    private static bool Fallback(ReadOnlySpan<byte> utf8, TlType type, out Value value, out string? error)
    {
        value = ValueText.Parse(Utf8Text.Decode(utf8), type, out error);
        return error is null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryNumber(ReadOnlySpan<byte> utf8, bool integer, out decimal number)
    {
        // "5%" is how contracts write rates; ValueText.Parse divides the same decimal by the same 100.
        if (!integer && utf8.Length > 1 && utf8[^1] == '%')
        {
            if (!Utf8Decimal.TryParsePlain(utf8[..^1], out var percent))
            {
                number = default;
                return false;
            }
            number = percent / 100m;
            return true;
        }
        // A fraction where a whole number is expected is an error, worded by the fallback.
        return Utf8Decimal.TryParsePlain(utf8, out number) && (!integer || decimal.Truncate(number) == number);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryBool(ReadOnlySpan<byte> utf8, out bool flag)
    {
        flag = utf8.SequenceEqual("true"u8) || utf8.SequenceEqual("TRUE"u8) || utf8.SequenceEqual("True"u8)
               || utf8.SequenceEqual("1"u8) || utf8.SequenceEqual("yes"u8);
        return flag || utf8.SequenceEqual("false"u8) || utf8.SequenceEqual("FALSE"u8) || utf8.SequenceEqual("False"u8)
               || utf8.SequenceEqual("0"u8) || utf8.SequenceEqual("no"u8);
    }

    private static bool TryDate(ReadOnlySpan<byte> s, out DateOnly date)
    {
        date = default;
        if (s.Length != 10 || s[4] != '-' || s[7] != '-') return false;
        if (!LedgerValues.TwoDigits(s, 0, out var high) || !LedgerValues.TwoDigits(s, 2, out var low)
            || !LedgerValues.TwoDigits(s, 5, out var month) || !LedgerValues.TwoDigits(s, 8, out var day)) return false;
        var year = high * 100 + low;
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        date = new DateOnly(year, month, day);
        return true;
    }

    /// <summary><c>yyyy-MM-ddTHH:mm:ss[.f{1,7}]</c> then <c>Z</c> or <c>±HH:mm</c>: what DateTimeOffset.TryParse gives for it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryTime(ReadOnlySpan<byte> s, out DateTimeOffset time)
    {
        time = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return false;
        if (!LedgerValues.TwoDigits(s, 0, out var high) || !LedgerValues.TwoDigits(s, 2, out var low)
            || !LedgerValues.TwoDigits(s, 5, out var month) || !LedgerValues.TwoDigits(s, 8, out var day)
            || !LedgerValues.TwoDigits(s, 11, out var hour) || !LedgerValues.TwoDigits(s, 14, out var minute)
            || !LedgerValues.TwoDigits(s, 17, out var second)) return false;
        var i = 19;
        long fraction = 0;
        if (s[i] == '.')
        {
            var digits = 0;
            for (i++; i < s.Length && (uint)(s[i] - '0') <= 9; i++)
            {
                if (++digits > 7) return false;
                fraction = fraction * 10 + (s[i] - '0');
            }
            if (digits == 0) return false;
            for (; digits < 7; digits++) fraction *= 10;
        }
        return LedgerValues.TryParseOffset(s[i..], allowShortForms: false, out var offset)
               && LedgerValues.TryCompose(high * 100 + low, month, day, hour, minute, second, fraction, offset, out time);
    }
}
