using System.Collections.Immutable;
using System.Globalization;
using TariffLang.Invoicing;
using TariffLang.Ledgers;

namespace TariffLang.Tests.Evaluation;

/// <summary>Cases found by review: each would have billed, moved or reported something it should not, on both engines.</summary>
public sealed class RatingRegressionTests
{
    private static Ledger LedgerOf(params LedgerRow[] rows) => new("test.csv", rows.ToImmutableArray(), ImmutableArray<LedgerError>.Empty);

    private static LedgerRow Row(int row, string evt, string time, params (string Key, string Value)[] attributes) =>
        new(row, null, DateTimeOffset.Parse(time, CultureInfo.InvariantCulture), "acct", evt, 1m,
            attributes.ToImmutableDictionary(a => a.Key, a => a.Value));

    private static CompiledTariff Compile(string text, TariffEngine engine)
    {
        var tariff = Tariff.Compile(text, "regression.tariff", engine);
        tariff.HasErrors.ShouldBeFalse(string.Join("\n", tariff.Diagnostics));
        return tariff;
    }

    public static TheoryData<TariffEngine> Engines => new() { TariffEngine.Interpreted, TariffEngine.Compiled };

    [Theory]
    [MemberData(nameof(Engines))]
    public void Rate_RowRejectedAfterAnEarlierChargeMatched_IsNotBilled(TariffEngine engine)
    {
        var tariff = Compile("""
            tariff t { currency EUR  period month in "Europe/Paris"  unit msg
              event message(kind: text)
              table price by (kind): money per msg { "a": 0.50 }
              charge "Base" per message at 1 EUR per msg
              charge "Kind" per message at price[kind] }
            """, engine);

        var result = tariff.Rate(LedgerOf(Row(2, "message", "2024-01-05T10:00:00+01:00", ("kind", "a")),
            Row(3, "message", "2024-01-05T11:00:00+01:00", ("kind", "zzz"))));

        result.Rejected.ShouldHaveSingleItem().Row.ShouldBe(3);
        var invoice = result.Invoices.ShouldHaveSingleItem();
        invoice.Lines.Single(l => l.Label == "Base").Quantity.ShouldBe(1m);
        invoice.Total.ShouldBe(1.50m);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Rate_RowRejectedHalfWayThroughItsEffects_LeavesEveryStateAsItWas(TariffEngine engine)
    {
        var tariff = Compile("""
            tariff t { currency EUR  period month in "UTC"  unit credit
              event use(cost: int?)
              wallet a: credit { on use add 1 }
              wallet b: credit { on use subtract cost }
              window w 24h per id, opened by use
              charge "Uses" = count(use) at 1 EUR }
            """.Replace("per id", "per cost", StringComparison.Ordinal)
               .Replace("cost: int?", "cost: int?, code: text", StringComparison.Ordinal)
               .Replace("per cost", "per code", StringComparison.Ordinal), engine);

        var result = tariff.Rate(LedgerOf(Row(2, "use", "2024-01-05T10:00:00Z", ("cost", "2"), ("code", "x")),
            Row(3, "use", "2024-01-05T11:00:00Z", ("code", "y"))));

        result.Rejected.ShouldHaveSingleItem().Row.ShouldBe(3);
        var invoice = result.Invoices.ShouldHaveSingleItem();
        invoice.Wallets.Single(w => w.Wallet == "a").Closing.ShouldBe(1m);
        invoice.Wallets.Single(w => w.Wallet == "b").Closing.ShouldBe(-2m);
        invoice.Lines.ShouldHaveSingleItem().Quantity.ShouldBe(1m);
    }

    [Fact]
    public void Check_BareWalletReadOverAPeriod_ReportsTL0055()
    {
        var tariff = Tariff.Compile("""
            tariff t { currency EUR  period month in "UTC"  unit credit
              event buy(n: int)
              wallet credits: credit { on buy add n }
              let balance = credits
              charge "x" = balance at 1 EUR per credit }
            """);
        var d = tariff.Diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0055");
        (d.Line, d.Column).ShouldBe((4, 17));
    }

    [Fact]
    public void Check_WindowKeyedByAnOptionalAttribute_ReportsTL0054()
    {
        var tariff = Tariff.Compile("""
            tariff t { currency EUR  period month in "UTC"
              event message(contact: text?)
              window service 24h per contact, opened by message
              charge "x" = count(message) at 1 EUR }
            """);
        var d = tariff.Diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0054");
        (d.Line, d.Column).ShouldBe((3, 26));
    }

    [Fact]
    public void Rate_AFarFutureRowOfAnUnknownEvent_DoesNotExtendTheInvoices()
    {
        var tariff = Compile("""
            tariff t { currency EUR  period month in "UTC"  event a()  charge "fee" = 10.00 }
            """, TariffEngine.Interpreted);

        var result = tariff.Rate(LedgerOf(Row(2, "a", "2024-01-05T10:00:00Z"), Row(3, "typo", "2999-01-05T10:00:00Z")));

        result.Invoices.Length.ShouldBe(1);
        result.Accounting.ShouldBe(new Accounting(2, 0, 1, 1));
    }

    [Fact]
    public void Rate_AHistoryOfMoreThanFiftyYears_RejectsThatAccountOnlyWithTheReason()
    {
        var tariff = Compile("""
            tariff t { currency EUR  period month in "UTC"  event a()  charge "fee" = 10.00 }
            """, TariffEngine.Interpreted);

        var other = Row(4, "a", "2024-01-06T10:00:00Z") with { Account = "other" };
        var result = tariff.Rate(LedgerOf(Row(2, "a", "1950-01-05T10:00:00Z"), Row(3, "a", "2024-01-05T10:00:00Z"), other));

        result.Invoices.ShouldHaveSingleItem().Account.ShouldBe("other");
        result.Rejected.Select(r => r.Row).ShouldBe([2, 3]);
        result.Rejected[1].Reason.ShouldContain("account 'acct'");
        result.Rejected[0].Reason.ShouldContain("600 billing periods");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Rate_NumbersThatDifferOnlyInScale_AreOneKey(TariffEngine engine)
    {
        var tariff = Compile("""
            tariff t { currency EUR  period month in "UTC"
              event use(site: int)
              counter seen per site { on use add 1 }
              reject use where seen >= 1 because "site already seen"
              charge "Sites" = distinct(use, site) at 1 EUR }
            """, engine);

        var result = tariff.Rate(
            LedgerOf(Row(2, "use", "2024-01-05T10:00:00Z", ("site", "7")), Row(3, "use", "2024-01-05T11:00:00Z", ("site", "7.0"))));

        result.Rejected.ShouldHaveSingleItem().Row.ShouldBe(3);
        result.Invoices.ShouldHaveSingleItem().Total.ShouldBe(1.00m);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Rate_ConstantArithmeticThatOverflows_RejectsRowsOnBothEngines(TariffEngine engine)
    {
        var tariff = Compile("""
            tariff t { currency EUR  period month in "UTC"  unit seat
              event use()
              charge "Big" per use where 79228162514264337593543950335 * 2 > 0 at 1 EUR per seat }
            """, engine);

        var result = tariff.Rate(LedgerOf(Row(2, "use", "2024-01-05T10:00:00Z")));

        result.Rejected.ShouldHaveSingleItem().Reason.ShouldContain("too large");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Rate_AllocationInTheMonthBeforeAVersionBoundary_IsRatedByTheLineItFeeds(TariffEngine engine)
    {
        var tariff = Tariff.Load(Path.Combine(Cli.TestPaths.Tariffs, "wazo.tariff"), engine);
        var rows = LedgerOf(
            Row(2, "allocation_changed", "2022-10-03T09:00:00+02:00", ("site", "paris"), ("subscriptions", "10"),
                ("roles", "finance:subscription_management")),
            Row(3, "user_added", "2022-10-03T09:05:00+02:00", ("site", "paris")));
        var values = ImmutableDictionary<string, string>.Empty.Add("billing_cycle", "quarterly").Add("seat_price", "10")
            .Add("quarterly_discount", "0.1").Add("yearly_discount", "0.2");

        var result = tariff.Rate(rows,
            new AccountTable(ImmutableDictionary<string, ImmutableDictionary<string, string>>.Empty.Add("acct", values)));

        var allocation = result.Outcomes.Single(o => o.Row == 2);
        allocation.Kind.ShouldBe(RowOutcomeKind.Rated);
        allocation.Detail.ShouldContain("Souscriptions allouées");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Rate_TagsComparedForEquality_CompareTheirElements(TariffEngine engine)
    {
        // Two sets of tags are equal when they hold the same tags in the same order (not when they are one object).
        var tariff = Compile("""
            tariff t { currency EUR  period month in "UTC"
              event e(a: tags, b: tags)
              free e where a != b because "different tags"
              charge "Same" per e where a = b at 1 EUR }
            """, engine);

        var result = tariff.Rate(LedgerOf(Row(2, "e", "2024-01-05T10:00:00Z", ("a", "x;y"), ("b", "x;y")),
            Row(3, "e", "2024-01-05T11:00:00Z", ("a", "x;y"), ("b", "y;x")),
            Row(4, "e", "2024-01-05T12:00:00Z", ("a", "x"), ("b", "x;y"))));

        result.Outcomes.Select(o => (o.Row, o.Kind))
            .ShouldBe([(2, RowOutcomeKind.Rated), (3, RowOutcomeKind.Free), (4, RowOutcomeKind.Free)]);
        result.Invoices.ShouldHaveSingleItem().Total.ShouldBe(1m);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Rate_TimeMovedOutOfTheCalendar_RejectsTheRowWithAReasonNamingTheValues(TariffEngine engine)
    {
        var tariff = Compile("""
            tariff t { currency EUR  period month in "UTC"
              event later(d: duration, n: decimal)
              event earlier(d: duration, n: decimal)
              charge "Later" per later where time + d * n > time at 1 EUR
              charge "Earlier" per earlier where time - d * n < time at 1 EUR }
            """, engine);

        // A ledger duration is at most 100 years, but a computed one can reach TimeSpan's limits: the product and the move
        // must be refused before they are made, on that row alone.
        var result = tariff.Rate(LedgerOf(Row(2, "later", "2024-01-05T10:00:00Z", ("d", "P1D"), ("n", "1")),
            Row(3, "later", "2024-01-05T11:00:00Z", ("d", "P36525D"), ("n", "100")),
            Row(4, "later", "2024-01-05T12:00:00Z", ("d", "P36525D"), ("n", "1000")),
            Row(5, "later", "2024-01-05T13:00:00Z", ("d", "P3000000D"), ("n", "1")),
            Row(6, "earlier", "2024-01-05T14:00:00Z", ("d", "P36525D"), ("n", "100")),
            Row(7, "earlier", "2024-01-05T15:00:00Z", ("d", "-P1D"), ("n", "1")),
            Row(8, "earlier", "2024-01-05T16:00:00Z", ("d", "172800"), ("n", "1"))));

        const string Outside = " falls outside the calendar (years 1–9999)";
        result.Rejected.Select(r => (r.Row, r.Reason)).ShouldBe([
            (3, "2024-01-05T11:00:00+00:00 + 3652500.00:00:00" + Outside),
            (4, "a duration is too long (more than 29,000 years)"),
            (5, "attribute 'd': 'P3000000D' is longer than 36525d (100 years)"),
            (6, "2024-01-05T14:00:00+00:00 - 3652500.00:00:00" + Outside),
            (7, "attribute 'd': '-P1D' is negative: a duration is 0 or more"),
        ]);
        result.Invoices.ShouldHaveSingleItem().Total.ShouldBe(2m);
    }
}
