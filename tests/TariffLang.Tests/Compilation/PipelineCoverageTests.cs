using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TariffLang.Emitter;
using TariffLang.Runtime;
using TariffLang.Semantics;
using TariffLang.Syntax;

namespace TariffLang.Tests.Compilation;

/// <summary>
/// Every per-event construct of a tariff is in the plan's pipelines exactly once (none is left to shared code), and the
/// generated Classify, Apply and Fold methods run exactly those steps, in the pipelines' order.
/// </summary>
public class PipelineCoverageTests
{
    public static TheoryData<string> Tariffs() => CompilerTestSupport.TariffNamesAndEverything();

    private static CheckedTariff ModelOf(string name) => Tariff.Compile(CompilerTestSupport.TextOf(name), name).Model!;

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void RatingPlan_EveryRuleChargeOperationWindowTableAndAggregate_IsInOneEventPipeline(string name)
    {
        var model = ModelOf(name);
        var plan = RatingPlan.Build(model);
        plan.Pipelines.Select(p => p.Event.Index).ShouldBe(model.Events.Select(e => e.Index));

        plan.Pipelines.SelectMany(p => p.Rejects.Concat(p.Frees)).OrderBy(r => r.Span.Start)
            .ShouldBe(model.Rules.OrderBy(r => r.Span.Start));
        plan.Pipelines.SelectMany(p => p.Charges).Select(c => c.Charge).OrderBy(c => c.Index)
            .ShouldBe(model.EventCharges.OrderBy(c => c.Index));
        plan.Pipelines.SelectMany(p => p.Charges).ShouldAllBe(c => c.Charge == model.EventCharges[c.Index]);
        plan.Pipelines.SelectMany(p => p.Ops).Select(o => o.Op).OrderBy(o => o.Span.Start)
            .ShouldBe(model.States.SelectMany(s => s.Ops).OrderBy(o => o.Span.Start));
        plan.Pipelines.SelectMany(p => p.Windows).Select(w => w.Window).OrderBy(w => w.Index).ShouldBe(model.Windows);
        plan.Pipelines.SelectMany(p => p.Tables).Select(t => t.Table).OrderBy(t => t.Span.Start)
            .ShouldBe(model.Tables.Where(t => t.ForEvent is not null).OrderBy(t => t.Span.Start));
        plan.Pipelines.SelectMany(p => p.Aggregates).Order().ShouldBe(plan.Aggregates.Select(a => a.Index));
        // Every aggregate a period charge reads is folded: by itself, or by the plan's one equivalent aggregate (written twice, folded
        // once).
        model.AggregateCharges.SelectMany(c => c.Aggregates)
            .ShouldAllBe(a => BoundEquivalence.Equivalent(plan.Aggregates[plan.AggregateIndex(a)].Aggregate, a));
        // Two aggregates of the plan are never equivalent.
        plan.Aggregates.ShouldAllBe(x => plan.Aggregates.Count(y => BoundEquivalence.Equivalent(x.Aggregate, y.Aggregate)) == 1);
        foreach (var p in plan.Pipelines)
        {
            p.Rejects.ShouldAllBe(r => r.Kind == RuleKind.Reject && r.Event.Index == p.Event.Index);
            p.Frees.ShouldAllBe(r => r.Kind == RuleKind.Free && r.Event.Index == p.Event.Index);
            p.Charges.ShouldAllBe(c => c.Charge.Event.Index == p.Event.Index);
            p.Ops.ShouldAllBe(o => o.Op.Event.Index == p.Event.Index);
            p.Windows.ShouldAllBe(w => w.Window.OpenedBy.Index == p.Event.Index);
            p.Tables.ShouldAllBe(t => t.Table.ForEvent!.Index == p.Event.Index);
            p.Aggregates.ShouldAllBe(a => plan.Aggregates[a].Event.Index == p.Event.Index);
            // Each step list keeps the model's declaration order.
            p.Rejects.Select(r => r.Span.Start).ShouldBeInOrder();
            p.Frees.Select(r => r.Span.Start).ShouldBeInOrder();
            p.Charges.Select(c => c.Index).ShouldBeInOrder();
            p.Windows.Select(w => w.Window.Index).ShouldBeInOrder();
        }
    }

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void BoundEquivalence_EquivalentExpressions_ShareAHash(string name)
    {
        // The plan finds equivalent aggregates by hash: two equivalent expressions with different hashes would be folded twice.
        var all = CompilerTestSupport.ModelExpressions(ModelOf(name));
        var pairs = 0;
        foreach (var x in all)
        {
            foreach (var y in all.Where(y => !ReferenceEquals(x, y) && BoundEquivalence.Equivalent(x, y)))
            {
                BoundEquivalence.Hash(y).ShouldBe(BoundEquivalence.Hash(x), $"{x} and {y}");
                pairs++;
            }
        }
        pairs.ShouldBeGreaterThan(0);
    }

    /// <summary>The generated source's methods by name, as text.</summary>
    private static Dictionary<string, string> Methods(string source) =>
        CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
            .ToDictionary(m => m.Identifier.ValueText, m => m.ToFullString());

