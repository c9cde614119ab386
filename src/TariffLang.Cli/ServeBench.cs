using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Service;

namespace TariffLang.Cli;

/// <summary>
/// <c>tariff bench --serve 1,3</c>: the rating service under load, on this machine only. For each silo count in turn
/// (the order turning from round to round), that many <c>serve</c> hosts start in this process (one cluster, state in
/// memory); the ledger's rows, in file order, are cut into requests of <c>--batch</c> events and sent over loopback
/// HTTP by four senders at once, each request to the next host. It reports events accepted per second and the p50 and
/// p99 latency of a request, then checks every account's invoices against the batch rating of the same ledger.
/// </summary>
internal static class ServeBench
{
    private const int Senders = 4;

    public static int Run(ServiceTariff host, string ledgerPath, IReadOnlyList<int> silos, int iterations, int batch, TextWriter stdout,
        TextWriter stderr)
    {
        var ledger = Tariff.ReadLedger(ledgerPath);
        var bodies = ledger.Rows.Chunk(batch).Select(RatingService.Body).ToList();
        var expected = host.Tariff.RateFile(ledgerPath, host.Accounts, new RatingOptions());
        stdout.WriteLine(FormattableString.Invariant(
            $"service: {ledger.Rows.Length} events in {bodies.Count} requests of up to {batch}, {Senders} senders, ")
            + $"silos: {string.Join(", ", silos)}");
        var rates = silos.Select(_ => new List<double>()).ToList();
        var p50 = silos.Select(_ => new List<double>()).ToList();
        var p99 = silos.Select(_ => new List<double>()).ToList();
        for (var i = 0; i < iterations; i++)
        {
            for (var k = 0; k < silos.Count; k++)
            {
                var c = (i + k) % silos.Count;
                var (elapsed, latencies, problem) = Round(host, silos[c], bodies, ledger, expected).GetAwaiter().GetResult();
                if (problem is not null)
                {
                    stderr.WriteLine($"tariff: bench --serve with {silos[c]} silo(s): {problem}");
                    return CliApp.UserError;
                }
                latencies.Sort();
                rates[c].Add(ledger.Rows.Length / elapsed.TotalSeconds);
                p50[c].Add(latencies[latencies.Count / 2]);
                p99[c].Add(latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(latencies.Count * 0.99) - 1)]);
            }
        }
        for (var c = 0; c < silos.Count; c++)
        {
            stdout.WriteLine(FormattableString.Invariant(
                $"{silos[c]} silo(s): median {CliApp.Median(rates[c]):F0} events/s accepted, request latency p50 {CliApp.Median(p50[c]):F1} ms, ")
                + FormattableString.Invariant(
                    $"p99 {CliApp.Median(p99[c]):F1} ms over {rates[c].Count} runs; invoices equal the batch rating"));
        }
        return CliApp.Ok;
    }

    private static async Task<(TimeSpan Elapsed, List<double> Latencies, string? Problem)> Round(ServiceTariff host, int silos,
        List<string> bodies, Ledger ledger, RatingResult expected)
    {
        var apps = new List<WebApplication>();
        try
        {
            int? primary = null;
            for (var s = 0; s < silos; s++)
            {
                var siloPort = ServiceSetup.FreeLoopbackPort();
                var app = ServiceSetup.Build(host,
                    new ServiceOptions("http://127.0.0.1:0", SiloPort: siloPort, GatewayPort: ServiceSetup.FreeLoopbackPort(),
                    PrimarySiloPort: primary));
                await app.StartAsync();
                primary ??= siloPort;
                apps.Add(app);
            }
            var management = apps[0].Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
            for (var wait = 0; wait < 120 && (await management.GetHosts(onlyActive: true)).Count < silos; wait++) await Task.Delay(250);

            var clients = apps.Select(a => new HttpClient { BaseAddress = new Uri(ServiceSetup.Address(a)) }).ToList();
            var latencies = new List<double>();
            var answered = 0;
            var next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Senders).Select(async _ =>
            {
                for (var n = Interlocked.Increment(ref next); n < bodies.Count; n = Interlocked.Increment(ref next))
                {
                    var sent = Stopwatch.StartNew();
                    using var content = new StringContent(bodies[n], Encoding.UTF8, "application/json");
                    using var response = await clients[n % clients.Count].PostAsync("/events", content);
                    var text = await response.Content.ReadAsStringAsync();
                    var took = sent.Elapsed.TotalMilliseconds;
                    using var json = JsonDocument.Parse(text);
                    var count = json.RootElement.TryGetProperty("events", out var events) ? events.GetArrayLength() : 0;
                    lock (latencies)
                    {
                        latencies.Add(took);
                        answered += count;
                    }
                }
            }));
            var elapsed = clock.Elapsed;
            foreach (var client in clients) client.Dispose();
            if (answered != ledger.Rows.Length) return (elapsed, latencies, $"{answered} events answered of {ledger.Rows.Length}");

            var service = new RatingService(apps[0].Services.GetRequiredService<IGrainFactory>(), host);
            foreach (var account in ledger.Rows.Select(r => r.Account).Distinct(StringComparer.Ordinal))
            {
                var want = InvoiceDocuments.Compose(expected.Invoices.Where(i => i.Account == account).Select(InvoiceDocuments.Write));
                if ((await service.InvoicesAsync(account, null)).InvoicesJson != want)
                    return (elapsed, latencies, $"account {account}: the service's invoices differ from the batch rating's");
            }
            return (elapsed, latencies, null);
        }
        finally
        {
            // The first silo last: the others leave a cluster that still has its primary.
            foreach (var app in Enumerable.Reverse(apps))
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }
}
