
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
        var (tariff, ledgerPath, accounts) = ServiceCluster.Example(vendor);
        await using var cluster = await ServiceCluster.StartAsync(tariff, accounts, silos: 3);
        var ledger = Tariff.ReadLedger(ledgerPath);

        var answers = await Task.WhenAll(ServiceCluster.ShuffledRequests(ledger, 6).Select(body => cluster.Service.IngestAsync(body)));

        answers.SelectMany(a => a).Count().ShouldBe(ledger.Rows.Length);
        answers.SelectMany(a => a).ShouldAllBe(a => a.Status == 200);
        await cluster.ShouldMatchBatch(ledgerPath);
    }
}
