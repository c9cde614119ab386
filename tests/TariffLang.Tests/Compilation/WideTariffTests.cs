using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TariffLang.Emitter;

namespace TariffLang.Tests.Compilation;

/// <summary>
/// Tariffs with thousands of charges, lets or events: Roslyn compiles a switch in time and memory that grow with the
/// square of its cases, so the generated dispatch must stay a tree of small switches (timing is too noisy to assert).
/// </summary>
public sealed class WideTariffTests
{
    private static string Tariff(int events, int chargesPerEvent)
    {
        var text = new System.Text.StringBuilder("""
            tariff wide {
              currency EUR
              period month in "Europe/Paris"

            """);
        for (var e = 0; e < events; e++)
        {
            var name = "e" + e.ToString(CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"  event {name}(n: int)\n");
            for (var k = 0; k < chargesPerEvent; k++)
                text.Append(CultureInfo.InvariantCulture, $"  charge \"{name}-{k}\" = count({name} where n > {k}) * 0.01\n");
        }
        text.Append("""
              example "some" {
                e0(n: 5)
                e1(n: 0)

            """);
        if (events > 200) text.Append("    e200(n: 1)\n");
        return text.Append("    expect rated 2\n  }\n}\n").ToString();
    }

    [Fact]
    public void Emitter_TwentyThousandCharges_NoSwitchHoldsMoreThanMaxCases()
    {
        // More roots and aggregates than MaxCases squared: the dispatch is three levels deep.
        var (model, plan) = CompilerTestSupport.Check(Tariff(events: 2, chargesPerEvent: 10_000), "wide.tariff");
        plan.Roots.Count.ShouldBeGreaterThan(ProgramEmitter.MaxCases * ProgramEmitter.MaxCases);

        var root = CSharpSyntaxTree.ParseText(TariffCompiler.GenerateSource(model)).GetRoot();

        root.DescendantNodes().OfType<SwitchStatementSyntax>().Max(s => s.Sections.Count)
            .ShouldBeLessThanOrEqualTo(ProgramEmitter.MaxCases);
    }

    [Fact]
    public void CompiledEngine_HundredsOfEventsAndCharges_DispatchAsTheInterpreter()
    {
        // 300 events and 600 charges: Classify, Apply, Fold and Evaluate all go through parts.
        var (interpreted, compiled) = CompilerTestSupport.Both(Tariff(events: 300, chargesPerEvent: 2), "wide.tariff");

        var expected = interpreted.RunExamples().ShouldHaveSingleItem();
        expected.Rating.Invoices.ShouldHaveSingleItem().Total.ShouldBe(0.03m);
        compiled.RunExamples().ShouldHaveSingleItem().Rating.ToJson().ShouldBe(expected.Rating.ToJson());
    }
}
