using Orleans.TestingHost;
using TariffLang.Ledgers;
using TariffLang.Service;

namespace TariffLang.Tests.Service;

/// <summary>An in-process Orleans cluster of the rating service's silos, rating one tariff, and a client's view of it.</summary>
internal sealed class ServiceCluster : IAsyncDisposable
{
    private ServiceCluster(InProcessTestCluster cluster, ServiceTariff host)
    {
        Cluster = cluster;
        Host = host;
        Service = new RatingService(cluster.Client, host);
    }

    public InProcessTestCluster Cluster { get; }

    public ServiceTariff Host { get; }

    public RatingService Service { get; }

    /// <summary>
    /// A cluster of <paramref name="silos"/> silos; with <paramref name="postgres"/>, state in that database's <paramref name="table"/>.
    /// </summary>
    public static async Task<ServiceCluster> StartAsync(string tariffPath, string? accountsPath, short silos, string? postgres = null,
        string table = ServiceSetup.DefaultTable)
    {
        var host = ServiceTariff.Load(tariffPath, accountsPath, TariffEngine.Interpreted, out var problem)
                   ?? throw new InvalidOperationException(problem);
        return await StartAsync(host, silos, postgres, table);
    }

    /// <summary>A cluster of <paramref name="silos"/> silos rating with <paramref name="host"/>.</summary>
    public static async Task<ServiceCluster> StartAsync(ServiceTariff host, short silos, string? postgres = null,
        string table = ServiceSetup.DefaultTable)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) => ServiceSetup.ConfigureSilo(silo, host, postgres, table));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new ServiceCluster(cluster, host);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>A bundled example: its tariff, ledger and accounts file (null when it has none).</summary>
    public static (string Tariff, string Ledger, string? Accounts) Example(string vendor)
    {
        var root = Compilation.CompilerTestSupport.RepoRoot;
        var accounts = Path.Combine(root, "examples", vendor, "accounts.csv");
        return (Path.Combine(root, "tariffs", vendor + ".tariff"), Path.Combine(root, "examples", vendor, "ledger.csv"),
            File.Exists(accounts) ? accounts : null);
    }

    /// <summary>Each account's rows of a ledger in a seeded random order, dealt round-robin into <paramref name="count"/>
    /// requests.</summary>
    public static List<string> ShuffledRequests(Ledger ledger, int count, int seed = 7)
    {
        var random = new Random(seed);
        var shuffled = ledger.Rows.GroupBy(r => r.Account).SelectMany(g => g.OrderBy(_ => random.Next())).ToList();
        return Enumerable.Range(0, count).Select(k => RatingService.Body(shuffled.Where((_, i) => i % count == k))).ToList();
    }

    /// <summary>Every account's invoices from the service against the batch rating of the same ledger, byte for byte.</summary>
    public async Task ShouldMatchBatch(string ledgerPath)
    {
        var batch = Host.Tariff.RateFile(ledgerPath, Host.Accounts, new RatingOptions { Threads = 1 });
        var ledger = Tariff.ReadLedger(ledgerPath);
        var accounts = batch.Invoices.Select(i => i.Account).Concat(ledger.Rows.Select(r => r.Account)).Distinct()
            .Order(StringComparer.Ordinal);
        foreach (var account in accounts)
        {
            var expected = InvoiceDocuments.Compose(batch.Invoices.Where(i => i.Account == account).Select(InvoiceDocuments.Write));
            (await Service.InvoicesAsync(account, null)).InvoicesJson.ShouldBe(expected, $"account {account}");
        }
    }
}
