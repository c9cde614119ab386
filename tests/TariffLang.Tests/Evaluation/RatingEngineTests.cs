using System.Collections.Immutable;
using TariffLang.Invoicing;
using TariffLang.Ledgers;

namespace TariffLang.Tests.Evaluation;

/// <summary>Behaviours of the rating engine across periods, accounts and contract values.</summary>
public sealed class RatingEngineTests
{
    private const string PlanTariff = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          unit point
          event chat(points: int)
          plan BASE { fee 10.00 includes 100 point extra 0.10 per point }
          param discount: number = 0
          charge "Plan" = plan.fee
          charge "Extra" = max(sum(chat, points) * 1 point - plan.includes, 0 point) at plan.extra
          charge "Remise" = -(plan.fee) * param discount
        }
        """;

    private static LedgerRow Row(int row, string time, string account, int points) =>
        new(row, null, DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), account, "chat", 1m,
            ImmutableDictionary<string, string>.Empty.Add("points", points.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static Ledger LedgerOf(params LedgerRow[] rows) => new("test.csv", rows.ToImmutableArray(), ImmutableArray<LedgerError>.Empty);

    private static AccountTable Accounts(params (string Account, string Key, string Value)[] values) =>
        new(values.GroupBy(v => v.Account).ToImmutableDictionary(g => g.Key, g => g.ToImmutableDictionary(v => v.Key, v => v.Value)));

    [Fact]
    public void Rate_AccountWithoutUsageInTheLastMonthRated_StillPaysItsPlanFee()
    {
        var tariff = Tariff.Compile(PlanTariff);
        var ledger = LedgerOf(Row(2, "2024-01-10T10:00:00+01:00", "a", 5), Row(3, "2024-03-10T10:00:00+01:00", "b", 5));
        var result = tariff.Rate(ledger, Accounts(("a", "plan", "BASE"), ("b", "plan", "BASE")), new RatingOptions { To = (2024, 3) });

        result.Invoices.Where(i => i.Account == "a").Select(i => (i.Period.From.Month, i.Total))
            .ShouldBe([(1, 10.00m), (2, 10.00m), (3, 10.00m)]);
        result.Invoices.Where(i => i.Account == "b").Select(i => i.Period.From.Month).ShouldBe([3]);
    }

    [Fact]
    public void Rate_NoMonthsGiven_RatesEachAccountOverItsOwnRowsOnly()
    {
        // b's March row must not give a an invoice for February and March: one account's rows never stretch another's.
        var tariff = Tariff.Compile(PlanTariff);
        var ledger = LedgerOf(Row(2, "2024-01-10T10:00:00+01:00", "a", 5), Row(3, "2024-03-10T10:00:00+01:00", "b", 5));
        var accounts = Accounts(("a", "plan", "BASE"), ("b", "plan", "BASE"));

        var together = tariff.Rate(ledger, accounts);
        var alone = tariff.Rate(LedgerOf(Row(2, "2024-01-10T10:00:00+01:00", "a", 5)), accounts);

        together.Invoices.Where(i => i.Account == "a").Select(i => i.Period.From.Month).ShouldBe([1]);
        together.Invoices.Where(i => i.Account == "b").Select(i => i.Period.From.Month).ShouldBe([3]);
        alone.Invoices.Select(i => (i.Account, i.Period, i.Total))
            .ShouldBe(together.Invoices.Where(i => i.Account == "a").Select(i => (i.Account, i.Period, i.Total)));
    }

    [Fact]
    public void Rate_ARowDatedFarInTheFuture_IsRejectedAloneAndStretchesNothing()
    {
        var tariff = Tariff.Compile(PlanTariff);
        var ledger = LedgerOf(Row(2, "2024-01-10T10:00:00+01:00", "a", 5), Row(3, "2204-01-10T10:00:00+01:00", "a", 5),
            Row(4, "2024-01-11T10:00:00+01:00", "b", 5));
        var options = new RatingOptions { Today = new DateOnly(2024, 1, 20) };

        var result = tariff.Rate(ledger, Accounts(("a", "plan", "BASE"), ("b", "plan", "BASE")), options);

        result.Invoices.Select(i => (i.Account, i.Period.From.Month, i.Period.From.Year)).ShouldBe([("a", 1, 2024), ("b", 1, 2024)]);
        var rejected = result.Rejected.ShouldHaveSingleItem();
        rejected.Row.ShouldBe(3);
        rejected.Reason.ShouldContain("2204-01-10");
        rejected.Reason.ShouldContain("future");
        result.Accounting.ShouldBe(new Accounting(3, 2, 0, 1));
    }

    [Fact]
    public void Rate_MonthsGiven_RejectsRowsOutsideThemByRow()
    {
        var tariff = Tariff.Compile(PlanTariff);
        var ledger = LedgerOf(Row(2, "2023-12-31T10:00:00+01:00", "a", 5), Row(3, "2024-01-10T10:00:00+01:00", "a", 5),
            Row(4, "2024-03-01T00:30:00+01:00", "a", 5));

        var result = tariff.Rate(ledger, Accounts(("a", "plan", "BASE")), new RatingOptions { From = (2024, 1), To = (2024, 2) });

        result.Invoices.Select(i => i.Period.From.Month).ShouldBe([1, 2]);
        result.Rejected.Select(r => r.Row).ShouldBe([2, 4]);
        result.Rejected[0].Reason.ShouldContain("before the months rated");
        result.Rejected[1].Reason.ShouldContain("after the months rated");
    }

    [Fact]
    public void Rate_FromAfterTo_IsAProblemNotAnException()
    {
        var tariff = Tariff.Compile(PlanTariff);

        var result = tariff.Rate(LedgerOf(Row(2, "2024-01-10T10:00:00+01:00", "a", 5)), null,
            new RatingOptions { From = (2024, 3), To = (2024, 1) });

        result.Problem.ShouldNotBeNull().ShouldContain("after");
        result.Invoices.ShouldBeEmpty();
    }

    [Fact]
    public void Rate_PeriodOption_KeepsTheRejectedRowsOfAnAccountWithNoInvoice()
    {
        var tariff = Tariff.Compile(PlanTariff);
        var ledger = LedgerOf(Row(2, "2024-02-10T10:00:00+01:00", "noplan", 5), Row(3, "2024-02-11T10:00:00+01:00", "a", 5),
            Row(4, "2024-03-11T10:00:00+01:00", "noplan", 5));
        var result = tariff.Rate(ledger, Accounts(("a", "plan", "BASE")), new RatingOptions(Month: (2024, 2)));

        result.Rejected.Select(r => r.Row).ShouldBe([2]);
        result.Rejected[0].Reason.ShouldContain("plan");
        result.Accounting.ShouldBe(new Accounting(2, 1, 0, 1));
        result.Invoices.ShouldHaveSingleItem().Account.ShouldBe("a");
    }

    [Fact]
    public void Rate_PeriodOptionAfterTheLedger_RatesUpToThatMonth()
    {
        var tariff = Tariff.Compile(PlanTariff);
        var result = tariff.Rate(LedgerOf(Row(2, "2024-01-10T10:00:00+01:00", "a", 5)), Accounts(("a", "plan", "BASE")),
            new RatingOptions(Month: (2024, 4)));

        var invoice = result.Invoices.ShouldHaveSingleItem();
        invoice.Period.ShouldBe(new BillingPeriod(new DateOnly(2024, 4, 1), new DateOnly(2024, 4, 30)));
        invoice.Total.ShouldBe(10.00m);
        result.Accounting.Rows.ShouldBe(0);
    }

    [Theory]
    [InlineData("5%", -0.50)]
    [InlineData("0.05", -0.50)]
    [InlineData("12.5%", -1.25)]
    public void Rate_ContractRateWrittenAsPercent_IsAFraction(string discount, double expected)
    {
        var tariff = Tariff.Compile(PlanTariff);
        var result = tariff.Rate(LedgerOf(Row(2, "2024-01-10T10:00:00+01:00", "a", 5)),
            Accounts(("a", "plan", "BASE"), ("a", "discount", discount)));

        result.Invoices.ShouldHaveSingleItem().Lines.Single(l => l.Label == "Remise").Amount.ShouldBe((decimal)expected);
    }

    [Theory]
    [InlineData(TariffEngine.Interpreted)]
    [InlineData(TariffEngine.Compiled)]
    public void Rate_SameIdInTwoAccounts_IsTwoEvents(TariffEngine engine)
    {
        // An id is unique per account: two accounts may number their events alike.
        var tariff = Tariff.Compile(PlanTariff, "plan.tariff", engine);
        var first = Row(2, "2024-01-10T10:00:00+01:00", "a", 150) with { Id = "evt-1" };
        var other = Row(3, "2024-01-10T10:00:00+01:00", "b", 150) with { Id = "evt-1" };
        var result = tariff.Rate(LedgerOf(first, other), Accounts(("a", "plan", "BASE"), ("b", "plan", "BASE")));

        result.Rejected.ShouldBeEmpty();
        result.Accounting.ShouldBe(new Accounting(2, 2, 0, 0));
        // Each account's row counts in its own invoice: 50 points over the plan's 100 each.
        result.Invoices.Select(i => (i.Account, i.Total)).ShouldBe([("a", 15.00m), ("b", 15.00m)]);
    }

    [Theory]
    [InlineData(TariffEngine.Interpreted)]
    [InlineData(TariffEngine.Compiled)]
    public void Rate_DuplicateIdWithinAnAccount_IsCountedOnce(TariffEngine engine)
    {
        var tariff = Tariff.Compile(PlanTariff, "plan.tariff", engine);
        var first = Row(2, "2024-01-10T10:00:00+01:00", "a", 150) with { Id = "evt-1" };
        var other = Row(3, "2024-01-10T10:00:00+01:00", "b", 150) with { Id = "evt-1" };
        var copy = Row(4, "2024-01-10T10:00:00+01:00", "a", 150) with { Id = "evt-1" };
        var result = tariff.Rate(LedgerOf(first, other, copy), Accounts(("a", "plan", "BASE"), ("b", "plan", "BASE")));

        var rejected = result.Rejected.ShouldHaveSingleItem();
        rejected.Row.ShouldBe(4);
        rejected.Reason.ShouldBe("duplicate id 'evt-1' (already counted at row 2)");
        result.Accounting.ShouldBe(new Accounting(3, 2, 0, 1));
        // The copy adds nothing to its account's invoice.
        result.Invoices.Select(i => (i.Account, i.Total)).ShouldBe([("a", 15.00m), ("b", 15.00m)]);
    }

    [Fact]
    public void Rate_IntAttributeWithAFraction_IsRejected()
    {
        var tariff = Tariff.Compile(PlanTariff);
        var row = Row(2, "2024-01-10T10:00:00+01:00", "a",
            5) with { Attributes = ImmutableDictionary<string, string>.Empty.Add("points", "2.5") };
        var result = tariff.Rate(LedgerOf(row), Accounts(("a", "plan", "BASE")));

        result.Rejected.ShouldHaveSingleItem().Reason.ShouldContain("whole number");
    }

    [Fact]
    public void Rate_EveryRowIsAccountedOnce()
    {
        var tariff = Tariff.Load(Path.Combine(Cli.TestPaths.RepoRoot, "tariffs", "aircall.tariff"));
        var ledger = Tariff.ReadLedger(Path.Combine(Cli.TestPaths.RepoRoot, "examples", "aircall", "ledger.csv"));
        var (accounts, _) = Tariff.ReadAccounts(Path.Combine(Cli.TestPaths.RepoRoot, "examples", "aircall", "accounts.csv"));
        var result = tariff.Rate(ledger, accounts);

        result.Outcomes.Select(o => o.Row).ShouldBeUnique();
        result.Outcomes.Length.ShouldBe(ledger.RowCount);
    }

    [Fact]
    public void Rate_EventsChargedPerEventOrMovingAWallet_StillCountInAggregates()
    {
        var tariff = Tariff.Compile("""
            tariff t {
              currency EUR
              period month in "UTC"
              unit credit
              event buy(n: int)
              event use(n: int)
              wallet credits: credit { on buy add n  on use subtract n }
              charge "Achat" per buy at 2.00
              charge "Frais de gestion" = count(use) + count(buy) at 0.50
            }
            """);
        tariff.HasErrors.ShouldBeFalse(string.Join("\n", tariff.Diagnostics));
        LedgerRow Event(int row, string name, int n) =>
            new(row, null, new DateTimeOffset(2024, 1, row, 10, 0, 0, TimeSpan.Zero), "a", name, 1m,
            ImmutableDictionary<string, string>.Empty.Add("n", n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var result = tariff.Rate(LedgerOf(Event(2, "buy", 10), Event(3, "use", 4), Event(4, "use", 1)));

        var invoice = result.Invoices.ShouldHaveSingleItem();
        invoice.Lines.Single(l => l.Label == "Frais de gestion").Quantity.ShouldBe(3m);
        invoice.Wallets.ShouldHaveSingleItem().Closing.ShouldBe(5m);
        result.Accounting.ShouldBe(new Accounting(3, 3, 0, 0));
    }

    private const string AverageTariff = """
        tariff t {
          currency EUR
          period month in "UTC"
          event a(n: int)
          event b()
          charge "Moyenne" = sum(a, n) / count(b)
        }
        """;

    [Theory]
    [InlineData(TariffEngine.Interpreted)]
    [InlineData(TariffEngine.Compiled)]
    public void Rate_PeriodChargeThatCannotBeComputed_RejectsTheAccountsRowsWithTheReason(TariffEngine engine)
    {
        var tariff = Tariff.Compile(AverageTariff, "avg.tariff", engine);
        var row = new LedgerRow(2, null, new DateTimeOffset(2024, 1, 5, 10, 0, 0, TimeSpan.Zero), "a", "a", 1m,
            ImmutableDictionary<string, string>.Empty.Add("n", "4"));
        var other = row with { Row = 3, Account = "b", Event = "b", Attributes = ImmutableDictionary<string, string>.Empty };

        var result = tariff.Rate(LedgerOf(row, other));

        result.Rejected.ShouldHaveSingleItem().Reason.ShouldBe("account 'a', period 2024-01-01 to 2024-01-31: division by zero");
        result.Invoices.ShouldHaveSingleItem().Account.ShouldBe("b");
        result.Accounting.ShouldBe(new Accounting(2, 1, 0, 1));
    }

    [Fact]
    public void Rate_QuantitiesThatOverflow_AreRejectedNotThrown()
    {
        var tariff = Tariff.Load(Path.Combine(Cli.TestPaths.RepoRoot, "tariffs", "calendoc.tariff"));
        var huge = decimal.MaxValue;
        LedgerRow Sms(int row) => new(row, null, new DateTimeOffset(2024, 1, 5, 10, row, 0, TimeSpan.Zero), "store", "sms", huge,
            ImmutableDictionary<string, string>.Empty.Add("length", "100"));

        var result = tariff.Rate(LedgerOf(Sms(2), Sms(3)));

        result.Accounting.Rejected.ShouldBe(2);
        result.Rejected.ShouldAllBe(r => r.Reason.Contains("too large"));
    }

    [Fact]
    public void Rate_RowsOutsideTheSupportedYears_AreRejected()
    {
        var tariff = Tariff.Compile(PlanTariff);
        var result = tariff.Rate(LedgerOf(Row(2, "9999-12-31T23:00:00+00:00", "a", 5), Row(3, "2024-01-10T10:00:00+01:00", "a", 5)),
            Accounts(("a", "plan", "BASE")));

        result.Rejected.ShouldHaveSingleItem().Row.ShouldBe(2);
        result.Invoices.ShouldHaveSingleItem().Total.ShouldBe(10.00m);
    }

    [Fact]
    public void RunExamples_AnExampleThatCannotRate_FailsAloneWithTheReason()
    {
        var examples = """
              example "divise par zéro" {
                a(n: 3)
                expect total 3
              }
              example "correct" {
                a(n: 3)
                b()
                expect total 3
              }
            }
            """;
        var tariff = Tariff.Compile(AverageTariff.TrimEnd()[..^1] + examples);
        tariff.HasErrors.ShouldBeFalse(string.Join("\n", tariff.Diagnostics));
        var results = tariff.RunExamples();

        results.Select(r => r.Status).ShouldBe([ExampleStatus.Failed, ExampleStatus.Passed]);
    }

    [Theory]
    [InlineData(TariffEngine.Interpreted)]
    [InlineData(TariffEngine.Compiled)]
    public void Rate_MissingTableCellInAPeriodCharge_IsAnErrorNotAZero(TariffEngine engine)
    {
        var tariff = Tariff.Compile("""
            tariff t {
              currency EUR
              period month in "UTC"
              event a(kind: text)
              table price by (kind): money {
                "small": 1.00
              }
              charge "Total" = sum(a, price[kind])
            }
            """, "table.tariff", engine);
        LedgerRow A(int row, string kind) => new(row, null, new DateTimeOffset(2024, 1, row, 10, 0, 0, TimeSpan.Zero), "acct", "a", 1m,
            ImmutableDictionary<string, string>.Empty.Add("kind", kind));

        var result = tariff.Rate(LedgerOf(A(2, "small"), A(3, "zzz")));

        result.Invoices.ShouldBeEmpty();
        result.Rejected.Select(r => r.Row).ShouldBe([2, 3]);
        result.Rejected[0].Reason.ShouldContain("table 'price' has no value for kind \"zzz\"");
    }

    [Fact]
    public void Rate_AccountUnderContractWithoutAnyRow_PaysItsPlanFeeForTheMonthsRated()
    {
        var tariff = Tariff.Compile(PlanTariff);
        var ledger = LedgerOf(Row(2, "2024-01-10T10:00:00+01:00", "a", 5), Row(3, "2024-02-10T10:00:00+01:00", "a", 5));
        var accounts = Accounts(("a", "plan", "BASE"), ("quiet", "plan", "BASE"));

        var given = tariff.Rate(ledger, accounts, new RatingOptions { From = (2024, 1), To = (2024, 2) });
        var derived = tariff.Rate(ledger, accounts);

        given.Invoices.Where(i => i.Account == "quiet").Select(i => (i.Period.From.Month, i.Total)).ShouldBe([(1, 10.00m), (2, 10.00m)]);
        given.Accounting.Rows.ShouldBe(2);
        // Without the months, nothing says which months a silent account owes: it is not invoiced.
        derived.Invoices.ShouldNotContain(i => i.Account == "quiet");
    }

    [Fact]
    public void RunExamples_ExpectationForAMonthWithoutInvoice_Fails()
    {
        var tariff = Tariff.Compile(PlanTariff.TrimEnd()[..^1] + """
              example "no invoice in 2031" {
                with plan = "BASE"
                chat(points: 1)
                expect total 0 in 2031-01
              }
            }
            """);

        var result = tariff.RunExamples().ShouldHaveSingleItem();

        result.Status.ShouldBe(ExampleStatus.Failed);
        result.Messages.ShouldHaveSingleItem().ShouldContain("2031-01");
    }
}
