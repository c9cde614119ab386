using System.Collections.Immutable;
using TariffLang.Interpreter;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Rating;
using TariffLang.Runtime;

namespace TariffLang.Tests.Compilation;

/// <summary>
/// The pipeline's order is part of the language (LANGUAGE.md, "Rules and charges"): a small tariff whose every row's
/// outcome depends on it, pinned on both engines; and mutated pipelines (free rules before reject rules, rules walked
/// backwards) that the differential comparison must tell apart from the reference.
/// </summary>
public class PipelineOrderTests
{
    // Free rules are declared before the reject rules that must still win; two rules of each kind overlap, so the
    // first declared must win; a charge reads a counter the same event moves (it must see the value before); a
    // wallet writes its own rated-by text; a version makes one rule and one charge depend on the event's date.
    private const string Text = """
        tariff order "Rule order" {
          currency EUR
          period month in "UTC"
          unit credit, call
          event call(kind: text, n: int)
          event topup(amount: int)
          table zone for call by (kind): number { "vip": 1  "x": 2  "late": 3 }
          counter calls { on call add 1 }
          wallet credits: credit = 0 credit { on topup add amount * 1 credit  on call where n = 3 subtract 1 credit }
          free call where kind = "vip" because "vip calls are free"
          reject call where n > 10 because "too many"
          free call where n > 5 because "more than five is free"
          reject call where n > 8 because "more than eight is rejected"
          charge "Early" per call where calls < 2 at 1 EUR per call
          charge "Any" per call at 0.5 EUR per call
          versions late {
            until 2024-01-31 { reject call where kind = "late" because "late calls start in February" }
            from 2024-02-01 { charge "Late" per call where kind = "late" at 2 EUR per call }
          }
        }
        """;

    private static readonly string[] Expected =
    [
        "row 1 Rejected: too many",
        "row 2 Rejected: more than eight is rejected",
        "row 3 Free: vip calls are free",
        "row 4 Rated: Early (1 × 1 EUR); Any (1 × 0.5 EUR)",
        "row 5 Rated: Any (2 × 0.5 EUR)",
        "row 6 Rejected: table 'zone' has no value for kind \"nowhere\"",
        "row 7 Rated: wallet credits +5 credit",
        "row 8 Rated: Any (1 × 0.5 EUR); wallet credits -1 credit",
        "row 9 Rejected: late calls start in February",
        "row 10 Rated: Any (1 × 0.5 EUR); Late (1 × 2 EUR)",
    ];

