using Shouldly;
using TariffLang.Invoicing;
using TariffLang.Rating;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>A period that cannot be billed is rejected alone: the account's other periods keep their invoices.</summary>
public sealed class PeriodFailureTests
{
    /// <summary>The square of a month's total overflows decimals when one row is huge (also the service's test tariff).</summary>
    internal const string Source = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          event use(amount: number)
          let total = sum(use, amount)
          charge "Usage" = total
          charge "Square" = total * total / 1000000
        }
        """;

    private const string Header = "time,account,event,amount";

    [Fact]
    public void Rate_OnePeriodOverflows_RejectsThatPeriodsRowsAndKeepsTheOthers()
    {
        var result = EveryWay.Rate(Source, Header, [
            "2024-01-10T10:00:00+01:00,a,use,100",
            "2024-02-10T10:00:00+01:00,a,use,100000000000000000",
            "2024-02-11T10:00:00+01:00,a,use,5",
            "2024-03-10T10:00:00+01:00,a,use,300",
            "2024-02-10T10:00:00+01:00,b,use,7",
        ]);

        result.Invoices.Select(i => (i.Account, i.Period.From.Month, i.Total))
            .ShouldBe([("a", 1, 100.01m), ("a", 3, 300.09m), ("b", 2, 7m)]);
        const string Reason = "account 'a', period 2024-02-01 to 2024-02-29: a value is too large (arithmetic overflow)";
        result.Rejected.ShouldBe([new RejectedRow(3, Reason), new RejectedRow(4, Reason)]);
        result.Accounting.ShouldBe(new Accounting(5, 3, 0, 2));
    }

    [Fact]
    public void Rate_OverflowInAPeriodOutOfTimeOrder_IsRejectedAloneAfterTheReplay()
    {
        var result = EveryWay.Rate(Source, Header, [
            "2024-03-10T10:00:00+01:00,a,use,300",
            "2024-02-10T10:00:00+01:00,a,use,100000000000000000",
            "2024-01-10T10:00:00+01:00,a,use,100",
        ]);

        result.Invoices.Select(i => i.Period.From.Month).ShouldBe([1, 3]);
        result.Rejected.ShouldHaveSingleItem().Row.ShouldBe(3);
    }

    [Fact]
    public void AccountRating_PeriodThatCannotBeBilled_IsListedAndTheAccountGoesOn()
    {
        var tariff = Tariff.Compile(Source, "t.tariff");
        var rating = tariff.RateAccount("a").ShouldNotBeNull();
        DateTimeOffset At(string s) => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        rating.Feed(
            new UsageEvent(At("2024-02-10T10:00:00+01:00"), "use", new Dictionary<string, string> { ["amount"] = "100000000000000000" }));
        rating.Feed(new UsageEvent(At("2024-03-10T10:00:00+01:00"), "use", new Dictionary<string, string> { ["amount"] = "300" }));
        rating.Finish();

        rating.Failure.ShouldBeNull();
        rating.RejectedPeriods.ShouldHaveSingleItem().Period.From.ShouldBe(new DateOnly(2024, 2, 1));
        rating.TakeInvoices().ShouldHaveSingleItem().Total.ShouldBe(300.09m);
    }
}
