using Shouldly;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary><c>overlap(start, length, from, to)</c>: an event split at a price boundary, in the tariff's zone, every way.</summary>
public sealed class OverlapTests
{
    private const string Source = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          event session(d: duration)
          charge "Night minutes" per session at minutes(overlap(time, d, 22h, 6h)) * 0.01 EUR
          charge "Office minutes" per session at minutes(overlap(time, d, 9h, 24h)) * 0.001 EUR
        }
        """;

    [Fact]
    public void Overlap_SessionsAcrossBoundariesAndAccounts_SplitInTheTariffsZone()
    {
        var result = EveryWay.Rate(Source, "time,account,event,d", [
            "2024-01-10T20:30:00Z,a,session,90min",   // 21:30 to 23:00 Paris: 60 night minutes, 90 office minutes
            "2024-01-10T04:00:00Z,a,session,2h",      // 5:00 to 7:00 Paris: 60 night minutes, none at the office
            "2024-01-10T12:00:00Z,b,session,PT30M",   // 13:00 Paris: no night, 30 office minutes
        ]);

        result.Rejected.ShouldBeEmpty();
        var a = result.Invoices.Single(i => i.Account == "a").Lines;
        a.Where(l => l.Label == "Night minutes").Sum(l => l.Amount).ShouldBe(1.20m);
        a.Where(l => l.Label == "Office minutes").Sum(l => l.Amount).ShouldBe(0.09m);
        var b = result.Invoices.Single(i => i.Account == "b").Lines;
        b.Where(l => l.Label == "Night minutes").Sum(l => l.Amount).ShouldBe(0m);
        b.Where(l => l.Label == "Office minutes").Sum(l => l.Amount).ShouldBe(0.03m);
    }

    [Fact]
    public void Overlap_TimeOfDayOutsideTheDay_IsAWarningOnTheLiteral()
    {
        const string source = """
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              event session(d: duration)
              charge "Night" per session at minutes(overlap(time, d, 25h, 6h)) * 0.01 EUR
            }
            """;
        var warning = Tariff.Compile(source, "t.tariff").Diagnostics.ShouldHaveSingleItem();
        warning.Code.ShouldBe("TL0065");
        warning.Span.Start.ShouldBe(source.IndexOf("25h", StringComparison.Ordinal));
    }
}
