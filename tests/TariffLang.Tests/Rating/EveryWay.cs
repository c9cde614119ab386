using Shouldly;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Rating;
using TariffLang.Tests.Reference;

namespace TariffLang.Tests.Rating;

/// <summary>Rates a small ledger every way there is and checks that all of them agree.</summary>
internal static class EveryWay
{
    /// <summary>
    /// Both engines in memory and streamed on one and two threads, and the reference oracle: all must give the same
    /// invoices, rejected rows and accounting. Returns the interpreted engine's in-memory result.
    /// </summary>
    public static RatingResult Rate(string source, string header, string[] rows, RatingOptions? options = null)
    {
        options ??= new RatingOptions();
        var path = Path.Combine(TestTemp.NewDirectory("tarifflang-every-way-"), "ledger.csv");
        File.WriteAllLines(path, [header, .. rows]);
        var ledger = Tariff.ReadLedger(path);
        RatingResult? first = null;
        foreach (var engine in new[] { TariffEngine.Interpreted, TariffEngine.Compiled })
        {
            var tariff = Tariff.Compile(source, "t.tariff", engine);
            tariff.HasErrors.ShouldBeFalse(string.Join("\n", tariff.Diagnostics));
            var memory = tariff.Rate(ledger, AccountTable.Empty, options);
            first ??= Check(memory, OracleDifferentialTests.RateWithOracle(tariff.Model!, ledger, AccountTable.Empty, options), "oracle");
            Check(memory, first, engine.ToString());
            foreach (var threads in new[] { 1, 2 })
                Check(memory, tariff.RateFile(path, AccountTable.Empty, options with { Threads = threads }),
                    $"{engine}, {threads} thread(s)");
        }
        return first!;
    }

    /// <summary>
    /// Every example block of a tariff passes in both engines, which give the same ratings; returns the results (interpreted).
    /// </summary>
    public static IReadOnlyList<ExampleResult> ExamplesPass(string source, string file)
    {
        var (interpreted, compiled) = Compilation.CompilerTestSupport.Both(source, file);
        interpreted.Diagnostics.ShouldBeEmpty();
        var expected = interpreted.RunExamples();
        var actual = compiled.RunExamples();
        expected.ShouldNotBeEmpty();
        foreach (var result in expected.Concat(actual))
            result.Status.ShouldBe(ExampleStatus.Passed, $"{file}: \"{result.Name}\": {string.Join("; ", result.Messages)}");
        actual.Select(r => r.Rating.ToJson()).ShouldBe(expected.Select(r => r.Rating.ToJson()));
        return expected;
    }

    /// <summary>A tariff file and a CSV ledger in a new directory, for the command line: (directory, tariff, ledger).</summary>
    public static (string Directory, string Tariff, string Ledger) Files(string source, string header, params string[] rows)
    {
        var dir = TestTemp.NewDirectory("tarifflang-every-way-cli-");
        var tariff = Path.Combine(dir, "t.tariff");
        File.WriteAllText(tariff, source);
        var ledger = Path.Combine(dir, "ledger.csv");
        File.WriteAllLines(ledger, [header, .. rows]);
        return (dir, tariff, ledger);
    }

    private static RatingResult Check(RatingResult expected, RatingResult actual, string way)
    {
        // The invoice JSON holds the invoices, the rejected rows and the accounting.
        actual.ToJson().ShouldBe(expected.ToJson(), way);
        return expected;
    }
}
