using System.Collections.Immutable;
using System.Text.Json;
using TariffLang.Invoicing;

namespace TariffLang.Tests.Invoicing;

public sealed class InvoiceWriterTests
{
    private static readonly BillingPeriod January = new(new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31));

    private static Invoice CalenDoc() => new(
        "krys-01",
        January,
        "EUR",
        null,
        [
            new InvoiceLine("Rendez-vous + 1 SMS", 100m, "appointment", 0.106m, 10.60m),
            new InvoiceLine("SMS supplémentaires", 25.0m, "sms", 0.0503m, 1.2575m),
        ],
        11.86m,
        ImmutableArray<WalletStatement>.Empty);

    private static Invoice Web1on1() => new(
        "dealer-7",
        January,
        "EUR",
        "GROW",
        [
            new InvoiceLine("Plan GROW", 1m, "month", 499.00m, 499m),
            new InvoiceLine("Extra Chatpoints", 65m, "chatpoint", 0.140m, 9.1m),
            new InvoiceLine("Setup", 2.50m, "hour", null, 0m),
        ],
        508.10m,
        [new WalletStatement("credits", "credit", 10.0m, 2m, 0m, 3.50m, 8.50m)]);

    private static ImmutableArray<RowOutcome> Outcomes() =>
    [
        new(2, "krys-01", "appointment", null, RowOutcomeKind.Rated, "Rendez-vous + 1 SMS"),
        new(5, "dealer-7", "chat", null, RowOutcomeKind.Rejected, "no bot cell for quote_request"),
        new(3, "krys-01", "appointment", null, RowOutcomeKind.Free, "google sync"),
        new(4, "krys-01", "sms", null, RowOutcomeKind.Rejected, "time '2024-01-03T09:15:00' has no UTC offset"),
        new(6, "dealer-7", "chat", null, RowOutcomeKind.Rated, "Extra Chatpoints"),
    ];

    private static RatingResult Result() => new([CalenDoc(), Web1on1()], Outcomes());

    private static JsonElement Json(RatingResult result) => JsonDocument.Parse(InvoiceJsonWriter.Write(result)).RootElement.Clone();

    private static string[] Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    // ---- JSON ----

    [Fact]
    public void Json_HasContractShapeInStableKeyOrder()
    {
        var root = Json(Result());

        Keys(root).ShouldBe(["invoices", "rejected", "accounting"]);
        var invoice = root.GetProperty("invoices")[0];
        Keys(invoice).ShouldBe(["account", "period", "currency", "plan", "lines", "total"]);
        Keys(invoice.GetProperty("period")).ShouldBe(["from", "to"]);
        Keys(invoice.GetProperty("lines")[0]).ShouldBe(["label", "quantity", "unit", "unitPrice", "amount"]);
        Keys(root.GetProperty("rejected")[0]).ShouldBe(["row", "reason"]);
        Keys(root.GetProperty("accounting")).ShouldBe(["rows", "rated", "free", "rejected"]);
    }

    [Fact]
    public void Json_InvoiceValues_AreWrittenAsGiven()
    {
        var invoice = Json(Result()).GetProperty("invoices")[0];

        invoice.GetProperty("account").GetString().ShouldBe("krys-01");
        invoice.GetProperty("period").GetProperty("from").GetString().ShouldBe("2024-01-01");
        invoice.GetProperty("period").GetProperty("to").GetString().ShouldBe("2024-01-31");
        invoice.GetProperty("currency").GetString().ShouldBe("EUR");
        invoice.GetProperty("plan").ValueKind.ShouldBe(JsonValueKind.Null);
        invoice.GetProperty("total").GetString().ShouldBe("11.86");

        var line = invoice.GetProperty("lines")[1];
        line.GetProperty("label").GetString().ShouldBe("SMS supplémentaires");
        line.GetProperty("quantity").GetString().ShouldBe("25");
        line.GetProperty("unit").GetString().ShouldBe("sms");
        line.GetProperty("unitPrice").GetString().ShouldBe("0.0503");
        line.GetProperty("amount").GetString().ShouldBe("1.26");
    }

    [Fact]
    public void Json_InvoicesKeepTheGivenOrder()
    {
        var reversed = new RatingResult([Web1on1(), CalenDoc()], Outcomes());

        var accounts = Json(reversed).GetProperty("invoices").EnumerateArray().Select(i => i.GetProperty("account").GetString());

        accounts.ShouldBe(["dealer-7", "krys-01"]);
    }

    [Fact]
    public void Json_PlanAndUnitPriceAndQuantity_AreFormatted()
    {
        var invoice = Json(Result()).GetProperty("invoices")[1];
        var lines = invoice.GetProperty("lines");

        invoice.GetProperty("plan").GetString().ShouldBe("GROW");
        lines[0].GetProperty("unitPrice").GetString().ShouldBe("499.00");
        lines[0].GetProperty("amount").GetString().ShouldBe("499.00");
        lines[1].GetProperty("unitPrice").GetString().ShouldBe("0.14");
        lines[1].GetProperty("amount").GetString().ShouldBe("9.10");
        lines[1].GetProperty("quantity").GetString().ShouldBe("65");
        lines[2].GetProperty("quantity").GetString().ShouldBe("2.5");
        lines[2].GetProperty("unitPrice").ValueKind.ShouldBe(JsonValueKind.Null);
        lines[2].GetProperty("amount").GetString().ShouldBe("0.00");
        invoice.GetProperty("total").GetString().ShouldBe("508.10");
    }

    [Fact]
    public void Json_EveryDecimal_IsAStringNeverANumber()
    {
        var root = Json(Result());

        foreach (var invoice in root.GetProperty("invoices").EnumerateArray())
        {
            invoice.GetProperty("total").ValueKind.ShouldBe(JsonValueKind.String);
            foreach (var line in invoice.GetProperty("lines").EnumerateArray())
            {
                line.GetProperty("quantity").ValueKind.ShouldBe(JsonValueKind.String);
                line.GetProperty("amount").ValueKind.ShouldBe(JsonValueKind.String);
                line.GetProperty("unitPrice").ValueKind.ShouldBeOneOf(JsonValueKind.String, JsonValueKind.Null);
            }
        }
    }

    [Theory]
    [InlineData("JPY", "1234.5", "1235")]
    [InlineData("BHD", "1.25", "1.250")]
    [InlineData("EUR", "0.005", "0.01")]
    [InlineData("EUR", "-0.005", "-0.01")]
    [InlineData("USD", "12", "12.00")]
    public void Json_MoneyAmounts_HaveExactlyTheCurrencysMinorDigits(string currency, string amount, string expected)
    {
        // Attributes cannot hold decimals, and a double would defeat the point of the test.
        var value = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);
        var invoice = new Invoice("a", January, currency, null, [new InvoiceLine("x", 1m, "unit", null, value)], value, []);

        var written = Json(new RatingResult([invoice], [])).GetProperty("invoices")[0];

        written.GetProperty("lines")[0].GetProperty("amount").GetString().ShouldBe(expected);
        written.GetProperty("total").GetString().ShouldBe(expected);
    }

    [Theory]
    [InlineData("0.106", "EUR", "0.106")]
    [InlineData("0.05030", "EUR", "0.0503")]
    [InlineData("0.140", "EUR", "0.14")]
    [InlineData("0.1", "EUR", "0.10")]
    [InlineData("499", "EUR", "499.00")]
    [InlineData("5", "JPY", "5")]
    [InlineData("5.50", "JPY", "5.5")]
    [InlineData("0.5", "BHD", "0.500")]
    public void FormatUnitPrice_NormalizesButKeepsMinorDigits(string price, string currency, string expected)
    {
        InvoiceJsonWriter.FormatUnitPrice(decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture), currency)
            .ShouldBe(expected);
    }

    [Theory]
    [InlineData("65", "65")]
    [InlineData("65.000", "65")]
    [InlineData("2.50", "2.5")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("100", "100")]
    [InlineData("-3.10", "-3.1")]
    [InlineData("0.00", "0")]
    [InlineData("-0.00", "0")]
    public void FormatDecimal_DropsTrailingZerosOnly(string value, string expected)
    {
        InvoiceJsonWriter.FormatDecimal(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(expected);
    }

    [Fact]
    public void Json_Wallets_AreOmittedWhenNoneAndWrittenWhenAny()
    {
        var invoices = Json(Result()).GetProperty("invoices");

        invoices[0].TryGetProperty("wallets", out _).ShouldBeFalse();
        var wallet = invoices[1].GetProperty("wallets").EnumerateArray().ShouldHaveSingleItem();
        Keys(invoices[1]).Last().ShouldBe("wallets");
        Keys(wallet).ShouldBe(["wallet", "unit", "opening", "grants", "purchases", "debits", "closing"]);
        wallet.GetProperty("wallet").GetString().ShouldBe("credits");
        wallet.GetProperty("unit").GetString().ShouldBe("credit");
        wallet.GetProperty("opening").GetString().ShouldBe("10");
        wallet.GetProperty("grants").GetString().ShouldBe("2");
        wallet.GetProperty("purchases").GetString().ShouldBe("0");
        wallet.GetProperty("debits").GetString().ShouldBe("3.5");
        wallet.GetProperty("closing").GetString().ShouldBe("8.5");
    }

    [Fact]
    public void Json_DefaultWalletArray_IsTreatedAsNone()
    {
        var invoice = CalenDoc() with { Wallets = default };

        Json(new RatingResult([invoice], [])).GetProperty("invoices")[0].TryGetProperty("wallets", out _).ShouldBeFalse();
    }

    [Fact]
    public void Json_RejectedRows_AreListedByRowWithReason()
    {
        var rejected = Json(Result()).GetProperty("rejected").EnumerateArray()
            .Select(r => (r.GetProperty("row").GetInt32(), r.GetProperty("reason").GetString()))
            .ToArray();

        rejected.ShouldBe([
            (4, "time '2024-01-03T09:15:00' has no UTC offset"),
            (5, "no bot cell for quote_request"),
        ]);
    }

    [Fact]
    public void Json_Accounting_AddsUpEveryRow()
    {
        var accounting = Json(Result()).GetProperty("accounting");

        accounting.GetProperty("rows").GetInt32().ShouldBe(5);
        accounting.GetProperty("rated").GetInt32().ShouldBe(2);
        accounting.GetProperty("free").GetInt32().ShouldBe(1);
        accounting.GetProperty("rejected").GetInt32().ShouldBe(2);
    }

    [Fact]
    public void Json_EmptyResult_StillHasAllSections()
    {
        var root = Json(new RatingResult([], []));

        root.GetProperty("invoices").GetArrayLength().ShouldBe(0);
        root.GetProperty("rejected").GetArrayLength().ShouldBe(0);
        root.GetProperty("accounting").GetProperty("rows").GetInt32().ShouldBe(0);
    }

    [Fact]
    public void Json_IsIndentedByTwoSpacesWithLfAndUnescapedText()
    {
        var text = InvoiceJsonWriter.Write(Result());

        text.ShouldStartWith("{\n  \"invoices\": [\n    {\n      \"account\": \"krys-01\",");
        text.ShouldEndWith("}\n");
        text.ShouldNotContain("\r");
        text.ShouldNotContain("\t");
        text.ShouldContain("\"label\": \"SMS supplémentaires\"");
        text.ShouldContain("\"label\": \"Rendez-vous + 1 SMS\"");
    }

    [Fact]
    public void Json_IsStableAcrossRuns()
    {
        InvoiceJsonWriter.Write(Result()).ShouldBe(InvoiceJsonWriter.Write(Result()));
    }

    // ---- text ----

    private static string[] TextLines(RatingResult result) => InvoiceTextWriter.Write(result).Split('\n');

    [Fact]
    public void Text_InvoiceHeader_NamesAccountPeriodPlanAndCurrency()
    {
        var text = InvoiceTextWriter.Write(Result());

        text.ShouldContain("Account:  krys-01\nPeriod:   2024-01-01 to 2024-01-31\nCurrency: EUR\n");
        text.ShouldContain("Account:  dealer-7\nPeriod:   2024-01-01 to 2024-01-31\nPlan:     GROW\nCurrency: EUR\n");
        text.IndexOf("krys-01", StringComparison.Ordinal).ShouldBeLessThan(text.IndexOf("dealer-7", StringComparison.Ordinal));
    }

    [Fact]
    public void Text_LinesAreAlignedInColumns()
    {
        var lines = TextLines(Result());
        var start = Array.FindIndex(lines, l => l.Contains("Plan GROW", StringComparison.Ordinal)) - 2;
        var header = lines[start];
        var table = lines.Skip(start).TakeWhile(l => l.Length > 0).ToArray();

        header.ShouldBe("  Label             Quantity  Unit       Unit price  Amount");
        table.ShouldBe([
            "  Label             Quantity  Unit       Unit price  Amount",
            "  ----------------  --------  ---------  ----------  ------",
            "  Plan GROW                1  month          499.00  499.00",
            "  Extra Chatpoints        65  chatpoint        0.14    9.10",
            "  Setup                  2.5  hour                     0.00",
            "  ----------------  --------  ---------  ----------  ------",
            "  Total                                              508.10",
        ]);
    }

    [Fact]
    public void Text_AmountColumn_EndsAtTheSameColumnForEveryLine()
    {
        var lines = TextLines(Result());
        var start = Array.FindIndex(lines, l => l.Contains("Rendez-vous", StringComparison.Ordinal)) - 2;
        var table = lines.Skip(start).TakeWhile(l => l.Length > 0).ToArray();

        table.Length.ShouldBe(6);
        table.Select(l => l.Length).Distinct().ShouldHaveSingleItem();
        table[2].ShouldEndWith("0.106   10.60");
        table[3].ShouldContain("0.0503");
        table[3].ShouldEndWith("1.26");
        table[5].ShouldStartWith("  Total");
        table[5].ShouldEndWith("11.86");
    }

    [Fact]
    public void Text_Wallets_AreListedUnderTheirInvoice()
    {
        var text = InvoiceTextWriter.Write(Result());

        text.ShouldContain("Wallets:\n  credits (credit): opening 10, grants 2, purchases 0, debits 3.5, closing 8.5\n");
        text.IndexOf("Wallets:", StringComparison.Ordinal).ShouldBeGreaterThan(text.IndexOf("508.10", StringComparison.Ordinal));
    }

    [Fact]
    public void Text_RejectedRows_AreListedInRowOrder()
    {
        var text = InvoiceTextWriter.Write(Result());

        text.ShouldContain(
            "Rejected rows:\n  row 4: time '2024-01-03T09:15:00' has no UTC offset\n  row 5: no bot cell for quote_request\n");
    }

    [Fact]
    public void Text_EndsWithTheAccountingLine()
    {
        var text = InvoiceTextWriter.Write(Result());

        text.ShouldEndWith("\n");
        text.TrimEnd('\n').Split('\n').Last().ShouldBe("rows: 5, rated: 2, free: 1, rejected: 2");
    }

    [Fact]
    public void Text_WithoutRejectedRowsOrPlan_OmitsThoseParts()
    {
        var outcomes = ImmutableArray.Create(
            new RowOutcome(2, "krys-01", "appointment", null, RowOutcomeKind.Rated, "Rendez-vous + 1 SMS"));
        var text = InvoiceTextWriter.Write(new RatingResult([CalenDoc()], outcomes));

        text.ShouldNotContain("Rejected rows");
        text.ShouldNotContain("Plan:");
        text.ShouldNotContain("Wallets:");
        text.TrimEnd('\n').Split('\n').Last().ShouldBe("rows: 1, rated: 1, free: 0, rejected: 0");
    }

    [Fact]
    public void Text_InvoiceWithoutLines_SaysNoCharges()
    {
        var empty = CalenDoc() with { Lines = [], Total = 0m };

        var text = InvoiceTextWriter.Write(new RatingResult([empty], []));

        text.ShouldContain("(no charges)");
        text.ShouldContain("Total");
        text.ShouldContain("0.00");
    }

    [Fact]
    public void Text_NoInvoices_SaysSoAndStillAccounts()
    {
        var outcomes = ImmutableArray.Create(new RowOutcome(2, "a", "sms", null, RowOutcomeKind.Rejected, "bad time"));

        var text = InvoiceTextWriter.Write(new RatingResult([], outcomes));

        text.ShouldStartWith("No invoices.\n");
        text.ShouldContain("  row 2: bad time\n");
        text.ShouldEndWith("rows: 1, rated: 0, free: 0, rejected: 1\n");
    }
}
