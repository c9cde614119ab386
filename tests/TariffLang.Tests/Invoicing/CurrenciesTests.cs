using System.Globalization;
using TariffLang.Invoicing;

namespace TariffLang.Tests.Invoicing;

public sealed class CurrenciesTests
{
    [Theory]
    [InlineData("1.00", "1,1,1", "EUR", "0.34,0.33,0.33")]
    [InlineData("0.07", "1,2,4", "EUR", "0.01,0.02,0.04")]
    [InlineData("-0.10", "1,1,1", "EUR", "-0.04,-0.03,-0.03")]
    [InlineData("0.05", "0,0", "EUR", "0.03,0.02")]
    [InlineData("100", "1,1,1", "JPY", "34,33,33")]
    [InlineData("0.10", "-1,1", "EUR", "0.05,0.05")]
    [InlineData("0.03", "1,0,2", "EUR", "0.01,0.00,0.02")]
    public void Divide_AmountByWeights_GivesMinorUnitsThatAddUpToTheAmount(string amount, string weights, string code, string expected)
    {
        var parts = Currencies.Divide(decimal.Parse(amount, CultureInfo.InvariantCulture),
            weights.Split(',').Select(w => decimal.Parse(w, CultureInfo.InvariantCulture)).ToArray(), code);

        string.Join(",", parts.Select(p => Currencies.Format(p, code))).ShouldBe(expected);
        parts.Sum().ShouldBe(decimal.Parse(amount, CultureInfo.InvariantCulture));
    }
}
