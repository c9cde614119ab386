using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Semantics;
using TariffLang.Tests.Compilation;

namespace TariffLang.Tests.Reference;

/// <summary>
/// The differential property against the oracle: on generated ledgers for every tariff of the repository (and the
/// everything tariff), the old whole-ledger engine kept in this folder, the interpreted engine and the compiled engine
/// write byte-identical invoice JSON and give every row the same outcome (kind and detail). The example ledgers of the
/// repository are compared the same way.
/// </summary>
public class OracleDifferentialTests
{
    /// <summary>Ledgers per tariff: each is rated three times (about 0.1 s per tariff per hundred ledgers).</summary>
    private const int Cases = 300;

    public static TheoryData<string> Tariffs() => CompilerTestSupport.TariffNamesAndEverything();

    public static TheoryData<string> Vendors() => ExampleLedgerTests.Vendors();

    /// <summary>Rates a ledger with the oracle.</summary>
    internal static RatingResult RateWithOracle(CheckedTariff model, Ledger ledger, AccountTable? accounts = null,
        RatingOptions? options = null) =>
        new RatingEngine(model, Interpreter.Instance, new InterpretedEventRater(model))
            .Rate(ledger, accounts ?? AccountTable.Empty, options ?? new RatingOptions());

    /// <summary>Everything a rating says: the invoice JSON, then one line per row outcome.</summary>
    internal static string Describe(Func<RatingResult> rate)
    {
        try
        {
            var result = rate();
            return result.ToJson() + "\n" + string.Join("\n", PipelineDifferentialTests.OutcomeLines(result));
        }
        catch (Exception e)
        {
            // A crash must show up as a difference (the oracle's own crash fails the property below).
            return $"EXCEPTION {e.GetType().Name}: {e.Message}";
        }
    }

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void Engines_GeneratedLedgers_MatchTheOracle(string name)
    {
        var (interpreted, compiled) = CompilerTestSupport.Both(CompilerTestSupport.TextOf(name), name);
        var model = interpreted.Model!;
        var cases = Arb.From(LedgerGenerator.For(model, name));
        var property = Prop.ForAll(cases, c =>
        {
            var expected = Describe(() => RateWithOracle(model, c.Ledger, c.Accounts, c.Options));
            expected.ShouldNotStartWith("EXCEPTION", customMessage: c.ToString());
            Describe(() => interpreted.Rate(c.Ledger, c.Accounts, c.Options)).ShouldBe(expected, customMessage: "interpreted engine\n" + c);
            Describe(() => compiled.Rate(c.Ledger, c.Accounts, c.Options)).ShouldBe(expected, customMessage: "compiled engine\n" + c);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithEndSize(40), property);
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void Engines_ExampleLedgers_MatchTheOracle(string vendor)
    {
        var folder = Path.Combine(CompilerTestSupport.RepoRoot, "examples", vendor);
        var name = vendor + ".tariff";
        var (interpreted, compiled) = CompilerTestSupport.Both(File.ReadAllText(Path.Combine(CompilerTestSupport.TariffsDir, name)), name);
        var args = ExampleLedgerTests.ExampleArgs.Read(folder);
        var ledger = Tariff.ReadLedger(Path.Combine(folder, "ledger.csv"));
        var accountsPath = args.Accounts ?? Path.Combine(folder, "accounts.csv");
        var accounts = File.Exists(accountsPath) ? Tariff.ReadAccounts(accountsPath).Accounts : null;
        var options = args.Options();

        var expected = Describe(() => RateWithOracle(interpreted.Model!, ledger, accounts, options));
        expected.ShouldNotStartWith("EXCEPTION");
        Describe(() => interpreted.Rate(ledger, accounts, options)).ShouldBe(expected, $"examples/{vendor}, interpreted engine");
        Describe(() => compiled.Rate(ledger, accounts, options)).ShouldBe(expected, $"examples/{vendor}, compiled engine");
    }

    // ---- the oracle's two deliberate changes, pinned on the oracle and the engines alike -------------------------

    private const string CountTariff = """
        tariff t {
          currency EUR
          period month in "UTC"
          event call(kind: text?)
          charge "Calls" = count(call) at 1 EUR
        }
        """;

    private static LedgerRow Call(int row, string account, string? id, params (string Key, string Value)[] attributes) =>
        new(row, id, new DateTimeOffset(2024, 1, 10, 10, row, 0, TimeSpan.Zero), account, "call", 1m,
            attributes.ToImmutableDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal));

    private static IEnumerable<(string Engine, RatingResult Result)> RateEverywhere(Ledger ledger)
    {
        var (interpreted, compiled) = CompilerTestSupport.Both(CountTariff, "count.tariff");
        yield return ("oracle", RateWithOracle(interpreted.Model!, ledger));
        yield return ("interpreted", interpreted.Rate(ledger));
        yield return ("compiled", compiled.Rate(ledger));
    }

    [Fact]
    public void Oracle_SameIdInTwoAccountsAndRepeatedWithinOne_CountsPerAccount()
    {
        // Row 4 is row 2 sent again: the same event, time and values.
        var copy = Call(4, "a", "evt-1") with { Time = Call(2, "a", "evt-1").Time };
        var ledger = new Ledger("ids.csv", [Call(2, "a", "evt-1"), Call(3, "b", "evt-1"), copy, Call(5, "b", "evt-2")], []);

        foreach (var (engine, result) in RateEverywhere(ledger))
        {
            var rejected = result.Rejected.ShouldHaveSingleItem(engine);
            rejected.Row.ShouldBe(4, engine);
            rejected.Reason.ShouldBe("duplicate id 'evt-1' (already counted at row 2)", engine);
            result.Invoices.Select(i => (i.Account, i.Total)).ShouldBe([("a", 1m), ("b", 2m)], engine);
        }
    }

    [Fact]
    public void Oracle_SameIdWithOtherContent_RejectsEveryCopyWhateverTheOrder()
    {
        // Rows 2 and 4 share an id but not their time: a conflict, in whichever order the rows come.
        var rows = new[] { Call(2, "a", "evt-1"), Call(3, "a", "evt-2"), Call(4, "a", "evt-1") };
        foreach (var order in new[] { rows, rows.Reverse().ToArray() })
        {
            foreach (var (engine, result) in RateEverywhere(new Ledger("ids.csv", [.. order], [])))
            {
                result.Rejected.Select(r => r.Row).ShouldBe([2, 4], engine);
                result.Rejected.ShouldAllBe(r =>
                    r.Reason == "conflicting id 'evt-1': rows 2 and 4 carry it with different content, so none of them is rated");
                result.Conflicts.ShouldBe(2, engine);
                result.Invoices.Select(i => (i.Account, i.Total)).ShouldBe([("a", 1m)], engine);
            }
        }
    }

    [Fact]
    public void Oracle_RejectedCopyThenCorrectedResend_RatesTheResend()
    {
        // Row 2 names an event the tariff does not have; row 3 is its correction with the same id.
        var wrong = Call(2, "a", "evt-1") with { Event = "cal" };
        var ledger = new Ledger("ids.csv", [wrong, Call(3, "a", "evt-1")], []);

        foreach (var (engine, result) in RateEverywhere(ledger))
        {
            result.Rejected.ShouldHaveSingleItem(engine).Row.ShouldBe(2, engine);
            result.Accounting.Rated.ShouldBe(1, engine);
            result.Invoices.Select(i => (i.Account, i.Total)).ShouldBe([("a", 1m)], engine);
        }
    }

    [Fact]
    public void Oracle_UnknownAttributes_AreListedInOrdinalOrder()
    {
        // The columns come in a hash order: the message must not depend on it.
        var attributes = ImmutableDictionary.CreateRange(StringComparer.Ordinal,
            new[] { "zeta", "Alpha", "mid", "alpha" }.Select(k => KeyValuePair.Create(k, "1")));
        var ledger = new Ledger("unknown.csv", [Call(2, "a", null) with { Attributes = attributes }], []);

        foreach (var (engine, result) in RateEverywhere(ledger))
            result.Rejected.ShouldHaveSingleItem(engine)
                .Reason.ShouldBe("event 'call' has no attribute 'Alpha', 'alpha', 'mid', 'zeta'", engine);
    }

    private static LedgerRow HeldRow(int row, string @event, DateTimeOffset time, params (string Key, string Value)[] attributes) =>
        new(row, null, time, "a", @event, 1m, attributes.ToImmutableDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal));

