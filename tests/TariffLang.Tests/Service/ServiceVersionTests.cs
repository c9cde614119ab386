using TariffLang.Service;

namespace TariffLang.Tests.Service;

/// <summary>A tariff change deployed by content hash: the new version rates from its month on, the old one the months before.</summary>
public sealed class ServiceVersionTests
{
    [Fact]
    public async Task Ingest_NewVersionFromFebruary_JanuaryRatedByTheOldTariffFebruaryByTheNew()
    {
        var (tariff, ledgerPath, _) = ServiceCluster.Example("calendoc");
        var dir = TestTemp.NewDirectory("tarifflang-versions-");
        // The new version: the appointment price goes from 0.106 to 0.120 EUR.
        var newer = Path.Combine(dir, "calendoc-2024-02.tariff");
        var text = File.ReadAllText(tariff);
        text.ShouldContain("at 0.106 EUR per appointment");
        File.WriteAllText(newer, text.Replace("at 0.106 EUR per appointment", "at 0.120 EUR per appointment", StringComparison.Ordinal));

        var host = ServiceTariff.Load(tariff, null, TariffEngine.Interpreted, out var problem, [("2024-02", newer)])
                   ?? throw new InvalidOperationException(problem);
        host.Versions.Select(v => v.From).ShouldBe([null, "2024-02"]);
        host.Versions[0].Hash.ShouldNotBe(host.Versions[1].Hash);

        // What each version should bill: the batch rating of its own months' rows with its own tariff.
        var ledger = Tariff.ReadLedger(ledgerPath);
        var lines = File.ReadAllLines(ledgerPath);
        string Part(Func<string, bool> months, string name)
        {
            var rows = ledger.Rows
                .Where(r => months(host.Tariff.LocalDate(r.Time).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture)))
                .Select(r => r.Row).ToHashSet();
            var path = Path.Combine(dir, name);
            File.WriteAllLines(path, [lines[0], .. lines.Where((_, i) => rows.Contains(i + 1))]);
            return path;
        }
        var before = host.Versions[0].Tariff.RateFile(Part(m => string.CompareOrdinal(m, "2024-02") < 0, "before.csv"), host.Accounts);
        var after = host.Versions[1].Tariff.RateFile(Part(m => string.CompareOrdinal(m, "2024-02") >= 0, "after.csv"), host.Accounts);

        await using var cluster = await ServiceCluster.StartAsync(host, silos: 2);
        await Task.WhenAll(ServiceCluster.ShuffledRequests(ledger, 3).Select(body => cluster.Service.IngestAsync(body)));

        var february = 0;
        foreach (var account in ledger.Rows.Select(r => r.Account).Distinct(StringComparer.Ordinal))
        {
            var expected = before.Invoices.Concat(after.Invoices).Where(i => i.Account == account).OrderBy(i => i.Period.From).ToList();
            february += expected.Count(i => i.Period.From.Month == 2);
            (await cluster.Service.InvoicesAsync(account, null)).InvoicesJson
                .ShouldBe(InvoiceDocuments.Compose(expected.Select(InvoiceDocuments.Write)), $"account {account}");
        }
        february.ShouldBeGreaterThan(0);
        after.Invoices.SelectMany(i => i.Lines).ShouldContain(l => l.UnitPrice == 0.120m);
    }
}
