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

    /// <summary>
    /// Divides an amount (already rounded to the minor unit) in proportion to <paramref name="weights"/> (their sizes; all
    /// equal when they add up to nothing), in whole minor units: each part gets its proportion rounded down, and the
    /// units left over go one each to the parts with the largest fractions, the first parts on a tie. The parts add up
    /// to the amount exactly.
    /// </summary>
    public static decimal[] Divide(decimal amount, IReadOnlyList<decimal> weights, string code)
    {
        var parts = new decimal[weights.Count];
        if (parts.Length == 0) return parts;
        var unit = 1m / Pow10(MinorUnits(code));
        var units = Math.Abs(amount) / unit;
        var sign = Math.Sign(amount);
        var total = 0m;
        foreach (var w in weights) total += Math.Abs(w);
        var fractions = new (decimal Fraction, int Index)[parts.Length];
        var given = 0m;
        for (var i = 0; i < parts.Length; i++)
        {
            var exact = total == 0m ? units / parts.Length : units * Math.Abs(weights[i]) / total;
            var whole = decimal.Floor(exact);
            parts[i] = whole;
            given += whole;
            fractions[i] = (exact - whole, i);
        }
        // Stable on equal fractions: the earlier part first.
        Array.Sort(fractions, (a, b) => a.Fraction != b.Fraction ? b.Fraction.CompareTo(a.Fraction) : a.Index.CompareTo(b.Index));
        for (var k = 0; given < units && k < fractions.Length; k++, given++) parts[fractions[k].Index] += 1m;
        for (var i = 0; i < parts.Length; i++) parts[i] = sign * parts[i] * unit;
        return parts;
    }

    private static decimal Pow10(int digits)
    {
        var p = 1m;
        for (var i = 0; i < digits; i++) p *= 10m;
        return p;
    }
}
