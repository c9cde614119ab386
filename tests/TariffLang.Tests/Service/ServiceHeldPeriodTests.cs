using TariffLang.Service;

namespace TariffLang.Tests.Service;

/// <summary>A month closed while its sessions may go on (charge by KEY whole within D) is billed when its grace has passed.</summary>
public sealed class ServiceHeldPeriodTests
{
    [Fact]
    public async Task Close_MonthWithSessionsThatGoOn_PreviewUntilTheNextCloseThenFinalWithTheLaterEvents()
    {
        await using var cluster = await ServiceCluster.StartAsync(Host(Sessions), silos: 1);
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
        var host = Host(Sessions, ("2024-02", Sessions.Replace("* 0.30 EUR per kWh", "* 0.40 EUR per kWh", StringComparison.Ordinal)));
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
        var host = Host("""
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
        await using var cluster = await ServiceCluster.StartAsync(host, silos: 1);
        await cluster.Service.IngestAsync("""
            [{"time":"2024-01-31T20:00:00+01:00","account":"a","event":"charging","session":"big","energy":"100000000000000000"}]
            """);

        await cluster.Service.CloseAsync("2024-01");

        var all = await cluster.Service.InvoicesAsync("a", null);
        all.InvoicesJson.ShouldNotContain("\"from\": \"2024-02-01\"");
        all.RejectedPeriods.Select(r => r.Month).ShouldBe(["2024-01"]);
    }

    private static readonly string Sessions =
        File.ReadAllText(Path.Combine(Compilation.CompilerTestSupport.RepoRoot, "docs", "examples", "sessions_across_periods.tariff"));

    /// <summary>A service host for a tariff's text, and later versions of it from their months.</summary>
    private static ServiceTariff Host(string text, params (string Month, string Text)[] versions)
    {
        var dir = TestTemp.NewDirectory("tarifflang-serve-held-");
        var path = Path.Combine(dir, "t.tariff");
        File.WriteAllText(path, text);
        var later = versions.Select(v =>
        {
            var file = Path.Combine(dir, $"t-{v.Month}.tariff");
            File.WriteAllText(file, v.Text);
            return (v.Month, file);
        }).ToList();
        return ServiceTariff.Load(path, null, TariffEngine.Interpreted, out var problem, later)
            ?? throw new InvalidOperationException(problem);
    }

    private static string Total(string invoicesJson)
    {
        using var document = System.Text.Json.JsonDocument.Parse(invoicesJson);
        return document.RootElement.EnumerateArray().Single().GetProperty("total").GetString()!;
    }
}
