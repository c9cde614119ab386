using System.Text;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Tests.Compilation;

namespace TariffLang.Tests.Rating;

/// <summary>The per-account rating API: events in, outcomes out at once, invoices as periods close, state saved and restored.</summary>
public sealed class AccountRatingTests
{
    public static TheoryData<string> Vendors() => ExampleLedgerTests.Vendors();

    private static (CompiledTariff Tariff, Ledger Ledger, AccountTable Accounts) Example(string vendor, TariffEngine engine)
    {
        var folder = Path.Combine(CompilerTestSupport.RepoRoot, "examples", vendor);
        var accountsPath = Path.Combine(folder, "accounts.csv");
        return (Tariff.Load(Path.Combine(CompilerTestSupport.TariffsDir, vendor + ".tariff"), engine),
            Tariff.ReadLedger(Path.Combine(folder, "ledger.csv")),
            File.Exists(accountsPath) ? Tariff.ReadAccounts(accountsPath).Accounts : AccountTable.Empty);
    }

    /// <summary>Rates one account's rows, restoring from a snapshot every <paramref name="every"/> events (0: never).</summary>
    private static string RateAccount(CompiledTariff tariff, string account, IReadOnlyDictionary<string, string> contract,
        List<LedgerRow> rows,
        DateOnly last, int every)
    {
        var rating = tariff.RateAccount(account, contract).ShouldNotBeNull();
        var outcomes = new StringBuilder();
        var invoices = new List<Invoice>();
        for (var n = 0; n < rows.Count; n++)
        {
            var row = rows[n];
            var o = rating.Feed(new UsageEvent(row.Time, row.Event, row.Attributes, row.Quantity, row.Id, row.Row));
            outcomes.Append($"{o.Row} {o.Account} {o.Event} {o.Kind} {o.Detail}\n");
            if (every > 0 && (n + 1) % every == 0)
            {
                var snapshot = rating.Snapshot();
                invoices.AddRange(rating.TakeInvoices());
                rating = tariff.RestoreAccount(account, contract, snapshot, out var problem).ShouldNotBeNull(problem);
            }
        }
        rating.Finish(last);
        invoices.AddRange(rating.TakeInvoices());
        return outcomes + new RatingResult([.. invoices], []).ToJson() + rating.Failure;
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void AccountRating_RestoredFromASnapshotAfterAnyEvent_GoesOnExactlyAsWithout(string vendor)
    {
        foreach (var engine in new[] { TariffEngine.Interpreted, TariffEngine.Compiled })
        {
            var (tariff, ledger, accounts) = Example(vendor, engine);
            var last = ledger.Rows.Max(r => DateOnly.FromDateTime(r.Time.DateTime));
            foreach (var group in ledger.Rows.GroupBy(r => r.Account))
            {
                var rows = group.OrderBy(r => r.Time).ThenBy(r => r.Row).ToList();
                var contract = accounts.For(group.Key);
                var straight = RateAccount(tariff, group.Key, contract, rows, last, every: 0);
                foreach (var every in new[] { 1, 3 })
                    RateAccount(tariff, group.Key, contract, rows, last, every)
                        .ShouldBe(straight, $"{vendor} {engine} {group.Key}, restored every {every}");
            }
        }
    }

    [Fact]
    public void AccountRating_SameAccountRatedInOneGo_GivesTheBatchInvoices()
    {
        var (tariff, ledger, accounts) = Example("web1on1", TariffEngine.Compiled);
        var batch = tariff.Rate(ledger, accounts);
        var last = ledger.Rows.Max(r => DateOnly.FromDateTime(r.Time.DateTime));
        // The batch counts the first copy of a repeated id in file order, a service the first to arrive; and an account that
        // cannot be rated has all its rows rejected by the batch, while a service has already answered for the first ones.
        // The accounts compared here have no repeated id and can be rated.
        var failed = batch.Outcomes.Where(o => o.Detail.StartsWith($"account '{o.Account}'", StringComparison.Ordinal))
            .Select(o => o.Account).ToHashSet();
        var compared = ledger.Rows.GroupBy(r => r.Account)
            .Where(g => !failed.Contains(g.Key) && g.Where(r => r.Id is not null).GroupBy(r => r.Id).All(i => i.Count() == 1)).ToList();
        compared.Count.ShouldBeGreaterThan(1);
        foreach (var group in compared)
        {
            var rating = tariff.RateAccount(group.Key, accounts.For(group.Key)).ShouldNotBeNull();
            foreach (var row in group.OrderBy(r => r.Time).ThenBy(r => r.Row))
            {
                var outcome = rating.Feed(new UsageEvent(row.Time, row.Event, row.Attributes, row.Quantity, row.Id, row.Row));
                outcome.Kind.ShouldBe(batch.Outcomes.Single(o => o.Row == row.Row).Kind, $"row {row.Row}");
            }
            rating.Finish(last);
            // Invoices hold arrays (compared by reference): compare what they say.
            new RatingResult(rating.TakeInvoices(), []).ToJson()
                .ShouldBe(new RatingResult([.. batch.Invoices.Where(i => i.Account == group.Key)], []).ToJson());
        }
    }

    [Fact]
    public void AccountRating_EventEarlierThanTheLastOne_IsRejectedAndChangesNothing()
    {
        var tariff = Tariff.Load(Path.Combine(CompilerTestSupport.TariffsDir, "calendoc.tariff"));
        var rating = tariff.RateAccount("store").ShouldNotBeNull();
        var sms = new Dictionary<string, string> { ["length"] = "10" };
        rating.Feed(new UsageEvent(new DateTimeOffset(2024, 3, 2, 9, 0, 0, TimeSpan.FromHours(1)), "sms", sms))
            .Kind.ShouldBe(RowOutcomeKind.Rated);

        var late = rating.Feed(new UsageEvent(new DateTimeOffset(2024, 3, 1, 9, 0, 0, TimeSpan.FromHours(1)), "sms", sms));

        late.Kind.ShouldBe(RowOutcomeKind.Rejected);
        late.Detail.ShouldContain("time order");
        rating.Finish();
        rating.TakeInvoices().ShouldHaveSingleItem().Lines.ShouldHaveSingleItem().Quantity.ShouldBe(1m);
    }

    [Fact]
    public void AccountRating_RepeatedId_IsCountedOnceEvenAfterARestore()
    {
        var tariff = Tariff.Load(Path.Combine(CompilerTestSupport.TariffsDir, "calendoc.tariff"));
        var rating = tariff.RateAccount("store").ShouldNotBeNull();
        var time = new DateTimeOffset(2024, 3, 2, 9, 0, 0, TimeSpan.FromHours(1));
        var sms = new UsageEvent(time, "sms", new Dictionary<string, string> { ["length"] = "10" }, Id: "m-1");
        rating.Feed(sms).Kind.ShouldBe(RowOutcomeKind.Rated);
        var restored = tariff.RestoreAccount("store", null, rating.Snapshot(), out _).ShouldNotBeNull();

        var again = restored.Feed(sms);

        again.Kind.ShouldBe(RowOutcomeKind.Rejected);
        again.Detail.ShouldBe("duplicate id 'm-1' (already counted at row 1)");
    }

    [Fact]
    public void AccountRating_SnapshotOfAnotherTariffOrAccount_IsRefused()
    {
        var calendoc = Tariff.Load(Path.Combine(CompilerTestSupport.TariffsDir, "calendoc.tariff"));
        var web1on1 = Tariff.Load(Path.Combine(CompilerTestSupport.TariffsDir, "web1on1.tariff"));
        var rating = calendoc.RateAccount("store").ShouldNotBeNull();
        rating.Feed(new UsageEvent(new DateTimeOffset(2024, 3, 2, 9, 0, 0, TimeSpan.FromHours(1)), "email"));
        var snapshot = rating.Snapshot();

        web1on1.RestoreAccount("store", null, snapshot, out var otherTariff).ShouldBeNull();
        otherTariff.ShouldNotBeNull().ShouldContain("another tariff");
        calendoc.RestoreAccount("shop", null, snapshot, out var otherAccount).ShouldBeNull();
        otherAccount.ShouldNotBeNull().ShouldContain("another account");
        calendoc.RestoreAccount("store", null, [1, 2, 3], out var garbage).ShouldBeNull();
        garbage.ShouldNotBeNull();
    }
}
