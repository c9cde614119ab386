using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TariffLang.Emitter;

namespace TariffLang.Tests.Compilation;

/// <summary>
/// No tariff can inject code: names never reach the generated C#, and text reaches it only as literal tokens.
/// Proven by generating the same tariff with harmless and with hostile names and strings: once every string
/// literal is blanked, the two programs are token for token the same.
/// </summary>
public class InjectionSafetyTests
{
    private static readonly string Sentinel = Path.Combine(Path.GetTempPath(), "tarifflang-pwned-" + Guid.NewGuid().ToString("N"));

    private const string Template = """
        tariff {TARIFF} "{TITLE}" {
          currency EUR
          period month in "Europe/Paris"
          unit {UNIT}
          param {PARAM}: text = "{TEXT1}"
          param plan: text = "{PLAN}"
          event {EVENT}({ATTR1}: text, {ATTR2}: decimal, {ATTR3}: tags)
          event {EVENT2}({ATTR1}: text)
          plan {PLAN} "{TITLE}" { fee 5 EUR  includes 2 {UNIT}  extra 0.5 EUR per {UNIT} }
          table {TABLE} for {EVENT} by ({ATTR1}): money per {UNIT} { "{TEXT1}": 1.25 EUR per {UNIT}  "{TEXT2}": 2 EUR per {UNIT}  "{TEXT3}": none }
          window {WINDOW} 24h per {ATTR1}, opened by {EVENT2} where {ATTR1} != "{TEXT3}"
          counter {COUNTER} per {ATTR1} { on {EVENT} where {ATTR3} contains "{TEXT2}" add 1 }
          reject {EVENT} where {ATTR2} > 6 and {ATTR1} != "{TEXT3}" because "{REASON}"
          free {EVENT} where within {WINDOW} because "{REASON2}"
          charge "{LABEL1}" per {EVENT} where {ATTR1} != param {PARAM} at {TABLE}[{ATTR1}]
          let {LET} = distinct({EVENT} where {ATTR2} > 0, {ATTR1})
          let {LET2} = sum({EVENT}, {ATTR2}) * 1 {UNIT}
          charge "{LABEL2}" = max({LET2} - plan.includes, 0 {UNIT}) at plan.extra
          charge "{LABEL3} {plan}" = if plan.name = "{PLAN}" then plan.fee + {LET} * 1 EUR else 0 EUR
          example "{LABEL1}" {
            {EVENT2}({ATTR1}: "{TEXT1}")
            {EVENT}({ATTR1}: "{TEXT1}", {ATTR2}: 3, {ATTR3}: "{TEXT2};a")
            {EVENT}({ATTR1}: "{TEXT2}", {ATTR2}: 4, {ATTR3}: "b")
            {EVENT}({ATTR1}: "{TEXT3}", {ATTR2}: 1, {ATTR3}: "b")
            {EVENT}({ATTR1}: "{TEXT2}", {ATTR2}: 7, {ATTR3}: "b")
            expect total 0
          }
        }
        """;

    private static readonly Dictionary<string, string> Harmless = new()
    {
        ["TARIFF"] = "plain", ["TITLE"] = "Plain", ["UNIT"] = "item", ["PARAM"] = "skip", ["PLAN"] = "BASIC",
        ["EVENT"] = "use", ["EVENT2"] = "open", ["ATTR1"] = "who", ["ATTR2"] = "amount", ["ATTR3"] = "labels",
        ["TABLE"] = "prices", ["WINDOW"] = "service", ["COUNTER"] = "hits", ["LET"] = "people", ["LET2"] = "amounts",
        ["TEXT1"] = "one", ["TEXT2"] = "two", ["TEXT3"] = "three", ["REASON"] = "no", ["REASON2"] = "free",
        ["LABEL1"] = "Use", ["LABEL2"] = "Extra", ["LABEL3"] = "Plan",
    };

