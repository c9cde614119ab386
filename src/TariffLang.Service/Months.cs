using System.Globalization;

namespace TariffLang.Service;

/// <summary>Months as the service names them (<c>YYYY-MM</c>): in requests, closes, versions and stored events.</summary>
internal static class Months
{
    public static string Of(DateOnly day) => day.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>Whether a text is a month written <c>YYYY-MM</c>.</summary>
    public static bool IsMonth(string text) =>
        text.Length == 7 && DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>The first day of a month written <c>YYYY-MM</c>.</summary>
    public static DateOnly FirstDay(string month) => DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
