using FsCheck;
using FsCheck.Fluent;
using TariffLang.Compilation;
using TariffLang.Evaluation;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Tests.Cli;

namespace TariffLang.Tests.Compilation;

/// <summary>
/// The per-event pipeline (tables, reject and free rules, per-event charges, state operations, windows) is compiled
/// too: each engine rates with its own pipeline, and the row outcomes (kind and detail, which the invoice JSON does
/// not carry) are the same through both, on the example ledgers and on generated ones.
/// </summary>
public class PipelineDifferentialTests
{
    private const string EverythingName = "(everything)";

    public static TheoryData<string> Tariffs()
    {
        var data = CompilerTestSupport.TariffNames();
        data.Add(EverythingName);
        return data;
    }

    public static TheoryData<string> Vendors() => ExampleLedgerTests.Vendors();

    private static string TextOf(string name) =>
        name == EverythingName ? TestTariffs.Everything : File.ReadAllText(Path.Combine(CompilerTestSupport.TariffsDir, name));

    /// <summary>One line per row: everything a row outcome says, so any difference names the row.</summary>
    internal static List<string> OutcomeLines(RatingResult result) =>
        result.Outcomes.Select(o => $"row {o.Row} {o.Account} {o.Event} {o.Time:O} {o.Kind}: {o.Detail}").ToList();

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void Each_engine_rates_events_with_its_own_pipeline(string name)
    {
        var (interpreted, compiled) = CompilerTestSupport.Both(TextOf(name), name);
        interpreted.Backend!.Evaluator.ShouldBeSameAs(TariffLang.Evaluation.Interpreter.Instance);
        interpreted.Backend.Rater.ShouldBeOfType<InterpretedEventRater>();

        var evaluator = compiled.Backend!.Evaluator.ShouldBeOfType<CompiledEvaluator>();
        // The rater is the generated program itself, from the same assembly as the expression delegates.
        compiled.Backend.Rater.ShouldBeSameAs(evaluator.Rater);
        compiled.Backend.Rater.ShouldNotBeOfType<InterpretedEventRater>();
        compiled.Backend.Rater.GetType().Assembly.GetName().Name.ShouldBe(TariffCompiler.GeneratedAssemblyName);
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void Example_ledgers_give_identical_outcomes_through_both_engines(string vendor)
    {
        var folder = Path.Combine(CompilerTestSupport.RepoRoot, "examples", vendor);
        var text = File.ReadAllText(Path.Combine(CompilerTestSupport.TariffsDir, vendor + ".tariff"));
        var (interpreted, compiled) = CompilerTestSupport.Both(text, vendor + ".tariff");
        var args = ExampleLedgerTests.ExampleArgs.Read(folder);
        var ledger = Tariff.ReadLedger(Path.Combine(folder, "ledger.csv"));
        var accountsPath = args.Accounts ?? Path.Combine(folder, "accounts.csv");
        AccountTable? accounts = File.Exists(accountsPath) ? Tariff.ReadAccounts(accountsPath).Accounts : null;
        var options = new RatingOptions(args.Params.Count > 0 ? args.Params : null, args.Period);

        var expected = interpreted.Rate(ledger, accounts, options);
        var actual = compiled.Rate(ledger, accounts, options);
        OutcomeLines(actual).ShouldBe(OutcomeLines(expected), $"examples/{vendor}");
        actual.ToJson().ShouldBe(expected.ToJson(), $"examples/{vendor}");
        // Rows that are rated per event or by a wallet carry the pipeline's own texts: the comparison must reach them.
        expected.Outcomes.ShouldContain(o => o.Kind == RowOutcomeKind.Rated, $"examples/{vendor} rates no row");
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void Explain_output_is_byte_identical_through_both_engines(string vendor)
    {
        var folder = Path.Combine(CompilerTestSupport.RepoRoot, "examples", vendor);
        var args = new List<string> { "explain", Path.Combine(CompilerTestSupport.TariffsDir, vendor + ".tariff"), Path.Combine(folder, "ledger.csv") };
        var exampleArgs = ExampleLedgerTests.ExampleArgs.Read(folder);
        var accounts = exampleArgs.Accounts ?? Path.Combine(folder, "accounts.csv");
        if (File.Exists(accounts)) args.AddRange(["--accounts", accounts]);
        foreach (var (key, value) in exampleArgs.Params) args.AddRange(["--param", $"{key}={value}"]);
        if (exampleArgs.Period is { } p) args.AddRange(["--period", $"{p.Year:0000}-{p.Month:00}"]);

        var interpreted = CliHarness.Run([.. args, "--engine", "interpreted"]);
        var compiled = CliHarness.Run([.. args, "--engine", "compiled"]);
        interpreted.Exit.ShouldBe(0, interpreted.ToString());
        compiled.Exit.ShouldBe(interpreted.Exit);
        compiled.Out.ShouldBe(interpreted.Out);
        compiled.Err.ShouldBe(interpreted.Err);
    }

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void Generated_ledgers_give_identical_outcomes_through_both_engines(string name)
    {
        var (interpreted, compiled) = CompilerTestSupport.Both(TextOf(name), name);
        var cases = Arb.From(LedgerGenerator.For(interpreted.Model!, name));
        var property = Prop.ForAll(cases, c =>
        {
            var expected = interpreted.Rate(c.Ledger, c.Accounts, c.Options);
            var actual = compiled.Rate(c.Ledger, c.Accounts, c.Options);
            OutcomeLines(actual).ShouldBe(OutcomeLines(expected), customMessage: c.ToString());
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200).WithEndSize(40), property);
    }
}
