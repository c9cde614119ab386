using System.Globalization;
using System.Text;
using TariffLang.Ledgers;

namespace TariffLang.Tests.Ledgers;

public sealed class LedgerValuesTests
{
    [Fact]
    public void ParseTime_SeededSequence_AgreesWithTheOriginalLogicThroughTheDateCache()
    {
        var random = new Random(11);
        var dates = new LedgerValues.DateCache();
        var failures = new List<string>();
        string[] offsets = ["Z", "z", "+01:00", "-05:30", "+0530", "+05", "+14:00", "-14:00", "+14:01", "+15:00", "", "+01:60", "-00:00"];
        for (var i = 0; i < 60_000 && failures.Count < 10; i++)
        {
            // Neighbouring rows share dates most of the time, as in a ledger; now and then any date, valid or not.
            var year = random.Next(4) == 0 ? random.Next(0, 10000) : 2024 + random.Next(2) * 100;
            var (month, day, hour, minute) = (random.Next(0, 14), random.Next(0, 33), random.Next(0, 26), random.Next(0, 62));
            var text = string.Create(CultureInfo.InvariantCulture,
                $"{year:D4}-{month:D2}-{day:D2}{"Tt"[random.Next(2)]}{hour:D2}:{minute:D2}");
            if (random.Next(4) > 0) text += $":{random.Next(0, 62):D2}";
            if (random.Next(5) == 0) text += (random.Next(2) == 0 ? "." : ",") + new string('5', random.Next(0, 9));
            text += offsets[random.Next(offsets.Length)];

            var expected = LedgerValues.ParseTime(text, out var expectedTime);
            var actual = LedgerValues.ParseTime(Encoding.UTF8.GetBytes(text), ref dates, out var actualTime);
            if (expected != actual || !expectedTime.EqualsExact(actualTime))
            {
                failures.Add($"{text}: expected {expected ?? expectedTime.ToString("O", CultureInfo.InvariantCulture)}, "
                             + $"got {actual ?? actualTime.ToString("O", CultureInfo.InvariantCulture)}");
            }
        }
        failures.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("2024-01-15T10:00:00Z", "2124-01-05T10:00:00Z")]
    [InlineData("2024-01-15T10:00:00Z", "2024-01-16T10:00:00Z")]
    [InlineData("2024-02-29T10:00:00Z", "2023-02-29T10:00:00Z")]
    public void ParseTime_DatesThatDifferLittle_AreNotTakenForTheCachedOne(string first, string second)
    {
        var dates = new LedgerValues.DateCache();

        LedgerValues.ParseTime(Encoding.UTF8.GetBytes(first), ref dates, out _).ShouldBeNull();
        var problem = LedgerValues.ParseTime(Encoding.UTF8.GetBytes(second), ref dates, out var time);

        problem.ShouldBe(LedgerValues.ParseTime(second, out var expected));
        time.EqualsExact(expected).ShouldBeTrue();
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2.50")]
    [InlineData("-0")]
    [InlineData("0.000")]
    [InlineData("1e3")]
    [InlineData("+.5")]
    [InlineData("12345678901234567890")]
    [InlineData("1,5")]
    public void ParseQuantity_AnyText_AgreesWithDecimalTryParse(string text)
    {
        var styles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        var parsed = decimal.TryParse(text, styles, CultureInfo.InvariantCulture, out var expected);

        var problem = LedgerValues.ParseQuantity(Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes(text), out var actual);

        (problem is null || !problem.Contains("not a number", StringComparison.Ordinal)).ShouldBe(parsed);
        if (parsed) decimal.GetBits(actual).ShouldBe(decimal.GetBits(expected));
    }
}
