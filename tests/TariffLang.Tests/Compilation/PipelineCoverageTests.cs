using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TariffLang.Compilation;
using TariffLang.Semantics;

namespace TariffLang.Tests.Compilation;

/// <summary>Every per-event construct of a tariff is in the compiled pipeline exactly once: none is left to shared code.</summary>
public class PipelineCoverageTests
{
    public static TheoryData<string> Tariffs()
    {
        var data = CompilerTestSupport.TariffNames();
        data.Add("(everything)");
        return data;
    }

    private static CheckedTariff ModelOf(string name) => Tariff.Compile(
        name == "(everything)" ? TestTariffs.Everything : File.ReadAllText(Path.Combine(CompilerTestSupport.TariffsDir, name)), name).Model!;

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void Every_rule_charge_state_operation_window_and_event_table_is_in_one_event_pipeline(string name)
    {
        var model = ModelOf(name);
        var plan = ProgramPlan.Build(model);
        plan.Pipelines.Select(p => p.Event.Index).ShouldBe(model.Events.Select(e => e.Index));

        plan.Pipelines.SelectMany(p => p.Rejects.Concat(p.Frees)).OrderBy(r => r.Span.Start).ShouldBe(model.Rules.OrderBy(r => r.Span.Start));
        plan.Pipelines.SelectMany(p => p.Charges).OrderBy(c => c.Index).ShouldBe(model.EventCharges.OrderBy(c => c.Index));
        plan.Pipelines.SelectMany(p => p.Ops).Select(o => o.Op).OrderBy(o => o.Span.Start)
            .ShouldBe(model.States.SelectMany(s => s.Ops).OrderBy(o => o.Span.Start));
        plan.Pipelines.SelectMany(p => p.Windows).Select(w => w.Window).OrderBy(w => w.Index).ShouldBe(model.Windows);
        plan.Pipelines.SelectMany(p => p.Tables).Select(t => t.Table).OrderBy(t => t.Span.Start)
            .ShouldBe(model.Tables.Where(t => t.ForEvent is not null).OrderBy(t => t.Span.Start));
        foreach (var p in plan.Pipelines)
        {
            p.Rejects.Concat(p.Frees).ShouldAllBe(r => r.Event.Index == p.Event.Index);
            p.Charges.ShouldAllBe(c => c.Event.Index == p.Event.Index);
            p.Ops.ShouldAllBe(o => o.Op.Event.Index == p.Event.Index);
        }
    }

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void The_generated_class_has_a_classify_and_an_apply_method_per_event_kind(string name)
    {
        var model = ModelOf(name);
        var tree = CSharpSyntaxTree.ParseText(TariffCompiler.GenerateSource(model));
        var methods = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Select(m => m.Identifier.ValueText).ToHashSet();
        methods.ShouldContain("Classify");
        methods.ShouldContain("Apply");
        foreach (var e in model.Events)
        {
            methods.ShouldContain(CSharpEmitter.ClassifyMethodName(e.Index));
            methods.ShouldContain(CSharpEmitter.ApplyMethodName(e.Index));
        }
    }

    [Fact]
    public void The_layout_hash_covers_the_pipeline()
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
            return ProgramPlan.Build(tariff.Model!).Layout;
        }

        Layout("reject").ShouldNotBe(Layout("free  "));
        Layout("reject").ShouldBe(Layout("reject"));
    }

    [Fact]
    public void A_cached_assembly_of_the_previous_compiler_is_not_reused()
    {
        // The pipeline changed what a generated assembly must contain: the version in the cache key moved on.
        TariffCompiler.Version.ShouldNotBe("tarifflang-roslyn-1");
        TariffCompiler.CacheKey("x").ShouldNotBe(TariffCompiler.CacheKey("x", "tarifflang-roslyn-1"));
    }
}