    /// <summary>The steps a generated method takes, in order, one per line of its body.</summary>
    private static List<string> Steps(string method)
    {
        var patterns = new (Regex Pattern, string Step)[]
        {
            (new Regex(@"c\.HasCell\((\d+),"), "table"),
            (new Regex(@"c\.Model\.Rules\[(\d+)\]\.Reason"), "reject"),
            (new Regex(@"c\.MarkFree\((\d+)\)"), "free"),
            (new Regex(@"c\.AddEventLine\((\d+),"), "charge"),
            (new Regex(@"c\.StateSetAtNextPeriod\((\d+),"), "set-next"),
            (new Regex(@"c\.StateSet\((\d+),"), "set"),
            (new Regex(@"c\.StateAdd\((\d+),.*, false(?:, \d+)?\);$"), "add"),
            (new Regex(@"c\.StateAdd\((\d+),.*, true\);$"), "subtract"),
            (new Regex(@"c\.AllowanceUse\((\d+),"), "use"),
            (new Regex(@"c\.OpenWindow\((\d+),"), "window"),
            (new Regex(@"c\.(Fold(?:Count|Sum|Distinct|Min|Max))\((\d+)"), "fold"),
        };
        var steps = new List<string>();
        foreach (var line in method.Split('\n').Select(l => l.TrimEnd()))
        {
            foreach (var (pattern, step) in patterns)
            {
                var m = pattern.Match(line);
                if (!m.Success) continue;
                steps.Add(step == "fold" ? $"{m.Groups[1].Value} {m.Groups[2].Value}" : $"{step} {m.Groups[1].Value}");
                break;
            }
        }
        return steps;
    }

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void Emitter_GeneratedClassifyApplyAndFoldMethods_RunThePipelineStepsInOrder(string name)
    {
        var model = ModelOf(name);
        var plan = RatingPlan.Build(model);
        var methods = Methods(ProgramEmitter.Emit(plan).Source);
        methods.ShouldContainKey("Classify");
        methods.ShouldContainKey("Apply");
        methods.ShouldContainKey("Fold");
        foreach (var p in plan.Pipelines)
        {
            var e = p.Event.Index;
            // The entry points dispatch each event kind to its own methods.
            methods["Classify"].ShouldContain($"case {e}: return Classify{e}(c);");
            methods["Apply"].ShouldContain($"case {e}: Apply{e}(c); return;");

            var classify = p.Tables.Select(t => $"table {model.Tables.IndexOf(t.Table)}")
                .Concat(p.Rejects.Select(r => $"reject {model.Rules.IndexOf(r)}"))
                .Concat(p.Frees.Select(r => $"free {model.Rules.IndexOf(r)}"))
                .Concat(p.Charges.Select(c => $"charge {c.Index}"));
            Steps(methods[$"Classify{e}"]).ShouldBe(classify, $"Classify{e}");

            var apply = p.Ops.Select(o => (o.Op.Op switch
                {
                    StateOpKind.Set when o.Op.AtNextPeriod => "set-next",
                    StateOpKind.Set => "set",
                    StateOpKind.Add => "add",
                    StateOpKind.Use => "use",
                    _ => "subtract",
                }) + " " + o.State.Index)
                .Concat(p.Windows.Select(w => $"window {w.Window.Index}"));
            Steps(methods[$"Apply{e}"]).ShouldBe(apply, $"Apply{e}");
        }
        foreach (var a in plan.Aggregates)
        {
            methods["Fold"].ShouldContain($"case {a.Index}: Fold{a.Index}(c); return;");
            Steps(methods[$"Fold{a.Index}"]).ShouldBe([$"Fold{a.Aggregate.Kind} {a.Index}"], $"Fold{a.Index}");
        }
        // Nothing else: no method for an event kind or an aggregate the plan does not have.
        methods.Keys.Where(k => Regex.IsMatch(k, @"^(Classify|Apply)\d+$")).Count().ShouldBe(2 * plan.Pipelines.Length);
        methods.Keys.Count(k => Regex.IsMatch(k, @"^Fold\d+$")).ShouldBe(plan.Aggregates.Length);
    }

    [Fact]
    public void Emitter_StepPatterns_SeeEveryKindOfStep()
    {
        // The order test above is only as good as its patterns: across the tariffs, each kind of step is recognised.
        var kinds = new HashSet<string>();
        foreach (var name in CompilerTestSupport.TariffFiles().Select(Path.GetFileName).Append(CompilerTestSupport.EverythingName))
        {
            var source = ProgramEmitter.Emit(RatingPlan.Build(ModelOf(name!))).Source;
            foreach (var step in Methods(source).Values.SelectMany(Steps)) kinds.Add(step.Split(' ')[0]);
        }
        kinds.ShouldBe(["table", "reject", "free", "charge", "set-next", "set", "add", "subtract", "use", "window",
            "FoldCount", "FoldSum", "FoldDistinct", "FoldMin", "FoldMax"], ignoreOrder: true);
    }

    [Fact]
    public void RatingPlan_LayoutHash_CoversThePipeline()
    {
        // Same expressions at the same places; only what the pipeline does with them differs.
        static string Layout(string rule)
        {
            var tariff = Tariff.Compile($$"""
            tariff t "t" {
              currency EUR
              period month in "UTC"
              event e(n: int)
              {{rule}} e where n > 5 because "x"
              charge "C" per e at 1 EUR
            }
            """);
            tariff.Diagnostics.ShouldBeEmpty();
            return RatingPlan.Build(tariff.Model!).Layout;
        }

        Layout("reject").ShouldNotBe(Layout("free  "));
        Layout("reject").ShouldBe(Layout("reject"));
    }

    [Fact]
    public void TariffCompiler_Version_IsNotThePreviousCoresSoItsAssembliesAreNotReused()
    {
        // The rebuilt core changed what a generated assembly must contain: the version in the cache key moved on.
        TariffCompiler.Version.ShouldNotBe("tarifflang-roslyn-3");
        TariffCompiler.CacheKey("x").ShouldNotBe(TariffCompiler.CacheKey("x", "tarifflang-roslyn-3"));
    }
}
