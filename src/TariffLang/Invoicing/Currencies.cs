namespace TariffLang.Invoicing;

/// <summary>ISO 4217 facts the rating needs: which codes exist and how many minor digits each has.</summary>
internal static class Currencies
{
    private static readonly Dictionary<string, int> MinorDigits = new(StringComparer.Ordinal)
    {
        ["EUR"] = 2, ["USD"] = 2, ["GBP"] = 2, ["CHF"] = 2, ["CAD"] = 2, ["AUD"] = 2, ["SEK"] = 2,
        ["NOK"] = 2, ["DKK"] = 2, ["PLN"] = 2, ["CZK"] = 2, ["JPY"] = 0, ["KRW"] = 0, ["BHD"] = 3,
        ["KWD"] = 3, ["TND"] = 3, ["MAD"] = 2, ["XOF"] = 0, ["XPF"] = 0,
    };

    public static bool IsKnown(string code) => MinorDigits.ContainsKey(code);

    public static int MinorUnits(string code) => MinorDigits.TryGetValue(code, out var digits) ? digits : 2;

    /// <summary>Rounds half away from zero to the currency's minor unit, as invoices do.</summary>
    public static decimal Round(decimal amount, string code) =>
        Math.Round(amount, MinorUnits(code), MidpointRounding.AwayFromZero);

    /// <summary>An amount as a fixed-point string with exactly the currency's minor digits.</summary>
    public static string Format(decimal amount, string code) =>
        Round(amount, code).ToString("F" + MinorUnits(code), System.Globalization.CultureInfo.InvariantCulture);
}
