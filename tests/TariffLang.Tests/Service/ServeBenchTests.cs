using System.Text.RegularExpressions;
using TariffLang.Tests.Cli;

namespace TariffLang.Tests.Service;

/// <summary><c>tariff bench --serve</c>: the service under load on loopback, with its invoices checked.</summary>
public sealed class ServeBenchTests
{
    [Fact]
    public void BenchServe_OneAndTwoSilos_ReportsRateAndLatenciesAndInvoicesEqualTheBatch()
    {
        var root = Compilation.CompilerTestSupport.RepoRoot;
        var r = CliHarness.Run("bench", Path.Combine(root, "tariffs", "calendoc.tariff"),
            Path.Combine(root, "examples", "calendoc", "ledger.csv"),
            "--serve", "1,2", "--iterations", "1", "--batch", "100", "--engine", "interpreted");

        r.Exit.ShouldBe(0, r.ToString());
        r.Out.ShouldContain("service: 390 events in 4 requests of up to 100");
        foreach (var silos in (int[])[1, 2])
        {
            Regex.IsMatch(r.Out,
                $@"^{silos} silo\(s\): median \d+ events/s accepted, request latency p50 [\d.]+ ms, p99 [\d.]+ ms over 1 runs; "
                + "invoices equal the batch rating$", RegexOptions.Multiline).ShouldBeTrue(r.Out);
        }
    }

    [Fact]
    public void BenchServe_NotASiloCount_IsAUsageError()
    {
        var root = Compilation.CompilerTestSupport.RepoRoot;
        var r = CliHarness.Run("bench", Path.Combine(root, "tariffs", "calendoc.tariff"),
            Path.Combine(root, "examples", "calendoc", "ledger.csv"),
            "--serve", "0");
        r.Exit.ShouldBe(2);
        r.Err.ShouldContain("--serve takes silo counts from 1 to 8");
    }
}
