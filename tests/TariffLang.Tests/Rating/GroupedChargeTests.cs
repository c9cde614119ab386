using Shouldly;
using TariffLang.Examples;
using TariffLang.Tests.Compilation;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>
/// <c>charge "L" by KEY = AMOUNT</c>: a charge computed per value of a key attribute (a charging session) with its minimum,
/// maximum and per-group aggregates, then summed into one line. Rated every way (both engines, streamed, oracle).
/// </summary>
public sealed class GroupedChargeTests
{
    internal const string Source = """
        tariff ev {
          currency EUR
          period month in "Europe/Paris"
          unit kWh
          event charging(session: text, energy: kWh)
          event idle(session: text)
          // Each session: 0.30 EUR per kWh, at least 1.00 EUR and at most 10.00 EUR, plus 0.05 EUR per idle minute.
          charge "Charging sessions" by session =
            min(max(sum(charging, energy) * 0.30 EUR per kWh, 1.00 EUR), 10.00 EUR) + count(idle) * 0.05 EUR

          example "each session has its own minimum and maximum" {
            charging(session: "s1", energy: 2 kWh)
            charging(session: "s1", energy: 1.5 kWh)
            charging(session: "s2", energy: 0.5 kWh)
            3 idle(session: "s2")
            charging(session: "s3", energy: 40 kWh)
            2 idle(session: "s4")
            // s1: 3.5 kWh × 0.30 = 1.05. s2: 0.15 → the minimum 1.00, + 3 × 0.05 = 1.15. s3: 12.00 → the maximum 10.00.
            // s4 (idle only): 0 → 1.00, + 2 × 0.05 = 1.10. Four sessions: 1.05 + 1.15 + 10.00 + 1.10 = 13.30.
            expect line "Charging sessions" quantity 4 amount 13.30
            expect total 13.30
          }
        }
        """;

    [Fact]
    public void GroupedCharge_WorkedExample_PassesInBothEngines() => EveryWay.ExamplesPass(Source, "ev.tariff").ShouldHaveSingleItem();

    [Fact]
    public void GroupedCharge_TwoAccountsTwoMonths_GroupsEachPeriodsOwnEvents()
    {
        var result = EveryWay.Rate(Source, "time,account,event,session,energy", [
            "2024-01-10T10:00:00Z,a,charging,s1,10",
            "2024-01-10T11:00:00Z,b,charging,s1,50",   // account b's s1 is its own session
            "2024-01-31T22:00:00Z,a,charging,s2,2",    // 23:00 local: still January
            "2024-01-31T23:30:00Z,a,charging,s2,2",    // 00:30 local on 1 February: the February part of s2
        ]);

        result.Rejected.ShouldBeEmpty();
        var a = result.Invoices.Where(i => i.Account == "a").OrderBy(i => i.Period.From).ToList();
        // January: s1 10 kWh → 3.00; s2 2 kWh → 0.60 → 1.00. February: s2's other 2 kWh → 1.00 (sessions split at the period).
        var january = a[0].Lines.Single(l => l.Label == "Charging sessions");
        (january.Quantity, january.Amount, january.UnitPrice).ShouldBe((2m, 4.00m, (decimal?)null));
        a[1].Lines.Single(l => l.Label == "Charging sessions").Amount.ShouldBe(1.00m);
        result.Invoices.Single(i => i.Account == "b").Lines.Single(l => l.Label == "Charging sessions").Amount.ShouldBe(10.00m);
    }

    [Theory]
    [InlineData("""charge "X" by session = count(other) * 1 EUR""", "TL0107", "other")]
    [InlineData("""charge "X" by session = count(charging) at 1 EUR""", "TL0108", "1 EUR")]
    [InlineData("""charge "X" by session = 1 EUR""", "TL0108", "session")]
    public void GroupedCharge_Misuse_IsReported(string charge, string code, string spanText)
    {
        var source = $$"""
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              event charging(session: text)
              event other(x: text)
              {{charge}}
            }
            """;
        var error = Tariff.Compile(source, "t.tariff").Diagnostics.ShouldHaveSingleItem();
        error.Code.ShouldBe(code);
        error.Span.Start.ShouldBe(source.IndexOf(spanText, source.IndexOf("charge \"X\"", StringComparison.Ordinal), StringComparison.Ordinal));
        error.Span.Length.ShouldBe(spanText.Length);
    }
}