    /// <summary>Rates with the oracle and both engines; each must reject these rows with the reason and bill these totals.</summary>
    private static IEnumerable<(string Engine, RatingResult Result)> RateHeld(string tariff, Ledger ledger, int[] rejected, string reason,
        params (DateOnly From, decimal Total)[] invoices)
    {
        var (interpreted, compiled) = CompilerTestSupport.Both(tariff, "held.tariff");
        (string, RatingResult)[] results =
            [("oracle", RateWithOracle(interpreted.Model!, ledger)), ("interpreted", interpreted.Rate(ledger)),
                ("compiled", compiled.Rate(ledger))];
        foreach (var (engine, result) in results)
        {
            result.Rejected.Select(r => r.Row).ShouldBe(rejected, engine);
            result.Rejected.ShouldAllBe(r => r.Reason.Contains(reason), engine);
            result.Invoices.Select(i => (i.Period.From, i.Total)).ShouldBe(invoices, engine);
        }
        return results;
    }

    private const string HeldTariff = """
        tariff t {
          currency EUR
          period month in "UTC"
          event call(kind: text, caller: text)
          event inbound(caller: text)
          table bonus by (kind): number { "local": 1 }
          charge "Per caller" by caller whole within 1d = count(call where kind != "local") * 1 EUR
          charge "Bonus" = count(call where bonus[kind] > 0) * 1 EUR
          charge "Inbound" per inbound at 2 EUR
        }
        """;

