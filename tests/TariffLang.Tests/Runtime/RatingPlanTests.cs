using TariffLang.Tests.Rating;

namespace TariffLang.Tests.Runtime;

public sealed class RatingPlanTests
{
    [Fact]
    public void Rate_LetThatNoChargeReadsHoldsAnAggregate_CompilesAndRatesOnBothEngines()
    {
        // Found by the fuzz test: the compiled program has code for every let, and this one's aggregate had no slot.
        const string Source = """
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              unit rdv
              event appointment()
              let unused = count(appointment) * 1 rdv
              charge "Rendez-vous" = count(appointment) * 1 rdv at 0.10 EUR per rdv
            }
            """;

        var result = EveryWay.Rate(Source, "time,account,event",
            ["2024-01-05T10:00:00+01:00,a,appointment", "2024-01-06T10:00:00+01:00,a,appointment"]);

        result.Invoices.ShouldHaveSingleItem().Total.ShouldBe(0.20m);
    }
}
