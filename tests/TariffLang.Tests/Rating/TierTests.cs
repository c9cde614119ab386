using System.Text.Json;
using Shouldly;
using TariffLang.Invoicing;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>Tiers priced per period and per event, with contract values in the bands; rated every way (engines, streamed,
/// oracle).</summary>
public sealed class TierTests
{
    private const string Source = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          unit sms
          param first_band: sms = 1000 sms
          event sms(to: text, length: int)
          tiers sms_price graduated {
            up to param first_band at 0.05 EUR per sms
            up to 10000 sms at 0.04 EUR per sms flat 5 EUR
            above at 0.03 EUR per sms
          }
          tiers length_price volume {
            up to 160 at 0 EUR
            above flat 0.02 EUR
          }
          charge "SMS" = count(sms) * 1 sms at sms_price
          // Per event: a long message pays a flat supplement, priced by the volume tiers on its length.
          charge "Long SMS" per sms at tiered(length_price, length)
        }
        """;

    [Fact]
    public void Tiers_GraduatedPeriodAndVolumePerEvent_AgreeEveryWay()
    {
        var result = EveryWay.Rate(Source, "time,account,event,quantity,to,length", [
            "2024-01-09T10:00:00Z,a,sms,1500,+33600,100",   // 1500 SMS of 100 characters
            "2024-01-09T10:01:00Z,a,sms,1,+33600,161",      // one long SMS: 0.02
            "2024-01-09T10:02:00Z,b,sms,10,+33600,160",     // another account: 10 SMS, none long
        ]);

        result.Rejected.ShouldBeEmpty();
        var a = result.Invoices.Single(i => i.Account == "a").Lines;
        // 1501 SMS: 1000 × 0.05 = 50.00, then 501 × 0.04 + 5 = 25.04.
        a.Single(l => l.Label == "SMS (up to 1000)").Amount.ShouldBe(50.00m);
        var second = a.Single(l => l.Label == "SMS (1000 to 10000)");
        (second.Quantity, second.UnitPrice, second.Amount).ShouldBe((501m, (decimal?)0.04m, 25.04m));
        second.Band.ShouldBe(new InvoiceBand(1000m, 10000m, 5m));
        a.Where(l => l.Label == "Long SMS").Sum(l => l.Amount).ShouldBe(0.02m);
        result.Invoices.Single(i => i.Account == "b").Lines.Where(l => l.Amount != 0m).ShouldHaveSingleItem()
            .Label.ShouldBe("SMS (up to 1000)");
    }

    [Fact]
    public void Tiers_BandFromTheContract_MovesTheBound()
    {
        var result = EveryWay.Rate(Source, "time,account,event,quantity,to,length", ["2024-01-09T10:00:00Z,a,sms,1500,+33600,100"],
            new RatingOptions(new Dictionary<string, string> { ["first_band"] = "500" }));
        result.Invoices.Single().Lines.Where(l => l.Label.StartsWith("SMS", StringComparison.Ordinal)).Select(l => (l.Label, l.Amount))
            .ShouldBe([("SMS (up to 500)", 25.00m), ("SMS (500 to 10000)", 45.00m)]);
    }

    [Fact]
    public void Tiers_BoundsFromTheContractNotIncreasing_RejectTheAccountWithTheReason()
    {
        var result = EveryWay.Rate(Source, "time,account,event,quantity,to,length", ["2024-01-09T10:00:00Z,a,sms,1500,+33600,100"],
            new RatingOptions(new Dictionary<string, string> { ["first_band"] = "20000" }));
        result.Invoices.ShouldBeEmpty();
        result.Rejected.ShouldHaveSingleItem().Reason.ShouldContain("tiers 'sms_price': the bounds must be greater than 0 and increasing");
    }

    [Fact]
    public void Tiers_InvoiceJson_ShowsEachBand()
    {
        var result = EveryWay.Rate(Source, "time,account,event,quantity,to,length", ["2024-01-09T10:00:00Z,a,sms,10001,+33600,100"]);
        var lines = JsonDocument.Parse(result.ToJson()).RootElement.GetProperty("invoices")[0].GetProperty("lines");
        var last = lines.EnumerateArray().Single(l => l.GetProperty("label").GetString() == "SMS (above 10000)");
        last.GetProperty("band").GetProperty("from").GetString().ShouldBe("10000");
        last.GetProperty("band").GetProperty("to").ValueKind.ShouldBe(JsonValueKind.Null);
        last.GetProperty("band").GetProperty("flatFee").GetString().ShouldBe("0.00");
        last.GetProperty("amount").GetString().ShouldBe("0.03");
    }
}
