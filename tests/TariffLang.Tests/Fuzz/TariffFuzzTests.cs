using System.Text;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Rating;
using TariffLang.Tests.Cli;
using Xunit.Abstractions;

namespace TariffLang.Tests.Fuzz;

/// <summary>
/// A seeded fuzz test: mutates the five vendor tariffs and their example ledgers and runs what <c>check</c>, <c>test</c>
/// and <c>rate</c> run, in-process, on both engines. Whatever the input: no exception escapes the facade, every ledger
/// row is accounted for once (rated, free or rejected), and both engines (and the streamed and in-memory rating) agree.
/// The seeds are fixed, so a failure names a case that fails again; <c>TARIFFLANG_FUZZ_CASES</c> runs more cases per
/// tariff than the CI's default.
/// </summary>
public sealed class TariffFuzzTests(ITestOutputHelper output)
{
    private static readonly int CasesPerTariff =
        int.TryParse(Environment.GetEnvironmentVariable("TARIFFLANG_FUZZ_CASES"), out var n) && n > 0 ? n : 30;

    /// <summary>A case that runs longer than this is taken as a hang.</summary>
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(60);

    public static TheoryData<string> Vendors() => new(["aircall", "analys", "calendoc", "wazo", "web1on1"]);

    [Theory]
    [MemberData(nameof(Vendors))]
    public async Task Fuzz_MutatedTariffsAndLedgers_NeverThrowAndAlwaysAddUp(string vendor)
    {
        var tariffText = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "tariffs", vendor + ".tariff"));
        var folder = Path.Combine(TestPaths.RepoRoot, "examples", vendor);
        var ledgerLines = File.ReadAllLines(Path.Combine(folder, "ledger.csv"));
        var accountsPath = Path.Combine(folder, "accounts.csv");
        var accounts = File.Exists(accountsPath) ? Tariff.ReadAccounts(accountsPath).Accounts : AccountTable.Empty;
        var directory = TestTemp.NewDirectory("tarifflang-fuzz-");
        var failures = new List<string>();
        var compiled = 0;

        for (var seed = 0; seed < CasesPerTariff; seed++)
        {
            // A seed of its own per vendor and case (string.GetHashCode changes from run to run).
            var random = new Random(vendor[0] * 1_000_003 + vendor.Length * 7919 + seed);
            // Half the cases keep the tariff as it is, so that the mutated ledgers meet a tariff that compiles.
            var text = seed % 2 == 0 ? tariffText : TariffMutations.Apply(tariffText, random);
            var ledger = LedgerMutations.Apply(ledgerLines, random);
            var ledgerPath = Path.Combine(directory, $"{vendor}-{seed}.csv");
            File.WriteAllLines(ledgerPath, ledger);
            var label = $"{vendor} seed {seed}";
            var task = Task.Run(() => RunCase(text, ledgerPath, accounts, label));
            string? problem;
            try
            {
                var (found, rated) = await task.WaitAsync(CaseLimit);
                problem = found;
                if (rated) compiled++;
            }
            catch (TimeoutException)
            {
                problem = $"{label}: did not finish within {CaseLimit.TotalSeconds} s";
            }
            catch (Exception e)
            {
                problem = $"{label}: {e}";
            }
            if (problem is not null)
            {
                // TARIFFLANG_FUZZ_KEEP=DIR keeps the failing cases' files, to replay them with the tariff command.
                if (Environment.GetEnvironmentVariable("TARIFFLANG_FUZZ_KEEP") is { Length: > 0 } keep)
                {
                    Directory.CreateDirectory(keep);
                    File.WriteAllText(Path.Combine(keep, $"{vendor}-{seed}.tariff"), text);
                    File.WriteAllLines(Path.Combine(keep, $"{vendor}-{seed}.csv"), ledger);
                }
                failures.Add(problem + Describe(text, tariffText, ledger));
                if (!task.IsCompleted) break;
            }
        }
        output.WriteLine($"{vendor}: {CasesPerTariff} cases, {compiled} rated through both engines");
        failures.ShouldBeEmpty();
        // A fuzz run whose tariffs never compile would test nothing past check.
        compiled.ShouldBeGreaterThan(CasesPerTariff / 2 - 1);
    }

    private static (string? Problem, bool Rated) RunCase(string text, string ledgerPath, AccountTable accounts, string label)
    {
        var problem = Check(text, ledgerPath, accounts, label, out var rated);
        return (problem, rated);
    }

    private static string? Check(string text, string ledgerPath, AccountTable accounts, string label, out bool rated)
    {
        rated = false;
        // check: both engines, the same diagnostics (the compiled one may add its own compiler failure).
        var interpreted = Tariff.Compile(text, "fuzz.tariff", TariffEngine.Interpreted);
        var compiled = Tariff.Compile(text, "fuzz.tariff", TariffEngine.Compiled);
        if (interpreted.HasErrors)
        {
            if (!interpreted.Diagnostics.Any(d => d.IsError)) return $"{label}: the tariff has errors but no error diagnostic";
            return compiled.HasErrors ? null : $"{label}: only the interpreted engine has errors";
        }
        if (compiled.HasErrors) return $"{label}: only the compiled engine has errors: {string.Join("; ", compiled.Diagnostics)}";

        // test: the examples give the same outcomes on both engines.
        var examplesI = interpreted.RunExamples();
        var examplesC = compiled.RunExamples();
        var a = string.Join("\n", examplesI.Select(r => $"{r.Name} {r.Status} {r.Rating.ToJson()}"));
        var b = string.Join("\n", examplesC.Select(r => $"{r.Name} {r.Status} {r.Rating.ToJson()}"));
        if (a != b) return $"{label}: the examples differ between the engines";

        // rate: in memory and streamed, on both engines, over the months of the ledger's rows.
        var ledger = Tariff.ReadLedger(ledgerPath);
        var options = new RatingOptions { Today = new DateOnly(2024, 6, 1) };
        var results = new (string Way, RatingResult Result)[]
        {
            ("interpreted", interpreted.Rate(ledger, accounts, options)),
            ("compiled", compiled.Rate(ledger, accounts, options)),
            ("compiled, streamed, 1 thread", compiled.RateFile(ledgerPath, accounts, options with { Threads = 1 })),
            ("interpreted, streamed, 2 threads", interpreted.RateFile(ledgerPath, accounts, options with { Threads = 2 })),
        };
        var rows = ledger.RowCount;
        foreach (var (way, result) in results)
        {
            var c = result.Accounting;
            if (c.Rows != rows || c.Rated + c.Free + c.Rejected != c.Rows)
                return $"{label}, {way}: the accounting does not add up: {c} for {rows} rows";
            if (result.ToJson() != results[0].Result.ToJson()) return $"{label}, {way}: differs from the interpreted engine in memory";
        }
        rated = true;
        return null;
    }

    private static string Describe(string text, string original, string[] ledger)
    {
        var sb = new StringBuilder("\n  tariff changes:");
        var before = original.Split('\n');
        var after = text.Split('\n');
        for (var i = 0; i < Math.Max(before.Length, after.Length); i++)
        {
            var x = i < before.Length ? before[i] : "";
            var y = i < after.Length ? after[i] : "";
            if (x != y) sb.Append($"\n    line {i + 1}: {x.Trim()} => {y.Trim()}");
        }
        sb.Append("\n  ledger (first rows):\n    ").Append(string.Join("\n    ", ledger.Take(8)));
        return sb.ToString();
    }
}
