using Shouldly;
using TariffLang.Examples;
using TariffLang.Tests.Compilation;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>
/// Allowances used in event order with a weight per kind, and counters that reset every period: the events beyond an
/// allowance are the ones charged, and both start again with each period. Rated every way (both engines, streamed, oracle).
/// </summary>
public sealed class AllowanceTests
{
    internal const string Source = """
        tariff msg {
          currency EUR
          period month in "Europe/Paris"
          unit sms
          param included: sms = 10 sms
          event sms(to: text)
          event mms(to: text)
          // Ten SMS included each month; an MMS weighs three SMS; MMS to the test number use nothing.
          allowance bundle: sms = param included {
            on sms use 1
            on mms where to != "+33000" use 3
          }
          counter sent, reset every period: sms { on sms add 1 on mms add 1 }
          charge "SMS beyond the bundle" per sms at beyond(bundle) * 0.05 EUR
          charge "MMS beyond the bundle" per mms at beyond(bundle) * 0.20 EUR
          charge "MMS covered" per mms at covered(bundle) * 0 EUR
          charge "Bundle used" = level(bundle) at 0 EUR per sms
          charge "Messages" = level(sent) at 0.01 EUR per sms

          example "the bundle covers the first ten SMS, an MMS with two left is a third beyond" {
            8 sms(to: "+33600")
            mms(to: "+33600")
            2 sms(to: "+33600")
            mms(to: "+33000")
            // 8 SMS covered; the MMS needs 3 with 2 left: 2/3 covered, 1/3 × 0.20 = 0.0666…; the next 2 SMS: 2 × 0.05;
            // the MMS to the test number uses nothing: 1 × 0.20. MMS line: 0.0666… + 0.20 = 0.2666… → 0.27.
            expect line "SMS beyond the bundle" amount 0.10
            expect line "MMS beyond the bundle" amount 0.27
            expect line "Bundle used" quantity 10
            // 12 messages sent: 12 × 0.01
            expect line "Messages" quantity 12 amount 0.12
            expect total 0.49
          }
        }
        """;

    [Fact]
    public void Allowance_WorkedExample_PassesInBothEngines() => EveryWay.ExamplesPass(Source, "msg.tariff").ShouldHaveSingleItem();

    [Fact]
    public void Allowance_QuantitiesAcrossTwoMonths_ChargesTheUnitsBeyondAndResetsEachPeriod()
    {
        var result = EveryWay.Rate(Source, "time,account,event,quantity,to", [
            "2024-01-09T10:00:00Z,a,sms,9,+33600",   // 9 of 10 used
            "2024-01-09T10:01:00Z,a,mms,1,+33600",   // needs 3, 1 left: 1/3 covered, 2/3 beyond: 0.1333…
            "2024-01-10T10:00:00Z,b,sms,30,+33600",  // another account: 20 beyond, its own bundle
            "2024-02-09T10:00:00Z,a,sms,3,+33600",   // a new month: the bundle is whole again
            "2024-02-09T10:01:00Z,a,mms,2,+33600",   // 6 ≤ 7 left: covered
        ]);

        result.Rejected.ShouldBeEmpty();
        var a = result.Invoices.Where(i => i.Account == "a").OrderBy(i => i.Period.From).ToList();
        a.Count.ShouldBe(2);
        a[0].Lines.Single(l => l.Label == "MMS beyond the bundle").Amount.ShouldBe(0.13m);
        a[0].Lines.Single(l => l.Label == "Bundle used").Quantity.ShouldBe(10m);
        a[0].Lines.Single(l => l.Label == "Messages").Quantity.ShouldBe(10m);
        // Reset: February counts its own 5 messages and 9 units of the bundle, not January's.
        a[1].Lines.Single(l => l.Label == "Bundle used").Quantity.ShouldBe(9m);
        a[1].Lines.Single(l => l.Label == "Messages").Quantity.ShouldBe(5m);
        a[1].Lines.Where(l => l.Label.EndsWith("beyond the bundle")).Sum(l => l.Amount).ShouldBe(0m);
        var b = result.Invoices.Single(i => i.Account == "b");
        b.Lines.Single(l => l.Label == "SMS beyond the bundle").Amount.ShouldBe(1.00m);
        b.Lines.Single(l => l.Label == "Bundle used").Quantity.ShouldBe(10m);
    }

    [Fact]
    public void Counter_WithoutReset_CarriesAcrossPeriods()
    {
        var source = Source.Replace("counter sent, reset every period: sms", "counter sent: sms");
        var result = EveryWay.Rate(source, "time,account,event,quantity,to", [
            "2024-01-09T10:00:00Z,a,sms,9,+33600",
            "2024-02-09T10:00:00Z,a,sms,3,+33600",
        ]);
        result.Invoices.OrderBy(i => i.Period.From).Last().Lines.Single(l => l.Label == "Messages").Quantity.ShouldBe(12m);
    }
}
