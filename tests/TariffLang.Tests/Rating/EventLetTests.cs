using Shouldly;
using TariffLang.Invoicing;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>
/// <c>let NAME per EVENT = …</c>: one event's value named once and used in that event's rules, per-event prices, period
/// aggregates and filters, rated every way (both engines, streamed, oracle).
/// </summary>
public sealed class EventLetTests
{
    private const string Source = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          unit sms, segment
          event sms(length: int, to: text)
          let segments per sms = max(ceil(length / 160), 1)
          let long per sms = segments > 2
          reject sms where long and starts_with(to, "+1") because "long SMS to North America"
          free sms where segments = 1 and to = "+33000" because "test number"
          charge "Long SMS" per sms where long at segments * 0.01 EUR per sms
          charge "Segments" = sum(sms, segments) * 1 segment at 0.05 EUR per segment
          charge "Short SMS" = count(sms where not long) * 1 sms at 0.001 EUR per sms
        }
        """;

    [Fact]
    public void EventLet_UsedInRulesPricesAndAggregates_ComputedPerEvent()
    {
        var result = EveryWay.Rate(Source, "time,account,event,length,to", [
            "2024-01-09T10:00:00Z,a,sms,100,+33600",  // 1 segment
            "2024-01-09T10:01:00Z,a,sms,161,+33600",  // 2 segments
            "2024-01-09T10:02:00Z,a,sms,500,+33600",  // 4 segments: long, 0.04 EUR
            "2024-01-09T10:03:00Z,a,sms,500,+1555",   // long to +1: rejected
            "2024-01-09T10:04:00Z,a,sms,20,+33000",   // free, still counted by the aggregates
        ]);

        result.Rejected.ShouldHaveSingleItem().Row.ShouldBe(5);
        var lines = result.Invoices.ShouldHaveSingleItem().Lines;
        lines.Single(l => l.Label == "Long SMS").Amount.ShouldBe(0.04m);
        // Aggregates read the rated rows only (not the free or rejected ones): 1 + 2 + 4 = 7 segments; 2 SMS not long.
        lines.Single(l => l.Label == "Segments").Quantity.ShouldBe(7m);
        lines.Single(l => l.Label == "Short SMS").Quantity.ShouldBe(2m);
    }

    [Fact]
    public void EventLet_ReadingAWindowInAnAggregate_IsRefused()
    {
        var compiled = Tariff.Compile("""
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              unit call
              event call(to: text)
              window recent 24h per to, opened by call
              let repeat per call = within recent
              charge "Repeats" = count(call where repeat) * 1 call at 1 EUR per call
            }
            """, "t.tariff");

        compiled.Diagnostics.ShouldContain(d => d.Code == "TL0058");
    }
}