    // Names are tariff identifiers: C# keywords and the generator's own identifiers. Strings carry C# syntax
    // (the tariff lexer unescapes \" and \\), comment openers, braces, a preprocessor line, a line separator.
    private static Dictionary<string, string> Hostile() => new()
    {
        ["TARIFF"] = "class", ["TITLE"] = "\\\"); System.IO.File.WriteAllText(\\\"" + Sentinel + "\\\", \\\"x\\\"); //",
        ["UNIT"] = "ctx", ["PARAM"] = "return", ["PLAN"] = "S0",
        ["EVENT"] = "E0", ["EVENT2"] = "A0", ["ATTR1"] = "__e", ["ATTR2"] = "__total", ["ATTR3"] = "object",
        ["TABLE"] = "Bind", ["WINDOW"] = "Layout", ["COUNTER"] = "__saved", ["LET"] = "symbols", ["LET2"] = "TariffProgram",
        ["TEXT1"] = "\\\"); System.IO.File.Delete(\\\"x", ["TEXT2"] = "} } class Evil { static Evil() { System.Environment.Exit(3); } } {",
        ["TEXT3"] = "*/ /* // \u2028 #error boom \u0085 \\\\",
        ["REASON"] = "\\\"; throw null; \\\"", ["REASON2"] = "{plan} \\n \\t \u202E",
        ["LABEL1"] = "\\\" + System.IO.File.ReadAllText(\\\"/etc/passwd\\\") + \\\"", ["LABEL2"] = "#line 1 \\\"evil\\\"",
        ["LABEL3"] = "/* } */",
    };

    private static string Fill(Dictionary<string, string> values)
    {
        var text = Template;
        foreach (var (key, value) in values) text = text.Replace("{" + key + "}", value);
        return text;
    }

    [Fact]
    public void Compiler_HostileNamesAndStrings_RateIdenticallyAndRunNoCode()
    {
        var text = Fill(Hostile());
        var (interpreted, compiled) = CompilerTestSupport.Both(text, "hostile.tariff");
        compiled.Engine.ShouldBe(TariffEngine.Compiled);
        compiled.Program!.GetType().Assembly.GetName().Name.ShouldBe(TariffCompiler.GeneratedAssemblyName);
        var expected = interpreted.RunExamples();
        var actual = compiled.RunExamples();
        actual.Single().Rating.ToJson().ShouldBe(expected.Single().Rating.ToJson());
        actual.Single().Messages.ShouldBe(expected.Single().Messages);
        // The hostile strings survive as data: they are labels and reasons on the invoice.
        var json = actual.Single().Rating.ToJson();
        json.ShouldContain("System.IO.File.ReadAllText", Case.Sensitive);
        json.ShouldContain("throw null", Case.Sensitive);
        json.ShouldContain("/* } */ S0", Case.Sensitive);
        File.Exists(Sentinel).ShouldBeFalse();
    }

    [Fact]
    public void Emitter_HostileNames_GenerateTheSameTokensWithTextOnlyInLiterals()
    {
        var plain = Tariff.Compile(Fill(Harmless), "plain.tariff");
        var hostile = Tariff.Compile(Fill(Hostile()), "hostile.tariff");
        plain.Diagnostics.ShouldBeEmpty();
        hostile.Diagnostics.ShouldBeEmpty();
        var a = Shape(TariffCompiler.GenerateSource(plain.Model!));
        var b = Shape(TariffCompiler.GenerateSource(hostile.Model!));
        b.ShouldBe(a);
    }

    [Fact]
    public void Emitter_HostileStrings_AreSingleLiteralTokens()
    {
        var hostile = Tariff.Compile(Fill(Hostile()), "hostile.tariff");
        var tree = CSharpSyntaxTree.ParseText(TariffCompiler.GenerateSource(hostile.Model!));
        tree.GetDiagnostics().ShouldBeEmpty();
        var literals = tree.GetRoot().DescendantTokens().Where(t => t.IsKind(SyntaxKind.StringLiteralToken)).Select(t => (string)t.Value!)
            .ToList();
        literals.ShouldContain("\"); System.IO.File.Delete(\"x");
        literals.ShouldContain("} } class Evil { static Evil() { System.Environment.Exit(3); } } {");
        literals.ShouldContain("*/ /* // \u2028 #error boom \u0085 \\");
        // No trivia (comments, directives) came from the tariff: the only trivia is whitespace.
        tree.GetRoot().DescendantTrivia().Where(t => !t.IsKind(SyntaxKind.WhitespaceTrivia) && !t.IsKind(SyntaxKind.EndOfLineTrivia))
            .ShouldBeEmpty();
    }

    /// <summary>The token stream with every string literal blanked.</summary>
    private static List<string> Shape(string source) =>
        CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens()
            .Select(t => t.IsKind(SyntaxKind.StringLiteralToken) ? "\"…\"" : t.Text)
            .ToList();
}