    private static Ledger Ledger()
    {
        var rows = new (string Date, string Event, decimal Quantity, (string, string)[] Attributes)[]
        {
            ("2024-01-05", "call", 1m, [("kind", "vip"), ("n", "11")]),
            ("2024-01-06", "call", 1m, [("kind", "x"), ("n", "9")]),
            ("2024-01-07", "call", 1m, [("kind", "vip"), ("n", "6")]),
            ("2024-01-08", "call", 1m, [("kind", "x"), ("n", "1")]),
            ("2024-01-09", "call", 2m, [("kind", "x"), ("n", "2")]),
            ("2024-01-10", "call", 1m, [("kind", "nowhere"), ("n", "1")]),
            ("2024-01-11", "topup", 1m, [("amount", "5")]),
            ("2024-01-12", "call", 1m, [("kind", "x"), ("n", "3")]),
            ("2024-01-20", "call", 1m, [("kind", "late"), ("n", "1")]),
            ("2024-02-02", "call", 1m, [("kind", "late"), ("n", "1")]),
        };
        return new Ledger("order", rows.Select((r, i) => new LedgerRow(i + 1, null,
            DateTimeOffset.Parse(r.Date + "T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), "acme", r.Event, r.Quantity,
            r.Attributes.ToImmutableDictionary(a => a.Item1, a => a.Item2))).ToImmutableArray(), ImmutableArray<LedgerError>.Empty);
    }

    private static string[] Lines(RatingResult result) => result.Outcomes.Select(o => $"row {o.Row} {o.Kind}: {o.Detail}").ToArray();

    [Theory]
    [InlineData(TariffEngine.Interpreted)]
    [InlineData(TariffEngine.Compiled)]
    public void Engines_EachRow_IsClassifiedInTheLanguageOrder(TariffEngine engine)
    {
        var tariff = Tariff.Compile(Text, "order.tariff", engine);
        tariff.Diagnostics.Where(d => d.IsError).ShouldBeEmpty();
        Lines(tariff.Rate(Ledger())).ShouldBe(Expected);
    }

    /// <summary>
    /// A program that walks the plan's pipeline in another order (the bugs the differential comparison must expose): free
    /// rules before the table and the reject rules, rules backwards, per-event charges backwards. Everything else is the
    /// reference interpreter's.
    /// </summary>
    private sealed class MutantProgram(RatingPlan plan, string mutant) : RatingProgram
    {
        private readonly InterpretedProgram _reference = new(plan);

        private bool Holds(CheckedRuleOrCharge step, RatingContext c) =>
            step.Validity.Contains(c.LocalDate) && (step.Condition is null || _reference.Evaluate(step.Condition, c).IsTrue);

        public override string? Classify(RatingContext c)
        {
            var p = plan.Pipelines[c.EventKind];
            var rejects = p.Rejects.Select(r => new CheckedRuleOrCharge(r.Condition, r.Validity, r)).ToList();
            var frees = p.Frees.Select(r => new CheckedRuleOrCharge(r.Condition, r.Validity, r)).ToList();
            var charges = p.Charges.ToList();
            if (mutant == "rules backwards")
            {
                rejects.Reverse();
                frees.Reverse();
            }
            if (mutant == "charges backwards") charges.Reverse();

            bool Free()
            {
                foreach (var rule in frees)
                {
                    if (!Holds(rule, c)) continue;
                    c.MarkFree(rule.Rule!);
                    return true;
                }
                return false;
            }

            if (mutant == "free before reject" && Free()) return null;
            foreach (var table in p.Tables)
            {
                var keys = table.KeyAttributes.Select(a => c.Attribute(a)).ToArray();
                if (!c.HasCell(table.Table, keys)) return c.MissingCell(table.Table, keys);
            }
            foreach (var rule in rejects)
            {
                if (Holds(rule, c)) return rule.Rule!.Reason;
            }
            if (mutant != "free before reject" && Free()) return null;
            foreach (var charge in charges)
            {
                if (!Holds(new CheckedRuleOrCharge(charge.Charge.Condition, charge.Charge.Validity, null), c)) continue;
                c.AddEventLine(charge.Index, _reference.Evaluate(charge.Charge.Price, c).NumberOrNull);
            }
            return null;
        }

        public override void Apply(RatingContext c) => _reference.Apply(c);

        public override void Fold(RatingContext c, int aggregate) => _reference.Fold(c, aggregate);

        public override Value Evaluate(RatingContext c, int root) => _reference.Evaluate(c, root);
    }

    private sealed record CheckedRuleOrCharge(TariffLang.Semantics.BoundExpr? Condition, TariffLang.Semantics.Validity Validity,
        TariffLang.Semantics.CheckedRule? Rule);

    public static TheoryData<string> Mutants() => new() { "free before reject", "rules backwards", "charges backwards" };

    [Theory]
    [MemberData(nameof(Mutants))]
    public void DifferentialComparison_PipelineInAnotherOrder_IsToldApart(string mutant)
    {
        var model = Tariff.Compile(Text, "order.tariff").Model!;
        var plan = RatingPlan.Build(model);
        RatingResult Rate(RatingProgram program) =>
            new LedgerRater(plan, program).Rate(Ledger(), AccountTable.Empty, new RatingOptions(), explain: true);

        var reference = Rate(new InterpretedProgram(plan));
        var mutated = Rate(new MutantProgram(plan, mutant));
        Lines(reference).ShouldBe(Expected);
        // The mutant harness itself is sound: walked in the right order it gives the reference outcomes.
        Lines(Rate(new MutantProgram(plan, "none"))).ShouldBe(Expected);
        // Invoices alone might not show it; the row outcomes the differential tests compare do.
        PipelineDifferentialTests.OutcomeLines(mutated).ShouldNotBe(PipelineDifferentialTests.OutcomeLines(reference), mutant);
    }
}