    [Fact]
    public void Oracle_HeldPeriodFails_RejectsOnlyTheLaterRowsThatFedItsGroups()
    {
        // January cannot be billed (no bonus for "intl") and is held for caller A's group. Within the day after it, an inbound
        // from A (another event with an attribute of the key's name) and a local call from A (which joins A's group but meets
        // no condition of it) feed nothing of January, so neither is rejected with it: February bills the inbound and the
        // call's bonus. An intl call from A would feed it.
        var ledger = new Ledger("held.csv",
        [
            HeldRow(2, "call", new(2024, 1, 31, 23, 0, 0, TimeSpan.Zero), ("kind", "intl"), ("caller", "A")),
            HeldRow(3, "inbound", new(2024, 2, 1, 0, 10, 0, TimeSpan.Zero), ("caller", "A")),
            HeldRow(4, "call", new(2024, 2, 1, 0, 20, 0, TimeSpan.Zero), ("kind", "local"), ("caller", "A")),
        ], []);

        RateHeld(HeldTariff, ledger, [2], "period 2024-01-01 to 2024-01-31", (new DateOnly(2024, 2, 1), 3m));
    }

    [Fact]
    public void Oracle_ConditionFailsOnALaterRow_FailsTheHeldPeriodWithoutRejectingTheRow()
    {
        // Row 3 would join A's January group, but its condition has no bonus for "intl": January cannot be billed, and
        // row 3, which fed nothing, stays in February (nothing to bill there). Row 4 is another caller's, in February.
        const string tariff = """
            tariff t {
              currency EUR
              period month in "UTC"
              event call(kind: text, caller: text)
              table bonus by (kind): number { "local": 1 }
              charge "Per caller" by caller whole within 1d = count(call where bonus[kind] > 0) * 1 EUR
            }
            """;
        var ledger = new Ledger("held.csv",
        [
            HeldRow(2, "call", new(2024, 1, 31, 23, 0, 0, TimeSpan.Zero), ("kind", "local"), ("caller", "A")),
            HeldRow(3, "call", new(2024, 2, 1, 0, 10, 0, TimeSpan.Zero), ("kind", "intl"), ("caller", "A")),
            HeldRow(4, "call", new(2024, 2, 2, 10, 0, 0, TimeSpan.Zero), ("kind", "local"), ("caller", "B")),
        ], []);

        foreach (var (engine, result) in RateHeld(tariff, ledger, [2], "period 2024-01-01 to 2024-01-31: table 'bonus' has no value",
                     (new DateOnly(2024, 2, 1), 1m)))
            result.Outcomes.Single(o => o.Row == 3).Kind.ShouldBe(RowOutcomeKind.Free, engine);
    }

    [Fact]
    public void Oracle_LaterRowOfAGroup_IsCountedAsOfTheHeldPeriodsStart()
    {
        // A's group starts in January. Row 3 comes within the grace, so it belongs to that group, but its contract is one
        // year old only from 2024-01-15: as of January's start, where January's invoice is made, it does not count (as of
        // February's start it would). February bills nothing for it: it was A's January group's.
        const string tariff = """
            tariff t {
              currency EUR
              period month in "UTC"
              event call(since: date, caller: text)
              charge "Per caller" by caller whole within 20d = count(call where years_since(since) >= 1) * 1 EUR
            }
            """;
        var ledger = new Ledger("held.csv",
        [
            HeldRow(2, "call", new(2024, 1, 31, 23, 0, 0, TimeSpan.Zero), ("since", "2022-01-01"), ("caller", "A")),
            HeldRow(3, "call", new(2024, 2, 15, 10, 0, 0, TimeSpan.Zero), ("since", "2023-01-15"), ("caller", "A")),
        ], []);

        RateHeld(tariff, ledger, [], "", (new DateOnly(2024, 1, 1), 1m), (new DateOnly(2024, 2, 1), 0m));
    }

    [Fact]
    public void Oracle_Sources_UseNoRatingCodeOfTheNewCore()
    {
        // The oracle is independent only if it shares no rating code with src/: it may read the checked model, the ledger
        // and invoice types, and round currencies, nothing of the runtime, the interpreter, the emitter or the rater.
        var folder = Path.Combine(CompilerTestSupport.RepoRoot, "tests", "TariffLang.Tests", "Reference");
        var sources = Directory.GetFiles(folder, "*.cs").Where(f => !f.EndsWith("Tests.cs", StringComparison.Ordinal)).ToList();
        sources.Count.ShouldBe(5);
        foreach (var file in sources)
        {
            var text = File.ReadAllText(file);
            foreach (var forbidden in new[] { "TariffLang.Runtime", "TariffLang.Interpreter", "TariffLang.Emitter", "TariffLang.Rating",
                         "TariffLang.Examples",
                         "Operators.", "ValueText", "EventBinder", "LedgerRater", "AccountRater", "RatingContext" })
                text.ShouldNotContain(forbidden, Case.Sensitive, $"{Path.GetFileName(file)} uses {forbidden}");
        }
        typeof(RatingEngine).Namespace.ShouldBe("TariffLang.Tests.Reference");
    }
}
