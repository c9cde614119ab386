using System.Text.Json;
using Shouldly;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>Groups, minimums, maximums and taxes (with rates from the contract), rated every way (engines, streamed, oracle).</summary>
public sealed class TotalsTests
{
    private const string Source = """
        tariff t {
          currency EUR excluding tax
          period month in "Europe/Paris"
          unit sms
          param commitment: money = 20 EUR
          param vat: decimal = 0.2
          event sms(to: text)
          event book(title: text)
          charge "SMS" = count(sms) * 1 sms at 0.10 EUR per sms
          charge "Books" per book at 10 EUR
          group books { "Books" }
          maximum "Book cap" 25 EUR for books
          minimum "Commitment" param commitment
          tax "VAT" param vat
          tax "Reduced VAT" 5.5% for books
        }
        """;

    [Fact]
    public void Totals_TwoAccountsWithTheirOwnContracts_AgreeEveryWay()
    {
        var result = EveryWay.Rate(Source, "time,account,event,quantity,to,title", [
            "2024-01-09T10:00:00Z,a,sms,30,+33600,",     // 3.00
            "2024-01-09T10:01:00Z,a,book,3,,Candide",    // 30.00, capped at 25.00 by −5.00
            "2024-01-09T10:02:00Z,b,sms,5,+33600,",      // 0.50, topped up to the commitment
        ], new RatingOptions(new Dictionary<string, string> { ["vat"] = "0.1" }));

        var a = result.Invoices.Single(i => i.Account == "a");
        a.Lines.Single(l => l.Label == "Book cap").Amount.ShouldBe(-5.00m);
        // 3.00 + 30.00 − 5.00 = 28.00: above the commitment of 20.00.
        a.Total.ShouldBe(28.00m);
        a.Taxes!.Value.Select(t => (t.Label, t.Base, t.Amount)).ShouldBe([("VAT", 3.00m, 0.30m), ("Reduced VAT", 25.00m, 1.38m)]);
        a.TotalIncludingTax.ShouldBe(29.68m);
        var b = result.Invoices.Single(i => i.Account == "b");
        b.Lines.Single(l => l.Label == "Commitment").Amount.ShouldBe(19.50m);
        b.TotalTax.ShouldBe(2.00m);
    }

    [Fact]
    public void Totals_InvoiceJson_WritesTaxesAndTheThreeTotals()
    {
        var result = EveryWay.Rate(Source, "time,account,event,quantity,to,title", ["2024-01-09T10:00:00Z,a,sms,300,+33600,"]);
        var invoice = JsonDocument.Parse(result.ToJson()).RootElement.GetProperty("invoices")[0];
        invoice.EnumerateObject().Select(p => p.Name)
            .ShouldBe(
                ["account", "period", "currency", "plan", "lines", "total", "taxes", "totalExcludingTax", "tax", "totalIncludingTax"]);
        invoice.GetProperty("taxes")[0].GetProperty("rate").GetString().ShouldBe("0.2");
        invoice.GetProperty("totalIncludingTax").GetString().ShouldBe("36.00");
    }

    [Fact]
    public void Totals_TariffWithoutTax_KeepsItsInvoiceShape()
    {
        var source = Source.Replace("  tax \"VAT\" param vat\n", "").Replace("  tax \"Reduced VAT\" 5.5% for books\n", "");
        var result = EveryWay.Rate(source, "time,account,event,quantity,to,title", ["2024-01-09T10:00:00Z,a,sms,300,+33600,"]);
        result.Invoices.Single().Taxes.ShouldBeNull();
        var invoice = JsonDocument.Parse(result.ToJson()).RootElement.GetProperty("invoices")[0];
        invoice.TryGetProperty("taxes", out _).ShouldBeFalse();
    }
}
