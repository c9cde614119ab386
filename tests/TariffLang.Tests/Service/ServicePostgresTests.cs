using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using TariffLang.Service;

namespace TariffLang.Tests.Service;

/// <summary>
/// A test that needs a PostgreSQL server: <c>TARIFF_TEST_POSTGRES</c> holds its connection string (<c>.ci/run</c> installs
/// and starts one and sets it; <c>.ci/postgres.sh</c> does that alone). Without it the test is skipped, saying why.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (ConnectionString is null) Skip = "TARIFF_TEST_POSTGRES is not set: run .ci/postgres.sh and export its last line";
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable("TARIFF_TEST_POSTGRES") is { Length: > 0 } s ? s : null;
}

/// <summary>The service with its grain state in PostgreSQL: what a restart or a lost silo must not lose or count twice.</summary>
public sealed class ServicePostgresTests
{
    private static string NewTable() => "t_" + Guid.NewGuid().ToString("N")[..16];

    [PostgresFact]
    public async Task Restart_WholeClusterStoppedAndStartedOnTheSameDatabase_InvoicesAndIdsSurvive()
    {
        var (tariff, ledgerPath, accounts) = ServiceCluster.Example("calendoc");
        var table = NewTable();
        var ledger = Tariff.ReadLedger(ledgerPath);
        var requests = ServiceCluster.ShuffledRequests(ledger, 3);
        IReadOnlyList<IngestAnswer> firstAnswers;
        await using (var first = await ServiceCluster.StartAsync(tariff, accounts, 1, PostgresFactAttribute.ConnectionString, table))
        {
            firstAnswers = await first.Service.IngestAsync(requests[0]);
            foreach (var body in requests.Skip(1)) await first.Service.IngestAsync(body);
        }

        await using var second = await ServiceCluster.StartAsync(tariff, accounts, 1, PostgresFactAttribute.ConnectionString, table);
        await second.ShouldMatchBatch(ledgerPath);
        // Every event sent again gets its first answer: recognised by its id and counted once, or (not an event of the
        // tariff, so claiming no id) rejected again.
        var again = await second.Service.IngestAsync(requests[0]);
        again.Select(a => (a.Outcome, a.Reason)).ShouldBe(firstAnswers.Select(a => (a.Outcome, a.Reason)));
        again.Count(a => a.Repeated).ShouldBeGreaterThan(again.Count / 2);
        again.Where(a => !a.Repeated).ShouldAllBe(a => a.Outcome == "rejected");
        await second.ShouldMatchBatch(ledgerPath);
    }

    [PostgresFact]
    public async Task KillSilo_MidIngestion_UnacknowledgedRequestsRetriedOnTheSurvivors_NothingLostNothingCountedTwice()
    {
        var (tariff, ledgerPath, accounts) = ServiceCluster.Example("web1on1");
        var ledger = Tariff.ReadLedger(ledgerPath);
        var requests = ServiceCluster.ShuffledRequests(ledger, 6);
        await using var cluster = await ServiceCluster.StartAsync(tariff, accounts, 3, PostgresFactAttribute.ConnectionString, NewTable());

        foreach (var body in requests.Take(3)) await cluster.Service.IngestAsync(body);
        // The fourth request is in flight while a silo dies: its answer may never come, so the client sends it again.
        var inFlight = cluster.Service.IngestAsync(requests[3]);
        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos[1]);
        try
        {
            await inFlight;
        }
        catch (Exception e) when (e is not ShouldAssertException)
        {
            // Unacknowledged: retried below.
        }
        foreach (var body in requests.Skip(3)) await Retry(() => cluster.Service.IngestAsync(body));

        await cluster.ShouldMatchBatch(ledgerPath);
    }

    private static async Task Retry(Func<Task> send)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await send();
                return;
            }
            catch (Exception) when (attempt < 10)
            {
                // A grain of the dead silo answers once the cluster has declared it dead and placed the grain again.
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }
    }

    [PostgresFact]
    public async Task TwoServeHosts_OneDatabase_FormOneClusterWhereAnAccountIsRatedOnce()
    {
        var (tariff, ledgerPath, accounts) = ServiceCluster.Example("aircall");
        var host = ServiceTariff.Load(tariff, accounts, TariffEngine.Interpreted, out var problem)
            ?? throw new InvalidOperationException(problem);
        var cluster = "c" + Guid.NewGuid().ToString("N")[..12];
        var table = NewTable();
        ServiceOptions Options() =>
            new("http://127.0.0.1:0", SiloPort: ServiceSetup.FreeLoopbackPort(), GatewayPort: ServiceSetup.FreeLoopbackPort(),
            Postgres: PostgresFactAttribute.ConnectionString, ClusterId: cluster, Table: table);
        await using var first = ServiceSetup.Build(host, Options());
        await first.StartAsync();
        await using var second = ServiceSetup.Build(host, Options());
        await second.StartAsync();

        // Both silos see each other through the membership table.
        var management = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        for (var i = 0; i < 60 && (await management.GetHosts(onlyActive: true)).Count < 2; i++) await Task.Delay(500);
        (await management.GetHosts(onlyActive: true)).Count.ShouldBe(2);

        // The ledger, half through each host, then all of it again through the other: each event counted once.
        var ledger = Tariff.ReadLedger(ledgerPath);
        var requests = ServiceCluster.ShuffledRequests(ledger, 2);
        using var toFirst = new HttpClient { BaseAddress = new Uri(ServiceSetup.Address(first)) };
        using var toSecond = new HttpClient { BaseAddress = new Uri(ServiceSetup.Address(second)) };
        static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
        await Task.WhenAll(toFirst.PostAsync("/events", Json(requests[0])), toSecond.PostAsync("/events", Json(requests[1])));
        await Task.WhenAll(toSecond.PostAsync("/events", Json(requests[0])), toFirst.PostAsync("/events", Json(requests[1])));

        var viaFirst = new RatingService(first.Services.GetRequiredService<IGrainFactory>(), host);
        var viaSecond = new RatingService(second.Services.GetRequiredService<IGrainFactory>(), host);
        var batch = host.Tariff.RateFile(ledgerPath, host.Accounts, new RatingOptions { Threads = 1 });
        foreach (var account in ledger.Rows.Select(r => r.Account).Distinct())
        {
            var expected = InvoiceDocuments.Compose(batch.Invoices.Where(i => i.Account == account).Select(InvoiceDocuments.Write));
            (await viaFirst.InvoicesAsync(account, null)).InvoicesJson.ShouldBe(expected, $"account {account} via the first host");
            (await viaSecond.InvoicesAsync(account, null)).InvoicesJson.ShouldBe(expected, $"account {account} via the second host");
        }
    }
}
