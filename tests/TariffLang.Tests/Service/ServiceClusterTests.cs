using TariffLang.Tests.Compilation;
using TariffLang.Service;

namespace TariffLang.Tests.Service;

/// <summary>
/// The rating service on a 3-silo cluster against the batch path: every bundled example ledger is sent in concurrent
/// batches, each account's events shuffled, and every account's invoices must be byte for byte those of the batch
/// rating of the same ledger.
/// </summary>
public sealed class ServiceClusterTests
{
    public static TheoryData<string> Examples => new() { "calendoc", "analys", "aircall", "wazo", "web1on1" };

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Ingest_ShuffledConcurrentBatchesOnThreeSilos_InvoicesEqualTheBatchRating(string vendor)
    {
        var root = CompilerTestSupport.RepoRoot;
        var tariffPath = Path.Combine(root, "tariffs", vendor + ".tariff");
        var ledgerPath = Path.Combine(root, "examples", vendor, "ledger.csv");
        var accountsPath = Path.Combine(root, "examples", vendor, "accounts.csv");
        if (!File.Exists(accountsPath)) accountsPath = null;

        await using var cluster = await ServiceCluster.StartAsync(tariffPath, accountsPath, silos: 3);
        var batch = cluster.Host.Tariff.RateFile(ledgerPath, cluster.Host.Accounts, new RatingOptions { Threads = 1 });
        var ledger = Tariff.ReadLedger(ledgerPath);

        // Each account's rows in a seeded random order, dealt round-robin into six requests sent at once.
        var random = new Random(7);
        var shuffled = ledger.Rows.GroupBy(r => r.Account).SelectMany(g => g.OrderBy(_ => random.Next())).ToList();
        var requests = Enumerable.Range(0, 6).Select(k => shuffled.Where((_, i) => i % 6 == k).ToList()).ToList();
        var answers = await Task.WhenAll(requests.Select(rows => cluster.Service.IngestAsync(ServiceCluster.Body(rows))));
        answers.SelectMany(a => a).Count().ShouldBe(ledger.Rows.Length);
        answers.SelectMany(a => a).ShouldAllBe(a => a.Status == 200);

        var accounts = batch.Invoices.Select(i => i.Account).Concat(ledger.Rows.Select(r => r.Account)).Distinct().Order(StringComparer.Ordinal);
        foreach (var account in accounts)
        {
            var expected = InvoiceDocuments.Compose(batch.Invoices.Where(i => i.Account == account).Select(InvoiceDocuments.Write));
            var actual = await cluster.Service.InvoicesAsync(account, null);
            actual.InvoicesJson.ShouldBe(expected, $"account {account}");
        }
    }
}
