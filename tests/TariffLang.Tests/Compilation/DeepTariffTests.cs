using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TariffLang.Emitter;
using TariffLang.Syntax;
using TariffLang.Text;

namespace TariffLang.Tests.Compilation;

/// <summary>
/// Tariffs as deep as the checker accepts must compile in time that grows with their size, not its square. Timing is too
/// noisy to assert here, so the tests hold the generated code to the shape that makes it linear: no generated method
/// nests calls much deeper than <see cref="ProgramEmitter.MaxInlineDepth"/>, however deep the tariff's expressions are.
/// </summary>
public sealed class DeepTariffTests
{
    private static readonly int Deep = SyntaxParser.MaxExpressionDepth - 10;

    /// <summary>Chains of sums, conditions and ifs just under the depth limit, and a min of thousands of arguments.</summary>
    private static string DeepTariff()
    {
        var ones = string.Join(" + ", Enumerable.Repeat("1", Deep));
        var conditions = string.Join(" and ", Enumerable.Repeat("length > 0", Deep / 2));
        var ifs = string.Concat(Enumerable.Repeat("if length > 0 then ", Deep / 3)) + "1"
                  + string.Concat(Enumerable.Repeat(" else 2", Deep / 3));
        var min = "min(" + string.Join(", ", Enumerable.Range(0, 5_000).Select(i => (i + 3).ToString(CultureInfo.InvariantCulture))) + ")";
        var total = (2 * Deep + 0.02m + 6).ToString(CultureInfo.InvariantCulture);
        return $$"""
            tariff deep {
              currency EUR
              period month in "Europe/Paris"
              event sms(length: int)
              charge "Sum" = count(sms) * ({{ones}})
              charge "Per SMS" per sms where {{conditions}} at ({{ifs}}) * 0.01 EUR
              charge "Min" = count(sms) * {{min}}
              example "deep" {
                2 sms(length: 5)
                expect total {{total}}
              }
            }
            """;
    }

    [Fact]
    public void CompiledEngine_ExpressionsJustUnderTheDepthLimit_CompileAndRateAsTheInterpreter()
    {
        var (interpreted, compiled) = CompilerTestSupport.Both(DeepTariff(), "deep.tariff");

        compiled.HasErrors.ShouldBeFalse();
        var expected = interpreted.RunExamples().ShouldHaveSingleItem();
        expected.Status.ShouldBe(ExampleStatus.Passed, string.Join("\n", expected.Messages));
        compiled.RunExamples().ShouldHaveSingleItem().Rating.ToJson().ShouldBe(expected.Rating.ToJson());
    }

    [Fact]
    public void Emitter_ExpressionsJustUnderTheDepthLimit_NestNoMethodDeeperThanTheInlineDepth()
    {
        var (model, _) = CompilerTestSupport.Check(DeepTariff(), "deep.tariff");
        // On a large stack: code nested as deep as the tariff would overflow the test's own stack in Roslyn's parser.
        var deepest = LargeStack.Run(() => CSharpSyntaxTree.ParseText(TariffCompiler.GenerateSource(model)).GetRoot()
            .DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Max(call => call.Ancestors().TakeWhile(a => a is not MemberDeclarationSyntax).Count(a => a is InvocationExpressionSyntax)));
        // A call nests at most a few runtime calls per tariff operator (a widening, a truth test): the bound is the inline
        // depth with room for those, far below the tariff's depth.
        deepest.ShouldBeLessThan(ProgramEmitter.MaxInlineDepth * 3);
        deepest.ShouldBeGreaterThan(ProgramEmitter.MaxInlineDepth / 2);
    }
}
