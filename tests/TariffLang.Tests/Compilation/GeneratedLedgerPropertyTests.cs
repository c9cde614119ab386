using FsCheck;
using FsCheck.Fluent;
using TariffLang.Invoicing;

namespace TariffLang.Tests.Compilation;

/// <summary>
/// The generated ledgers (event mixes, month and 24 h window edges, free and rejected rows, plans, contract values,
/// duplicate ids, unknown events) that <see cref="Reference.OracleDifferentialTests"/> rates through the oracle and both
/// engines: the property is only as good as they are.
/// </summary>
public class GeneratedLedgerPropertyTests
{
    public static TheoryData<string> Tariffs() => CompilerTestSupport.TariffNamesAndEverything();

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void LedgerGenerator_SampledLedgers_ReachEveryOutcome(string name)
    {
        // They must rate, reject rows, bill money, and span several periods.
        var tariff = Tariff.Compile(CompilerTestSupport.TextOf(name), name);
        // A fixed seed: this test checks the generator's reach, so it must not pass or fail by chance.
        var samples = LedgerGenerator.For(tariff.Model!, name).Sample(60, new Rnd(20261121UL), 100);
        var results = samples.Select(c => tariff.Rate(c.Ledger, c.Accounts, c.Options)).ToList();
        var kinds = results.SelectMany(r => r.Outcomes.Select(o => o.Kind)).ToHashSet();
        kinds.ShouldContain(RowOutcomeKind.Rated);
        kinds.ShouldContain(RowOutcomeKind.Rejected);
        results.ShouldContain(r => r.Invoices.Any(i => i.Total != 0m));
        results.ShouldContain(r => r.Invoices.Select(i => i.Period.From).Distinct().Count() > 1);
    }

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void LedgerGenerator_SampledLedgers_RepeatIdsWithinAndAcrossAccounts(string name)
    {
        // Ids are unique per account: the ledgers must hold both a repeated id within an account (a copy, rejected) and
        // one id in two accounts (two events), or the comparison would not reach either rule.
        var tariff = Tariff.Compile(CompilerTestSupport.TextOf(name), name);
        var samples = LedgerGenerator.For(tariff.Model!, name).Sample(60, new Rnd(20261121UL), 100);
        samples.Any(c => c.Rows.Where(r => r.Id is not null).GroupBy(r => (r.Account, r.Id)).Any(g => g.Count() > 1))
            .ShouldBeTrue("no ledger repeats an id within an account");
        samples.Any(c => c.Rows.Where(r => r.Id is not null).GroupBy(r => r.Id).Any(g => g.Select(r => r.Account).Distinct().Count() > 1))
            .ShouldBeTrue("no ledger has one id in two accounts");
    }
}
