using TariffLang.Service;

namespace TariffLang.Tests.Service;

/// <summary>A period the service cannot bill is said so, with why, beside the invoices of the account's other periods.</summary>
public sealed class ServiceRejectedPeriodTests
{
    [Fact]
    public async Task Invoices_OnePeriodOverflows_ThatPeriodIsListedWithItsReasonBeforeAndAfterItsClose()
    {
        var dir = TestTemp.NewDirectory("tarifflang-serve-overflow-");
        var path = Path.Combine(dir, "t.tariff");
        File.WriteAllText(path, Rating.PeriodFailureTests.Source);
        var host = ServiceTariff.Load(path, null, TariffEngine.Interpreted, out var problem)
            ?? throw new InvalidOperationException(problem);
        await using var cluster = await ServiceCluster.StartAsync(host, silos: 1);
        await cluster.Service.IngestAsync("""
            [{"time":"2024-01-10T10:00:00+01:00","account":"a","event":"use","amount":"100"},
             {"time":"2024-02-10T10:00:00+01:00","account":"a","event":"use","amount":"100000000000000000"},
             {"time":"2024-03-10T10:00:00+01:00","account":"a","event":"use","amount":"300"}]
            """);
        const string Reason = "account 'a', period 2024-02-01 to 2024-02-29: a value is too large (arithmetic overflow)";

        var open = await cluster.Service.InvoicesAsync("a", null);
        open.RejectedPeriods.Select(r => (r.Month, r.Reason)).ShouldBe([("2024-02", Reason)]);
        open.InvoicesJson.ShouldContain("\"from\": \"2024-01-01\"");
        open.InvoicesJson.ShouldNotContain("\"from\": \"2024-02-01\"");
        open.InvoicesJson.ShouldContain("\"from\": \"2024-03-01\"");

        await cluster.Service.CloseAsync("2024-02");
        var closed = await cluster.Service.InvoicesAsync("a", "2024-02");
        closed.RejectedPeriods.Select(r => (r.Month, r.Reason)).ShouldBe([("2024-02", Reason)]);
        (await cluster.Service.InvoicesAsync("a", null)).RejectedPeriods.Length.ShouldBe(1);
    }
}
