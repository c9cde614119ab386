using Shouldly;
using TariffLang.Examples;
using TariffLang.Invoicing;
using TariffLang.Tests.Compilation;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>
/// Credits that expire and are drawn in a stated order (priority, then earliest expiry, then oldest), and a wallet statement
/// that itemises grants by label and shows what expired. Rated every way (both engines, streamed, oracle).
/// </summary>
public sealed class WalletCreditTests
{
    internal const string Source = """
        tariff prepaid {
          currency EUR
          period month in "Europe/Paris"
          unit credit
          event purchase(credits: int)
          event job(cost: int)
          // Purchased credits last 12 months; a welcome grant lasts a month and is drawn first; loyalty lasts 2 months.
          wallet credits: credit expires after 12 months {
            on purchase add credits * 1 credit
            on job subtract cost * 1 credit
          }
          grant "Welcome" once on 2024-01-01 add 10 credit to credits expires after 1 month priority 1
          grant "Loyalty" every year on 03-01 add 5 credit to credits expires after 2 months
          reject job where cost * 1 credit > credits because "not enough credits"
          charge "Jobs" per job at 1 EUR

          example "the welcome credits are drawn first, and what is left of them expires" {
            at 2024-01-10T10:00 purchase(credits: 20)
            at 2024-01-15T10:00 job(cost: 4)
            // The job draws 4 of the 10 welcome credits (priority 1); the other 6 expire on 1 February.
            // January: 0 + 10 granted + 20 bought − 4 − 6 expired = 20.
            expect balance credits 20 in 2024-01
            at 2024-03-05T10:00 job(cost: 3)
            // 1 March: 5 loyalty credits (to 1 May) drawn before the purchase (to 10 January 2025): 2 left, gone on 1 May.
            expect balance credits 22 in 2024-03
            at 2024-05-02T10:00 job(cost: 1)
            expect balance credits 20 in 2024-04
            expect balance credits 19 in 2024-05
            // One job in May at 1 EUR.
            expect total 1.00 in 2024-05
          }
        }
        """;

    [Fact]
    public void WalletCredits_WorkedExample_PassesInBothEngines() => EveryWay.ExamplesPass(Source, "prepaid.tariff").ShouldHaveSingleItem();

    [Fact]
    public void WalletCredits_OverFiveMonths_StatementItemisesGrantsAndExpiries()
    {
        var result = EveryWay.Rate(Source, "time,account,event,credits,cost", [
            "2024-01-10T10:00:00Z,a,purchase,20,",
            "2024-01-15T10:00:00Z,a,job,,4",
            "2024-03-05T10:00:00Z,a,job,,3",
            "2024-05-02T10:00:00Z,a,job,,1",
            "2024-05-03T10:00:00Z,a,job,,30",   // more than the 19 left: rejected, draws nothing
            "2024-05-04T10:00:00Z,a,job,,19",   // exactly what is left
        ]);

        result.Rejected.ShouldHaveSingleItem().Row.ShouldBe(6);
        var statements = result.Invoices.OrderBy(i => i.Period.From).Select(i => i.Wallets.Single()).ToList();
        statements.Count.ShouldBe(5);
        Figures(statements[0]).ShouldBe((0m, 10m, 20m, 4m, 6m, 20m));
        statements[0].GrantItems.ShouldBe([new WalletGrant("Welcome", 10m)]);
        Figures(statements[1]).ShouldBe((20m, 0m, 0m, 0m, 0m, 20m));
        statements[1].GrantItems.ShouldBeEmpty();
        Figures(statements[2]).ShouldBe((20m, 5m, 0m, 3m, 0m, 22m));
        statements[2].GrantItems.ShouldBe([new WalletGrant("Loyalty", 5m)]);
        Figures(statements[3]).ShouldBe((22m, 0m, 0m, 0m, 2m, 20m));
        Figures(statements[4]).ShouldBe((20m, 0m, 0m, 20m, 0m, 0m));
    }

    [Fact]
    public void WalletCredits_WithoutExpiryOrPriority_KeepTheirShapeAndNeverExpire()
    {
        var source = Source.Replace(" expires after 12 months", "").Replace(" expires after 1 month priority 1", "")
            .Replace(" expires after 2 months", "");
        var result = EveryWay.Rate(source, "time,account,event,credits,cost", [
            "2024-01-10T10:00:00Z,a,purchase,20,",
            "2024-05-02T10:00:00Z,a,job,,1",
        ]);
        var last = result.Invoices.OrderBy(i => i.Period.From).Last().Wallets.Single();
        last.Expired.ShouldBeNull();
        // 10 welcome + 20 bought + 5 loyalty − 1: nothing expired.
        last.Closing.ShouldBe(34m);
    }

    [Theory]
    [InlineData("expires after 0 days", "TL0106")]
    [InlineData("expires after 3 weeks", "TL0106")]
    [InlineData("expires after 2147483647 years", "TL0106")]
    [InlineData("expires after 36526 days", "TL0106")]
    public void WalletCredits_BadExpiry_IsReportedOnIt(string expiry, string code)
    {
        var source = Source.Replace("expires after 12 months", expiry);
        var error = Tariff.Compile(source, "t.tariff").Diagnostics.ShouldHaveSingleItem();
        error.Code.ShouldBe(code);
        error.Span.Start.ShouldBe(source.IndexOf(expiry, StringComparison.Ordinal));
        error.Span.Length.ShouldBe(expiry.Length);
    }

    private static (decimal, decimal, decimal, decimal, decimal?, decimal) Figures(WalletStatement s) =>
        (s.Opening, s.Grants, s.Purchases, s.Debits, s.Expired, s.Closing);
}
