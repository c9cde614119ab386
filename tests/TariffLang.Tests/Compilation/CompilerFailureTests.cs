using TariffLang.Compilation;
using TariffLang.Semantics;
using TariffLang.Text;

namespace TariffLang.Tests.Compilation;

/// <summary>When Roslyn refuses the generated code (a compiler bug), the tariff gets TL0090 at the root that caused it, never a crash.</summary>
public class CompilerFailureTests
{
    private static string Calendoc => File.ReadAllText(Path.Combine(CompilerTestSupport.TariffsDir, "calendoc.tariff"));

    [Fact]
    public void A_root_that_does_not_compile_is_reported_as_TL0090_at_its_span()
    {
        var model = Tariff.Compile(Calendoc, "calendoc.tariff").Model!;
        var plan = ProgramPlan.Build(model);
        var rule = model.Rules.First(r => r.Condition is not null).Condition!;
        var index = plan.RootIndex(rule);
        var dir = CompilerTestSupport.NewCacheDir();

        var (evaluator, diagnostics) = TariffCompiler.Create(model, new SourceText(Calendoc, "calendoc.tariff"), new CompilerOptions { CacheDirectory = dir, FaultRoot = index });

        evaluator.ShouldBeNull();
        var d = diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0090");
        d.IsError.ShouldBeTrue();
        d.Span.ShouldBe(rule.Span);
        var (line, column) = new SourceText(Calendoc, "calendoc.tariff").GetLineColumn(rule.Span.Start);
        d.ToString().ShouldStartWith($"calendoc.tariff:{line}:{column}: error TL0090: the compiled backend could not compile this: CS0103");
        // A failed compilation leaves nothing in the cache.
        Directory.GetFiles(dir).ShouldBeEmpty();
    }

    [Fact]
    public void A_construct_the_compiler_cannot_translate_is_TL0090_at_its_span()
    {
        var model = Tariff.Compile(Calendoc, "calendoc.tariff").Model!;
        var let = model.Lets[0];
        var alien = new BoundLiteral(new Uri("https://example.com"), TlType.Number, let.Value.Span);
        var broken = model with { Lets = model.Lets.SetItem(0, let with { Value = alien }) };

        var (evaluator, diagnostics) = TariffCompiler.Create(broken, new SourceText(Calendoc, "calendoc.tariff"), new CompilerOptions { UseCache = false });

        evaluator.ShouldBeNull();
        var d = diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0090");
        d.Span.ShouldBe(let.Value.Span);
    }

    [Fact]
    public void The_fault_hook_bypasses_the_cache()
    {
        var dir = CompilerTestSupport.NewCacheDir();
        var (good, _, _) = CompilerTestSupport.CompileInternal(Calendoc, new CompilerOptions { CacheDirectory = dir });
        good.ShouldNotBeNull();
        // A cached good assembly must not hide the injected fault.
        var (faulty, diagnostics, _) = CompilerTestSupport.CompileInternal(Calendoc, new CompilerOptions { CacheDirectory = dir, FaultRoot = 0 });
        faulty.ShouldBeNull();
        diagnostics.ShouldHaveSingleItem().Code.ShouldBe("TL0090");
    }
}
