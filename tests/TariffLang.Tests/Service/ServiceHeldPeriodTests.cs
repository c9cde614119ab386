using TariffLang.Service;

namespace TariffLang.Tests.Service;

/// <summary>A month closed while its sessions may go on (charge by KEY whole within D) is billed when its grace has passed.</summary>
public sealed class ServiceHeldPeriodTests
{
    [Fact]
    public async Task Close_MonthWithSessionsThatGoOn_PreviewUntilTheNextCloseThenFinalWithTheLaterEvents()
    {
        var path = Path.Combine(TestTemp.NewDirectory("tarifflang-serve-held-"), "t.tariff");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(Compilation.CompilerTestSupport.RepoRoot, "docs", "examples",
            "sessions_across_periods.tariff")));
        var host = ServiceTariff.Load(path, null, TariffEngine.Interpreted, out var problem) ?? throw new InvalidOperationException(problem);
        await using var cluster = await ServiceCluster.StartAsync(host, silos: 1);
        await cluster.Service.IngestAsync("""
            [{"time":"2024-01-31T23:00:00+01:00","account":"a","event":"charging","session":"s1","energy":"2"}]
            """);

        await cluster.Service.CloseAsync("2024-01");
        var held = await cluster.Service.InvoicesAsync("a", "2024-01");
        held.Final.ShouldBeFalse();
        Total(held.InvoicesJson).ShouldBe("1.02");   // s1 so far: 2 kWh, the minimum 1.00, and its energy 0.02

        // The rest of s1 comes within the grace, after January's close: it is billed with January.
        await cluster.Service.IngestAsync("""
            [{"time":"2024-02-01T01:00:00+01:00","account":"a","event":"charging","session":"s1","energy":"2"},
             {"time":"2024-02-10T10:00:00+01:00","account":"a","event":"charging","session":"s2","energy":"1"}]
            """);
        await cluster.Service.CloseAsync("2024-02");
        var january = await cluster.Service.InvoicesAsync("a", "2024-01");
        january.Final.ShouldBeTrue();
        Total(january.InvoicesJson).ShouldBe("1.22");   // 4 kWh × 0.30 = 1.20, and January's own energy 0.02
        Total((await cluster.Service.InvoicesAsync("a", "2024-02")).InvoicesJson).ShouldBe("1.03");
    }

    [Fact]
    public async Task Close_LastMonthOfAVersionWithSessionsThatGoOn_BilledAtOnce()
    {
        // From February a new version rates: February's events cannot reach January's sessions, so closing January bills it.
        var dir = TestTemp.NewDirectory("tarifflang-serve-held-version-");
        var path = Path.Combine(dir, "t.tariff");
        var text = File.ReadAllText(Path.Combine(Compilation.CompilerTestSupport.RepoRoot, "docs", "examples", "sessions_across_periods.tariff"));
        File.WriteAllText(path, text);
        var newer = Path.Combine(dir, "t-2024-02.tariff");
        File.WriteAllText(newer, text.Replace("* 0.30 EUR per kWh", "* 0.40 EUR per kWh", StringComparison.Ordinal));
        var host = ServiceTariff.Load(path, null, TariffEngine.Interpreted, out var problem, [("2024-02", newer)])
                   ?? throw new InvalidOperationException(problem);
        await using var cluster = await ServiceCluster.StartAsync(host, silos: 1);
        await cluster.Service.IngestAsync("""
            [{"time":"2024-01-31T23:00:00+01:00","account":"a","event":"charging","session":"s1","energy":"2"},
             {"time":"2024-02-01T01:00:00+01:00","account":"a","event":"charging","session":"s1","energy":"5"}]
            """);

        await cluster.Service.CloseAsync("2024-01");

        var january = await cluster.Service.InvoicesAsync("a", "2024-01");
        january.Final.ShouldBeTrue();
        Total(january.InvoicesJson).ShouldBe("1.02");   // s1's January part under the old version: the minimum 1.00, energy 0.02
        Total((await cluster.Service.InvoicesAsync("a", "2024-02")).InvoicesJson).ShouldBe("2.05");   // 5 kWh × 0.40, energy 0.05
    }

    [Fact]
    public async Task Invoices_HeldMonthCannotBeBilled_ItIsListedRejectedAndTheEmptyNextMonthIsNotPreviewed()
    {
        var path = Path.Combine(TestTemp.NewDirectory("tarifflang-serve-held-rejected-"), "t.tariff");
        File.WriteAllText(path, """
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              event charging(session: text, energy: number)
              charge "Fee" = 5 EUR
              charge "Sessions" by session whole within 2d = sum(charging, energy) * 1 EUR
              let big = sum(charging where session = "big", energy)
              charge "Square" = big * big / 1000000 * 1 EUR
            }
            """);
        var host = ServiceTariff.Load(path, null, TariffEngine.Interpreted, out var problem) ?? throw new InvalidOperationException(problem);
        await using var cluster = await ServiceCluster.StartAsync(host, silos: 1);
        await cluster.Service.IngestAsync("""
            [{"time":"2024-01-31T20:00:00+01:00","account":"a","event":"charging","session":"big","energy":"100000000000000000"}]
            """);

        await cluster.Service.CloseAsync("2024-01");

        var all = await cluster.Service.InvoicesAsync("a", null);
        all.InvoicesJson.ShouldNotContain("\"from\": \"2024-02-01\"");
        all.RejectedPeriods.Select(r => r.Month).ShouldBe(["2024-01"]);
    }

    private static string Total(string invoicesJson)
    {
        using var document = System.Text.Json.JsonDocument.Parse(invoicesJson);
        return document.RootElement.EnumerateArray().Single().GetProperty("total").GetString()!;
    }
}
