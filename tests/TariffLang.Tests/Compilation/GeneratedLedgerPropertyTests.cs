using FsCheck;
using FsCheck.Fluent;
using TariffLang.Invoicing;

namespace TariffLang.Tests.Compilation;

/// <summary>
/// Differential property: on generated ledgers (event mixes, month and 24 h window edges, free and rejected rows,
/// plans, contract values, duplicate ids, unknown events), both engines write byte-identical invoice JSON.
/// </summary>
public class GeneratedLedgerPropertyTests
{
    private const int Cases = 300;

    public static TheoryData<string> Tariffs()
    {
        var data = CompilerTestSupport.TariffNames();
        data.Add(EverythingName);
        return data;
    }

    private const string EverythingName = "(everything)";

    private static string TextOf(string name) =>
        name == EverythingName ? TestTariffs.Everything : File.ReadAllText(Path.Combine(CompilerTestSupport.TariffsDir, name));

    private static string Run(CompiledTariff tariff, LedgerCase c)
    {
        try
        {
            return tariff.Rate(c.Ledger, c.Accounts, c.Options).ToJson();
        }
        catch (Exception e)
        {
            // An engine bug must show up the same way in both backends (and then fail other tests).
            return $"EXCEPTION {e.GetType().Name}: {e.Message}";
        }
    }

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void Both_engines_rate_generated_ledgers_identically(string name)
    {
        var text = TextOf(name);
        var (interpreted, compiled) = CompilerTestSupport.Both(text, name);
        var cases = Arb.From(LedgerGenerator.For(interpreted.Model!, name));
        var property = Prop.ForAll(cases, c =>
        {
            var expected = Run(interpreted, c);
            expected.ShouldNotStartWith("EXCEPTION", customMessage: c.ToString());
            Run(compiled, c).ShouldBe(expected, customMessage: c.ToString());
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithEndSize(40), property);
    }

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void Generated_ledgers_reach_every_outcome(string name)
    {
        // The property above is only as good as its ledgers: they must rate, make free and reject rows, and bill money.
        var tariff = Tariff.Compile(TextOf(name), name);
        // A fixed seed: this test checks the generator's reach, so it must not pass or fail by chance.
        var samples = LedgerGenerator.For(tariff.Model!, name).Sample(60, new Rnd(20261121UL), 100);
        var results = samples.Select(c => tariff.Rate(c.Ledger, c.Accounts, c.Options)).ToList();
        var kinds = results.SelectMany(r => r.Outcomes.Select(o => o.Kind)).ToHashSet();
        kinds.ShouldContain(RowOutcomeKind.Rated);
        kinds.ShouldContain(RowOutcomeKind.Rejected);
        results.ShouldContain(r => r.Invoices.Any(i => i.Total != 0m));
        results.ShouldContain(r => r.Invoices.Select(i => i.Period.From).Distinct().Count() > 1);
    }
}
