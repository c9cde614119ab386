using System.Collections.Immutable;
using Shouldly;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Tests.Cli;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>
/// The rules for what a row's values may look like: every value is trimmed (time, account, event, id, quantity and the
/// attributes alike), a quantity is greater than 0, an attribute may be negative, a negative price in a contract is
/// accepted with a warning.
/// </summary>
public sealed class InputHygieneTests
{
    private const string Source = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          unit rdv
          event appointment(source: text, amount: number?)
          param price: money per rdv = 1.00
          free appointment where source = "google_sync" because "imported by sync"
          charge "Rendez-vous" = count(appointment) * 1 rdv at param price
          charge "Montants" = sum(appointment, amount)
        }
        """;

    private const string Header = "time,account,event,id,quantity,source,amount";

    [Fact]
    public void Rate_AttributeWithSurroundingSpaces_IsReadTrimmedLikeTheOtherValues()
    {
        var result = EveryWay.Rate(Source, Header, [
            " 2024-01-05T10:00:00+01:00 , shop1 , appointment , a1 ,, google_sync ,",
            "2024-01-05T11:00:00+01:00,shop1,appointment,a2,,\tcalendoc , 2.5 ",
        ]);

        result.Accounting.ShouldBe(new Accounting(2, 1, 1, 0));
        result.Invoices.ShouldHaveSingleItem().Total.ShouldBe(3.50m);
    }

    [Fact]
    public void Rate_AttributeOfOnlySpaces_IsAbsent()
    {
        // source is required: only spaces is no value; amount is optional: only spaces leaves it out.
        var result = EveryWay.Rate(Source, Header, [
            "2024-01-05T10:00:00+01:00,shop1,appointment,a1,,   ,",
            "2024-01-05T11:00:00+01:00,shop1,appointment,a2,,calendoc,  ",
        ]);

        result.Rejected.ShouldBe([new RejectedRow(2, "event 'appointment' needs attribute 'source'")]);
        result.Invoices.ShouldHaveSingleItem().Total.ShouldBe(1.00m);
    }

    [Fact]
    public void Rate_JsonValuesWithSpaces_AreTrimmedAsInCsv()
    {
        var tariff = Tariff.Compile(Source, "t.tariff");
        var path = Path.Combine(TestTemp.NewDirectory("tarifflang-hygiene-"), "ledger.jsonl");
        File.WriteAllLines(path, [
            """{"time":" 2024-01-05T10:00:00+01:00","account":"shop1 ","event":"appointment","source":" google_sync "}""",
            """{"time":"2024-01-05T11:00:00+01:00","account":"shop1","event":"appointment","source":"calendoc","amount":" "}""",
        ]);

        foreach (var result in new[] { tariff.Rate(Tariff.ReadLedger(path)), tariff.RateFile(path) })
        {
            result.Accounting.ShouldBe(new Accounting(2, 1, 1, 0));
            result.Invoices.ShouldHaveSingleItem().Account.ShouldBe("shop1");
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData(" -0.5 ")]
    public void Rate_QuantityNotGreaterThanZero_IsRejected(string quantity)
    {
        var result = EveryWay.Rate(Source, Header, [
            $"2024-01-05T10:00:00+01:00,shop1,appointment,a1,{quantity},calendoc,",
            "2024-01-05T11:00:00+01:00,shop1,appointment,a2,,calendoc,",
        ]);

        var rejected = result.Rejected.ShouldHaveSingleItem();
        rejected.Row.ShouldBe(2);
        rejected.Reason.ShouldContain("must be greater than 0");
    }

    [Fact]
    public void Rate_NegativeAttribute_IsAcceptedAndCountsAsWritten()
    {
        // A refund written as a negative amount: the tariff decides what it means (a rule may reject it).
        var result = EveryWay.Rate(Source, Header, [
            "2024-01-05T10:00:00+01:00,shop1,appointment,a1,,calendoc,10",
            "2024-01-06T10:00:00+01:00,shop1,appointment,a2,,calendoc,-4",
        ]);

        result.Invoices.ShouldHaveSingleItem().Total.ShouldBe(8.00m);
    }

    [Fact]
    public void CheckContracts_NegativeMoneyValue_IsAWarningNamingTheAccount()
    {
        var tariff = Tariff.Compile(Source, "t.tariff");
        var accounts = new AccountTable(ImmutableDictionary<string, ImmutableDictionary<string, string>>.Empty
            .Add("shop1", ImmutableDictionary<string, string>.Empty.Add("price", "-2.00"))
            .Add("shop2", ImmutableDictionary<string, string>.Empty.Add("price", "2.00")));

        tariff.CheckContracts(accounts, "accounts.csv")
            .ShouldBe(["accounts.csv: account 'shop1': 'price' is negative (-2.00): a charge priced by it credits the customer"]);
    }

    [Fact]
    public void RateCli_NegativeContractPrice_WarnsAndStillRates()
    {
        var (dir, tariffPath, ledger) = EveryWay.Files(Source, Header, "2024-01-05T10:00:00+01:00,shop1,appointment,a1,,calendoc,");
        var accounts = Path.Combine(dir, "accounts.csv");
        File.WriteAllLines(accounts, ["account,price", "shop1,-2.00"]);

        var r = CliHarness.Run("rate", tariffPath, ledger, "--accounts", accounts, "--to", "2024-01");
        r.Exit.ShouldBe(0, r.ToString());
        r.Err.ShouldContain("account 'shop1': 'price' is negative (-2.00)");
        r.Out.ShouldContain("-2.00");
        CliHarness.Run("rate", tariffPath, ledger, "--param", "price=-1", "--to", "2024-01")
            .Err.ShouldContain("--param: 'price' is negative (-1)");
    }
}
