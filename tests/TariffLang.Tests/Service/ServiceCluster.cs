using System.Text.Json;
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

    public static async Task<ServiceCluster> StartAsync(string tariffPath, string? accountsPath, short silos)
    {
        var host = ServiceTariff.Load(tariffPath, accountsPath, TariffEngine.Interpreted, out var problem)
                   ?? throw new InvalidOperationException(problem);
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) => ServiceSetup.ConfigureSilo(silo, host));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new ServiceCluster(cluster, host);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>Ledger rows as a request body: a JSON array of flat objects with the ledger's fields.</summary>
    public static string Body(IEnumerable<LedgerRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                json.WriteStartObject();
                json.WriteString("time", row.Time.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteString("account", row.Account);
                json.WriteString("event", row.Event);
                if (row.Id is { } id) json.WriteString("id", id);
                json.WriteNumber("quantity", row.Quantity);
                foreach (var (name, value) in row.Attributes) json.WriteString(name, value);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
