using System.Collections.Immutable;
using System.Text.Json;
using TariffLang.Invoicing;

namespace TariffLang.Tests.Invoicing;

/// <summary>What a wallet statement adds when its credits expire and when grants land: JSON and text.</summary>
public sealed class WalletStatementWriterTests
{
    private static RatingResult Result(WalletStatement statement) => new(
        [new Invoice("a", new BillingPeriod(new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31)), "EUR", null, [], 0m, [statement])],
        ImmutableArray<RowOutcome>.Empty);

    private static readonly WalletStatement Expiring = new("credits", "credit", 0m, 15m, 20m, 4m, 25m)
    {
        Expired = 6m,
        GrantItems = [new WalletGrant("Welcome", 10m), new WalletGrant("Loyalty", 5m)],
    };

    [Fact]
    public void Json_ExpiringWalletWithGrants_WritesExpiredBeforeClosingAndEachGrantByLabel()
    {
        var wallet = JsonDocument.Parse(InvoiceJsonWriter.Write(Result(Expiring))).RootElement
            .GetProperty("invoices")[0].GetProperty("wallets")[0];
        wallet.EnumerateObject().Select(p => p.Name)
            .ShouldBe(["wallet", "unit", "opening", "grants", "purchases", "debits", "expired", "closing", "grantItems"]);
        wallet.GetProperty("expired").GetString().ShouldBe("6");
        var items = wallet.GetProperty("grantItems").EnumerateArray()
            .Select(g => (g.GetProperty("label").GetString(), g.GetProperty("amount").GetString())).ToList();
        items.ShouldBe([("Welcome", "10"), ("Loyalty", "5")]);
    }

    [Fact]
    public void Json_WalletThatNeverExpiresWithoutGrants_KeepsItsShape()
    {
        var wallet = JsonDocument.Parse(InvoiceJsonWriter.Write(Result(new WalletStatement("credits", "credit", 1m, 0m, 0m, 0m, 1m))))
            .RootElement.GetProperty("invoices")[0].GetProperty("wallets")[0];
        wallet.EnumerateObject().Select(p => p.Name).ShouldBe(["wallet", "unit", "opening", "grants", "purchases", "debits", "closing"]);
    }

    [Fact]
    public void Text_ExpiringWalletWithGrants_ShowsExpiredAndOneLinePerGrant()
    {
        var text = InvoiceTextWriter.Write(Result(Expiring));
        text.ShouldContain("debits 4, expired 6, closing 25");
        text.ShouldContain("grant Welcome: 10");
        text.ShouldContain("grant Loyalty: 5");
    }
}
