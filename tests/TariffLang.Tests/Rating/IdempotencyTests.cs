using System.Collections.Immutable;
using Shouldly;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Rating;
using TariffLang.Tests.Cli;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>
/// An id is counted once among an account's valid rows: identical copies are duplicates, copies that differ conflict and
/// none is rated, whatever their order, whichever way the ledger is rated (in memory, streamed, on several threads).
/// </summary>
public sealed class IdempotencyTests
{
    private const string Source = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          unit point
          event chat(points: int, sent: time?, price: number?)
          charge "Points" = sum(chat, points) * 1 point at 1.00 per point
        }
        """;

    private const string Header = "time,account,event,id,quantity,points,sent,price";

    private static RatingResult RateEveryWay(params string[] rows) => EveryWay.Rate(Source, Header, rows);

    private static decimal TotalOf(RatingResult result, string account) =>
        result.Invoices.Where(i => i.Account == account).Sum(i => i.Total);

    [Fact]
    public void Rate_SameIdSameValuesWrittenDifferently_IsADuplicateCountedOnce()
    {
        // The same instant (Z and +01:00), the same quantity (1 and 1.0), the same numbers (2.50 and 2.5).
        var result = RateEveryWay(
            "2024-01-10T10:00:00+01:00,a,chat,e1,1,5,2024-01-10T10:00:00Z,2.50",
            "2024-01-10T09:00:00Z,a,chat,e1,1.0,5,2024-01-10T11:00:00+01:00,2.5");

        var rejected = result.Rejected.ShouldHaveSingleItem();
        rejected.ShouldBe(new RejectedRow(3, "duplicate id 'e1' (already counted at row 2)"));
        result.Conflicts.ShouldBe(0);
        TotalOf(result, "a").ShouldBe(5m);
    }

    [Theory]
    [InlineData("2024-01-10T10:00:00+01:00,a,chat,e1,,6,,")]
    [InlineData("2024-01-10T10:00:01+01:00,a,chat,e1,,5,,")]
    [InlineData("2024-01-10T10:00:00+01:00,a,chat,e1,2,5,,")]
    [InlineData("2024-01-10T10:00:00+01:00,a,chat,e1,,5,,0.1")]
    public void Rate_SameIdOtherContent_RejectsEveryCopyInEitherOrder(string other)
    {
        const string Original = "2024-01-10T10:00:00+01:00,a,chat,e1,,5,,";
        const string Unrelated = "2024-01-11T10:00:00+01:00,a,chat,e2,,7,,";
        const string Elsewhere = "2024-01-11T10:00:00+01:00,b,chat,e1,,3,,";
        foreach (var rows in new[] { new[] { Original, Unrelated, other, Elsewhere }, [other, Unrelated, Original, Elsewhere] })
        {
            var result = RateEveryWay(rows);

            const string Reason = "conflicting id 'e1': rows 2 and 4 carry it with different content, so none of them is rated";
            result.Rejected.ShouldBe([new RejectedRow(2, Reason), new RejectedRow(4, Reason)]);
            result.Conflicts.ShouldBe(2);
            TotalOf(result, "a").ShouldBe(7m);
            // The same id in another account is another event.
            TotalOf(result, "b").ShouldBe(3m);
        }
    }

    [Fact]
    public void Rate_ThreeCopiesOneDifferent_IsAConflictNamingEveryRow()
    {
        var result = RateEveryWay(
            "2024-01-10T10:00:00+01:00,a,chat,e1,,5,,",
            "2024-01-10T10:00:00+01:00,a,chat,e1,,5,,",
            "2024-01-10T10:00:00+01:00,a,chat,e1,,9,,");

        result.Rejected.Select(r => r.Row).ShouldBe([2, 3, 4]);
        result.Rejected.ShouldAllBe(r => r.Reason.Contains("rows 2, 3 and 4"));
        result.Invoices.ShouldBeEmpty();
    }

    [Fact]
    public void Rate_RejectedFirstCopyThenCorrectedResend_RatesTheResend()
    {
        // Row 2 is not a valid event (points is not a whole number): it claims no id, so its correction is rated.
        var result = RateEveryWay(
            "2024-01-10T10:00:00+01:00,a,chat,e1,,five,,",
            "2024-01-10T10:05:00+01:00,a,chat,e1,,5,,");

        result.Rejected.ShouldHaveSingleItem().Row.ShouldBe(2);
        result.Accounting.ShouldBe(new Accounting(2, 1, 0, 1));
        TotalOf(result, "a").ShouldBe(5m);
    }

    [Fact]
    public void Rate_ConflictInALedgerOutOfTimeOrder_IsFoundAfterTheReplay()
    {
        var result = RateEveryWay(
            "2024-01-12T10:00:00+01:00,a,chat,e3,,1,,",
            "2024-01-10T10:00:00+01:00,a,chat,e1,,5,,",
            "2024-01-11T10:00:00+01:00,a,chat,e1,,5,,",
            "2024-01-10T10:00:00+01:00,a,chat,e2,,2,,",
            "2024-01-10T10:00:00+01:00,a,chat,e2,,2,,");

        result.Rejected.Select(r => (r.Row, r.Reason.StartsWith("conflicting", StringComparison.Ordinal)))
            .ShouldBe([(3, true), (4, true), (6, false)]);
        TotalOf(result, "a").ShouldBe(3m);
    }

    [Fact]
    public void AccountRating_LaterCopyWithOtherContent_IsRejectedAsAConflict()
    {
        var tariff = Tariff.Compile(Source, "t.tariff");
        var rating = tariff.RateAccount("a").ShouldNotBeNull();
        var time = DateTimeOffset.Parse("2024-01-10T10:00:00+01:00", System.Globalization.CultureInfo.InvariantCulture);
        var points = new Dictionary<string, string> { ["points"] = "5" };

        rating.Feed(new UsageEvent(time, "chat", points, Id: "e1")).Kind.ShouldBe(RowOutcomeKind.Rated);
        // A snapshot carries what each id said.
        var restored = tariff.RestoreAccount("a", null, rating.Snapshot(), out var problem).ShouldNotBeNull(problem);
        restored.Feed(new UsageEvent(time, "chat", points, Id: "e1")).Detail.ShouldStartWith("duplicate id 'e1'");
        var conflict = restored.Feed(new UsageEvent(time, "chat", new Dictionary<string, string> { ["points"] = "50" }, Id: "e1"));
        conflict.Kind.ShouldBe(RowOutcomeKind.Rejected);
        conflict.Detail.ShouldStartWith("conflicting id 'e1': row 1 was rated");
    }

    [Fact]
    public void RateCli_StrictWithAConflict_Exits1AndStillWritesTheInvoices()
    {
        var (_, tariffPath, ledger) = EveryWay.Files(Source, Header, "2024-01-10T10:00:00+01:00,a,chat,e1,,5,,",
            "2024-01-10T10:00:00+01:00,a,chat,e1,,6,,", "2024-01-10T10:00:00+01:00,a,chat,e2,,1,,");

        CliHarness.Run("rate", tariffPath, ledger, "--to", "2024-01").Exit.ShouldBe(0);
        var strict = CliHarness.Run("rate", tariffPath, ledger, "--to", "2024-01", "--strict", "--format", "json");
        strict.Exit.ShouldBe(1, strict.ToString());
        strict.Err.ShouldContain("--strict: 2 row(s)");
        strict.Out.ShouldContain("\"invoices\"");
        CliHarness.Run("explain", tariffPath, ledger, "--to", "2024-01", "--strict").Exit.ShouldBe(1);
    }

    [Fact]
    public void RateCli_StrictWithOnlyADuplicate_Exits0()
    {
        var (_, tariffPath, ledger) = EveryWay.Files(Source, Header, "2024-01-10T10:00:00+01:00,a,chat,e1,,5,,",
            "2024-01-10T10:00:00+01:00,a,chat,e1,,5,,");

        CliHarness.Run("rate", tariffPath, ledger, "--to", "2024-01", "--strict").Exit.ShouldBe(0);
    }
}
