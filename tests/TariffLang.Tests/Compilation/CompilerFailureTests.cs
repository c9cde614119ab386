using TariffLang.Emitter;
using TariffLang.Runtime;
using TariffLang.Semantics;
using TariffLang.Text;

namespace TariffLang.Tests.Compilation;

/// <summary>When Roslyn refuses the generated code (a compiler bug), the tariff gets TL0090 at the expression that caused it, never a
/// crash.</summary>
public class CompilerFailureTests
{
    private static string Calendoc => File.ReadAllText(Path.Combine(CompilerTestSupport.TariffsDir, "calendoc.tariff"));

    /// <summary>The method number of an expression in the generated program, found by reference among the emitter's expressions.</summary>
    private static int ExpressionIndex(RatingPlan plan, BoundExpr expr)
    {
        var expressions = ProgramEmitter.Emit(plan).Expressions;
        var index = -1;
        for (var i = 0; i < expressions.Count; i++)
        {
            if (!ReferenceEquals(expressions[i], expr)) continue;
            index.ShouldBe(-1, "an expression has one method");
            index = i;
        }
        index.ShouldBeGreaterThanOrEqualTo(0, "the expression has no method in the generated program");
        return index;
    }

    [Fact]
    public void Compiler_FaultyRuleCondition_ReportsTL0090AtItsSpan()
    {
        var (model, plan) = CompilerTestSupport.Check(Calendoc, "calendoc.tariff");
        var rule = model.Rules.First(r => r.Condition is not null).Condition!;
        // A rule condition is a per-event expression: it is not a root of the plan, its method comes after them.
        var index = ExpressionIndex(plan, rule);
        index.ShouldBeGreaterThanOrEqualTo(plan.Roots.Count);
        var dir = CompilerTestSupport.NewCacheDir();
        var before = TariffCompiler.Compilations;

        var (program, diagnostics) = TariffCompiler.Create(plan, new SourceText(Calendoc, "calendoc.tariff"),
            new CompilerOptions { CacheDirectory = dir, FaultExpression = index });

        program.ShouldBeNull();
        TariffCompiler.Compilations.ShouldBeGreaterThan(before, "Roslyn ran and refused the code");
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
    public void Compiler_FaultyRoot_ReportsTL0090AtItsSpan()
    {
        var (model, plan) = CompilerTestSupport.Check(Calendoc, "calendoc.tariff");
        // A period charge's amount is a root: its method number is its root number.
        var amount = model.AggregateCharges[0].Amount;
        var index = ExpressionIndex(plan, amount);
        index.ShouldBe(plan.RootIndex(amount));

        var (program, diagnostics) = TariffCompiler.Create(plan, new SourceText(Calendoc, "calendoc.tariff"),
            new CompilerOptions { UseCache = false, FaultExpression = index });

        program.ShouldBeNull();
        var d = diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0090");
        d.Span.ShouldBe(amount.Span);
    }

    [Fact]
    public void Compiler_ConstructItCannotTranslate_ReportsTL0090AtItsSpan()
    {
        var model = Tariff.Compile(Calendoc, "calendoc.tariff").Model!;
        var let = model.Lets[0];
        var alien = new BoundLiteral(new Uri("https://example.com"), TlType.Number, let.Value.Span);
        var broken = model with { Lets = model.Lets.SetItem(0, let with { Value = alien }) };

        var (program, diagnostics) = TariffCompiler.Create(RatingPlan.Build(broken), new SourceText(Calendoc, "calendoc.tariff"),
            new CompilerOptions { UseCache = false });

        program.ShouldBeNull();
        var d = diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0090");
        d.Span.ShouldBe(let.Value.Span);
    }

    [Fact]
    public void Compiler_FaultExpressionWithAGoodAssemblyCached_BypassesTheCache()
    {
        var dir = CompilerTestSupport.NewCacheDir();
        var (good, _, _) = CompilerTestSupport.CompileInternal(Calendoc, new CompilerOptions { CacheDirectory = dir });
        good.ShouldNotBeNull();
        Directory.GetFiles(dir, "*" + AssemblyCache.Extension).ShouldHaveSingleItem();
        // A cached good assembly must not hide the injected fault.
        var (faulty, diagnostics, _) = CompilerTestSupport.CompileInternal(Calendoc,
            new CompilerOptions { CacheDirectory = dir, FaultExpression = 0 });
        faulty.ShouldBeNull();
        diagnostics.ShouldHaveSingleItem().Code.ShouldBe("TL0090");
        // Nor does the faulty run touch the good assembly: the next run still loads it.
        CompilerTestSupport.CompileInternal(Calendoc, new CompilerOptions { CacheDirectory = dir }).Program.ShouldNotBeNull()
            .Origin.ShouldBe(CompiledOrigin.Cache);
    }
}
