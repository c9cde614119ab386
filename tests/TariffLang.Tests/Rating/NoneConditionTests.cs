using Shouldly;
using TariffLang.Invoicing;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>
/// A missing attribute never picks a price: an <c>if</c> whose condition is none rejects the row and names the attribute,
/// while the conditions of rules keep "a none condition does not hold". Rated every way (both engines, streamed, oracle).
/// </summary>
public sealed class NoneConditionTests
{
    private const string Source = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          unit call
          event call(n: int, abroad: bool?, minutes: decimal?)
          free call where minutes > 100 because "long calls are free"
          charge "Calls" per call at if abroad then 2 EUR per call else 1 EUR per call
          charge "Known" per call where abroad is not none at if abroad is none then 5 EUR per call else 0.5 EUR per call
        }
        """;

    [Fact]
    public void Conditional_NoneCondition_RejectsTheRowNamingTheAttribute()
    {
        var result = EveryWay.Rate(Source, "time,account,event,n,abroad,minutes", [
            "2024-01-09T10:00:00Z,a,call,1,true,5",
            "2024-01-09T11:00:00Z,a,call,1,false,5",
            // No 'abroad': the old reading took the else branch (1 EUR) silently.
            "2024-01-09T12:00:00Z,a,call,1,,5",
            // No 'minutes': the free rule's condition is none, so it does not hold and the row is rated as usual.
            "2024-01-09T13:00:00Z,b,call,1,false,",
        ]);

        var rejected = result.Rejected.ShouldHaveSingleItem();
        rejected.Row.ShouldBe(4);
        rejected.Reason.ShouldContain("'abroad' of call");
        // a: one call at 2 EUR and one at 1 EUR (a line per unit price); the rejected row adds nothing.
        Amount(result, "a", "Calls").ShouldBe(3m);
        Amount(result, "a", "Known").ShouldBe(1m);
        Amount(result, "b", "Calls").ShouldBe(1m);
    }

    [Fact]
    public void Conditional_IsNoneCondition_IsNeverNone()
    {
        var result = EveryWay.Rate("""
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              unit call
              event call(abroad: bool?)
              charge "Calls" per call at if abroad is none then 3 EUR per call else 1 EUR per call
            }
            """, "time,account,event,abroad", ["2024-01-09T10:00:00Z,a,call,", "2024-01-09T11:00:00Z,a,call,true"]);

        result.Rejected.ShouldBeEmpty();
        Amount(result, "a", "Calls").ShouldBe(4m);
    }

    private static decimal Amount(RatingResult result, string account, string label) =>
        result.Invoices.Single(i => i.Account == account).Lines.Where(l => l.Label == label).Sum(l => l.Amount);
}
