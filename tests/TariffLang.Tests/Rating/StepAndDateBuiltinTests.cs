using Shouldly;
using TariffLang.Invoicing;
using TariffLang.Examples;
using TariffLang.Rating;
using TariffLang.Tests.Compilation;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>
/// round_up/round_down/round_nearest, blocks, days_between, days_in_period and day_of_period, rated every way (both
/// engines, in memory and streamed, and the reference oracle), with the values worked out by hand.
/// </summary>
public sealed class StepAndDateBuiltinTests
{
    private static decimal? Line(RatingResult result, string account, string label) =>
        result.Invoices.Single(i => i.Account == account).Lines.SingleOrDefault(l => l.Label == label)?.Quantity;

    private static decimal? Amount(RatingResult result, string account, string label) =>
        result.Invoices.Single(i => i.Account == account).Lines.SingleOrDefault(l => l.Label == label)?.Amount;

    // Where the tariff writes the rounding says what is rounded: inside sum() each call, around it the month's total.
    private const string Steps = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          unit s
          event call(duration: s)
          charge "Up per call" = sum(call, round_up(duration, 60 s)) at 0.001 EUR per s
          charge "Up on total" = round_up(sum(call, duration), 60 s) at 0.001 EUR per s
          charge "Down per call" = sum(call, round_down(duration, 60 s)) at 0.001 EUR per s
          charge "Down on total" = round_down(sum(call, duration), 60 s) at 0.001 EUR per s
          charge "Nearest per call" = sum(call, round_nearest(duration, 60 s)) at 0.001 EUR per s
          charge "Nearest on total" = round_nearest(sum(call, duration), 60 s) at 0.001 EUR per s
        }
        """;

    [Fact]
    public void RoundToStep_PerCallAndOnTheTotal_DifferAsWritten()
    {
        // a: 60 (on a step), 61 (one over), 0, 30 (half a step). b: a refund of −30 and 90 (one and a half steps).
        var result = EveryWay.Rate(Steps, "time,account,event,duration", [
            "2024-01-10T10:00:00+01:00,a,call,60",
            "2024-01-10T11:00:00+01:00,a,call,61",
            "2024-01-10T12:00:00+01:00,a,call,0",
            "2024-01-10T13:00:00+01:00,a,call,30",
            "2024-01-10T10:00:00+01:00,b,call,-30",
            "2024-01-10T11:00:00+01:00,b,call,90",
        ]);

        // a per call: up 60+120+0+60, down 60+60+0+0, nearest 60+60+0+60 (half away from zero). Total 151 s.
        Line(result, "a", "Up per call").ShouldBe(240m);
        Line(result, "a", "Up on total").ShouldBe(180m);
        Line(result, "a", "Down per call").ShouldBe(120m);
        Line(result, "a", "Down on total").ShouldBe(120m);
        Line(result, "a", "Nearest per call").ShouldBe(180m);
        Line(result, "a", "Nearest on total").ShouldBe(180m);
        // b per call: up 0+120, down −60+60, nearest −60+120 (−30 is half a step: away from zero is −60). Total 60 s.
        Line(result, "b", "Up per call").ShouldBe(120m);
        Line(result, "b", "Down per call").ShouldBeNull();
        Line(result, "b", "Nearest per call").ShouldBe(60m);
        Line(result, "b", "Nearest on total").ShouldBe(60m);
    }

    [Fact]
    public void RoundToStep_AComputedStepOfZero_FailsThePeriodOrRejectsTheRow()
    {
        const string source = """
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              unit s
              event call(duration: s, step: s)
              event check(duration: s, step: s)
              reject check where round_up(duration, step) > 600 s because "too long"
              charge "Billed" = sum(call, round_up(duration, step)) at 0.001 EUR per s
            }
            """;
        var result = EveryWay.Rate(source, "time,account,event,duration,step", [
            "2024-01-10T10:00:00+01:00,a,call,61,60",
            "2024-02-10T10:00:00+01:00,a,call,61,0",
            "2024-01-10T10:00:00+01:00,b,check,61,0",
        ]);

        Line(result, "a", "Billed").ShouldBe(120m);
        result.Rejected.Select(r => r.Reason).ShouldBe([
            "account 'a', period 2024-02-01 to 2024-02-29: round_up: the step must be greater than 0, not 0",
            "round_up: the step must be greater than 0, not 0",
        ], ignoreOrder: true);
    }

    [Fact]
    public void Blocks_WithAndWithoutFreeUnits_CountWholeBlocks()
    {
        const string source = """
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              unit MB
              event upload(size: MB)
              let total = sum(upload, size)
              charge "Blocks" = blocks(total, 100 MB) * 1 EUR
              charge "After 250 MB free" = blocks(total, 100 MB, 250 MB) * 10 EUR
            }
            """;
        var result = EveryWay.Rate(source, "time,account,event,size", [
            "2024-01-10T10:00:00+01:00,a,upload,100",
            "2024-01-10T10:00:00+01:00,b,upload,101",
            "2024-01-10T10:00:00+01:00,c,upload,250",
            "2024-01-10T10:00:00+01:00,d,upload,351",
            "2024-01-10T10:00:00+01:00,e,upload,0",
        ]);

        // a: exactly one block, all free. b: one MB over a block. c: the free units exactly used. d: 101 MB after the
        // free ones, 2 blocks. e: nothing, so no lines.
        result.Invoices.Select(i => (i.Account, i.Total)).ShouldBe([("a", 1m), ("b", 2m), ("c", 3m), ("d", 24m), ("e", 0m)]);
        Amount(result, "c", "After 250 MB free").ShouldBeNull();
        Amount(result, "d", "After 250 MB free").ShouldBe(20m);
    }

    [Fact]
    public void DaysInPeriod_MonthsOf28To31Days_CountTheirDays()
    {
        const string source = """
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              param start: date = 2024-02-10
              event use(n: int)
              charge "Days" = days_in_period() * 1 EUR
              charge "Day of start" = day_of_period(param start) * 0.01 EUR
            }
            """;
        var result = EveryWay.Rate(source, "time,account,event,n", [
            "2023-02-15T10:00:00+01:00,feb23,use,1",
            "2024-02-15T10:00:00+01:00,feb24,use,1",
            "2024-04-15T10:00:00+02:00,apr24,use,1",
            "2024-01-15T10:00:00+01:00,jan24,use,1",
        ]);

        Amount(result, "feb23", "Days").ShouldBe(28m);
        Amount(result, "feb24", "Days").ShouldBe(29m);
        Amount(result, "apr24", "Days").ShouldBe(30m);
        Amount(result, "jan24", "Days").ShouldBe(31m);
        // 2024-02-10 is day 10 of February 2024, day 31 + 10 of January, day 365 + 10 counted from 2023-02-01, and
        // 51 days before 2024-04-01 (day −50): outside the period the count goes on.
        Amount(result, "feb24", "Day of start").ShouldBe(0.10m);
        Amount(result, "jan24", "Day of start").ShouldBe(0.41m);
        Amount(result, "feb23", "Day of start").ShouldBe(3.75m);
        Amount(result, "apr24", "Day of start").ShouldBe(-0.50m);
    }

    [Fact]
    public void DaysInPeriod_AQuarter_ProratesALicenceByDays()
    {
        const string source = """
            tariff t {
              currency EUR
              period 3 months in "Europe/Paris"
              param start: date = 2024-02-10
              event use(n: int)
              charge "Days" = days_in_period() * 1 EUR
              charge "Licence" = 91 EUR * (days_in_period() - day_of_period(param start) + 1) / days_in_period()
            }
            """;
        var result = EveryWay.Rate(source, "time,account,event,n", ["2024-01-15T10:00:00+01:00,a,use,1"]);

        // January to March 2024: 31 + 29 + 31 = 91 days; the licence starts on day 41 and runs 51 of them.
        Amount(result, "a", "Days").ShouldBe(91m);
        Amount(result, "a", "Licence").ShouldBe(51m);
    }

    [Fact]
    public void DaysBetween_DatesAndTimes_CountLocalDaysAcrossDaylightSaving()
    {
        const string source = """
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              event stay(a: time, b: time?)
              event booking(a: date, b: time)
              charge "Stays" = sum(stay, days_between(a, b)) * 1 EUR
              charge "Bookings" = sum(booking, days_between(a, b)) * 1 EUR
            }
            """;
        var result = EveryWay.Rate(source, "time,account,event,a,b", [
            // 23 hours across the spring change, 25 across the autumn one: one day each.
            "2024-03-30T23:30:00+01:00,spring,stay,2024-03-30T23:30:00+01:00,2024-03-31T23:30:00+02:00",
            "2024-10-26T12:00:00+02:00,autumn,stay,2024-10-26T12:00:00+02:00,2024-10-27T12:00:00+01:00",
            // Backwards: negative.
            "2024-01-10T10:00:00+01:00,back,stay,2024-01-10T10:00:00+01:00,2024-01-03T10:00:00+01:00",
            // No end: none adds nothing.
            "2024-01-10T10:00:00+01:00,open,stay,2024-01-10T10:00:00+01:00,",
            // 23:30 UTC on 03-31 is already 04-01 in Paris: 31 days from 03-01.
            "2024-03-10T10:00:00+01:00,utc,booking,2024-03-01,2024-03-31T23:30:00Z",
        ]);

        Amount(result, "spring", "Stays").ShouldBe(1m);
        Amount(result, "autumn", "Stays").ShouldBe(1m);
        Amount(result, "back", "Stays").ShouldBe(-7m);
        Amount(result, "open", "Stays").ShouldBeNull();
        Amount(result, "utc", "Bookings").ShouldBe(31m);
    }

    [Fact]
    public void WorkedExample_StepsPackagesAndAProratedLicence_PassInBothEngines()
    {
        var (interpreted, compiled) = CompilerTestSupport.Both(TestTariffs.StepsAndDays, "hosting.tariff");
        var expected = interpreted.RunExamples();
        var actual = compiled.RunExamples();
        expected.Count().ShouldBe(2);
        expected.Select(r => r.Status).ShouldAllBe(s => s == ExampleStatus.Passed);
        actual.Select(r => r.Rating.ToJson()).ShouldBe(expected.Select(r => r.Rating.ToJson()));
        actual.Select(r => r.Status).ShouldAllBe(s => s == ExampleStatus.Passed);
    }
}
