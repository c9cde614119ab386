using Shouldly;
using TariffLang.Invoicing;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>
/// Calendar conditions in the tariff's zone (time of day, day of week, month, day of month, holidays of the tariff or of
/// a contract), rated every way (both engines, in memory and streamed, and the reference oracle), with the checker's
/// warning for a condition that can never hold.
/// </summary>
public sealed class CalendarBuiltinTests
{
    private const string Calls = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          unit call
          holidays { 2024-05-01, 2024-05-08 }
          param closed: tags?
          event call(n: int)
          free call where is_holiday(time) or is_holiday(time, param closed) because "holiday"
          // Night from 22:00 to 06:00 local time, weekends, and the summer season (June to September, every year).
          charge "Night" per call where time_of_day(time) >= 22h or time_of_day(time) < 6h at 0.01 EUR per call
          charge "Weekend" per call where day_of_week(time) >= 6 at 0.02 EUR per call
          charge "Summer" per call where month_of_year(time) >= 6 and month_of_year(time) <= 9 at 0.03 EUR per call
          charge "First of the month" per call where day_of_month(time) = 1 at 0.04 EUR per call
        }
        """;

    private static decimal? Quantity(RatingResult result, string account, string label) =>
        result.Invoices.Where(i => i.Account == account).SelectMany(i => i.Lines).Where(l => l.Label == label)
            .Select(l => (decimal?)l.Quantity).SingleOrDefault();

    [Fact]
    public void Calendar_LocalTimeDaysAndSeasons_DecideTheLines()
    {
        var result = EveryWay.Rate(Calls, "time,account,event,n", [
            // 21:59:59 and 22:00 Paris time in winter (UTC+1): the second is night; 05:59 is night, 06:00 is not.
            "2024-01-09T20:59:59Z,a,call,1",
            "2024-01-09T21:00:00Z,a,call,1",
            "2024-01-10T04:59:00Z,a,call,1",
            "2024-01-10T05:00:00Z,a,call,1",
            // Saturday 13 and Sunday 14 January; Monday 15 is not the weekend.
            "2024-01-13T12:00:00+01:00,a,call,1",
            "2024-01-14T12:00:00+01:00,a,call,1",
            "2024-01-15T12:00:00+01:00,a,call,1",
            // 23:30Z on 31 May is 01:30 on 1 June in Paris (UTC+2): summer, the first of the month, and night.
            "2024-05-31T23:30:00Z,b,call,1",
            // 1 May is a holiday of the tariff: free.
            "2024-05-01T12:00:00+02:00,b,call,1",
        ]);

        // a: night 20:59:59Z? no (21:59:59 local); 21:00Z (22:00) yes; 04:59Z (05:59) yes; 05:00Z (06:00) no.
        Quantity(result, "a", "Night").ShouldBe(2m);
        Quantity(result, "a", "Weekend").ShouldBe(2m);
        Quantity(result, "a", "Summer").ShouldBeNull();
        Quantity(result, "b", "Summer").ShouldBe(1m);
        Quantity(result, "b", "First of the month").ShouldBe(1m);
        Quantity(result, "b", "Night").ShouldBe(1m);
        // Free: the holiday, and 21:59:59, 06:00 and Monday noon, which no charge bills.
        result.Accounting.Free.ShouldBe(4);
        result.Accounting.Rated.ShouldBe(5);
    }

    [Fact]
    public void IsHoliday_ContractList_AddsToTheTariffs()
    {
        var options = new RatingOptions(new Dictionary<string, string> { ["closed"] = "2024-01-02; 2024-01-03" });
        var result = EveryWay.Rate(Calls, "time,account,event,n", [
            "2024-01-02T12:00:00+01:00,a,call,1",
            "2024-01-03T12:00:00+01:00,a,call,1",
            // Thursday 1 February at noon: no holiday, billed as the first of the month.
            "2024-02-01T12:00:00+01:00,a,call,1",
            "2024-05-08T12:00:00+02:00,a,call,1",
        ], options);
        result.Accounting.Free.ShouldBe(3);
        result.Accounting.Rated.ShouldBe(1);
    }

    [Theory]
    [InlineData("month_of_year(time) = 13")]
    [InlineData("day_of_week(time) > 7")]
    [InlineData("0 >= day_of_week(time)")]
    [InlineData("day_of_month(time) = 32")]
    [InlineData("time_of_day(time) >= 24h")]
    [InlineData("month_of_year(time) = 2.5")]
    public void Checker_CalendarConditionThatNeverHolds_IsAWarningOnTheComparison(string condition)
    {
        var text = $"tariff t {{\n  currency EUR\n  period month in \"UTC\"\n  event call(n: int)\n"
            + $"  free call where {condition} because \"x\"\n}}\n";
        var tariff = Tariff.Compile(text);
        var d = tariff.Diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0065");
        d.IsError.ShouldBeFalse();
        (d.Line, d.Column, d.Span.Length).ShouldBe((5, 19, condition.Length));
    }

    [Theory]
    [InlineData("month_of_year(time) = 12")]
    [InlineData("day_of_week(time) >= 7")]
    [InlineData("time_of_day(time) < 1min")]
    [InlineData("day_of_month(time) != 31")]
    public void Checker_CalendarConditionThatCanHold_IsNotReported(string condition)
    {
        var text = $"tariff t {{\n  currency EUR\n  period month in \"UTC\"\n  event call(n: int)\n"
            + $"  free call where {condition} because \"x\"\n}}\n";
        Tariff.Compile(text).Diagnostics.ShouldBeEmpty();
    }

    [Fact]
    public void Checker_IsHolidayWithoutAList_IsTL0066()
    {
        var tariff = Tariff.Compile(
            "tariff t {\n  currency EUR\n  period month in \"UTC\"\n  event call(n: int)\n"
            + "  free call where is_holiday(time) because \"x\"\n}\n");
        var d = tariff.Diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0066");
        (d.Line, d.Column).ShouldBe((5, 19));
    }
}
