using TariffLang.Bench;
using TariffLang.Service;
using TariffLang.Service.Grains;

namespace TariffLang.Tests.Service;

/// <summary>
/// An account's open events live in a log of chunks of 1 000, each written alone: a request writes its own events and
/// a small account record, which is the commit point. What the record did not commit never counts.
/// </summary>
public sealed class ServiceEventLogTests
{
    private static (string Tariff, string Ledger) BusyLedger()
    {
        // Two stores, 2 500 events each over two months: three chunks per account, a close in the middle.
        var dir = TestTemp.NewDirectory("tarifflang-event-log-");
        LedgerGenerator.Generate(new GenerateOptions("calendoc", Rows: 5000, Accounts: 2, Seed: 3, Shuffled: false, OutDir: dir,
            RowsPerMonth: 2500));
        // With an id per row (the generator writes none), so that re-sends can be recognised.
        var lines = File.ReadAllLines(Path.Combine(dir, "ledger.csv"));
        var ledger = Path.Combine(dir, "ledger-ids.csv");
        File.WriteAllLines(ledger, [lines[0] + ",id",
                .. lines.Skip(1).Select((l, i) => l + ",r" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture))]);
        return (Path.Combine(Compilation.CompilerTestSupport.RepoRoot, "tariffs", "calendoc.tariff"), ledger);
    }

    [PostgresFact]
    public async Task Restart_AccountsOfSeveralChunksClosedHalfWay_InvoicesEqualTheBatchAndReSendsAreRecognised()
    {
        var (tariff, ledgerPath) = BusyLedger();
        var ledger = Tariff.ReadLedger(ledgerPath);
        var table = "t_" + Guid.NewGuid().ToString("N")[..16];
        var requests = ServiceCluster.ShuffledRequests(ledger, 4);
        await using (var first = await ServiceCluster.StartAsync(tariff, null, 1, PostgresFactAttribute.ConnectionString, table))
        {
            foreach (var body in requests) await first.Service.IngestAsync(body);
            (await first.Service.CloseAsync("2024-01")).ShouldBe(2);
        }

        await using var second = await ServiceCluster.StartAsync(tariff, null, 1, PostgresFactAttribute.ConnectionString, table);
        await second.ShouldMatchBatch(ledgerPath);
        var again = await second.Service.IngestAsync(requests[0]);
        // February's events are recognised by their ids; January's month is closed.
        again.ShouldAllBe(a => a.Repeated || (a.Outcome == "rejected" && a.Reason!.Contains("2024-01 is closed")));
        again.Count(a => a.Repeated).ShouldBeGreaterThan(0);
        await second.ShouldMatchBatch(ledgerPath);
    }

    [Fact]
    public async Task Activation_LogEventsTheAccountRecordNeverCommitted_AreNotCounted()
    {
        var (tariff, ledgerPath) = BusyLedger();
        var ledger = Tariff.ReadLedger(ledgerPath);
        await using var cluster = await ServiceCluster.StartAsync(tariff, null, silos: 1);
        foreach (var body in ServiceCluster.ShuffledRequests(ledger, 3)) await cluster.Service.IngestAsync(body);
        var account = ledger.Rows[0].Account;
        var before = (await cluster.Service.InvoicesAsync(account, null)).InvoicesJson;

        // A request that wrote its events to the log and died before the account record: arrival numbers past the last
        // one committed, in the last chunk and in a chunk the record does not count yet.
        var stray = new StoredEvent
        {
            Seq = 1_000_000, Month = "2024-02", Content = "x",
            Message = new EventMessage { Time = new DateTimeOffset(2024, 2, 10, 10, 0, 0, TimeSpan.Zero), Event = "sms", Id = "stray" },
        };
        await cluster.Cluster.Client.GetGrain<IEventChunkGrain>("2|" + account).Append(int.MaxValue, [stray]);
        await cluster.Cluster.Client.GetGrain<IEventChunkGrain>("9|" + account).Append(int.MaxValue, [stray]);
        await cluster.Cluster.DeactivateAsync(cluster.Cluster.Client.GetGrain<IAccountGrain>(account));

        (await cluster.Service.InvoicesAsync(account, null)).InvoicesJson.ShouldBe(before);
        // The stray id was never answered: sent for real now, it is rated, not taken for a re-send.
        var answer = (await cluster.Service.IngestAsync(
            $$"""[{"time":"2024-02-10T10:00:00Z","account":"{{account}}","event":"sms","id":"stray","length":"20"}]"""))
                .ShouldHaveSingleItem();
        answer.Repeated.ShouldBeFalse();
        answer.Outcome.ShouldBe("rated");
    }
}
