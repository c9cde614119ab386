using System.Reflection;
using System.Text.RegularExpressions;
using TariffLang.Diagnostics;
using TariffLang.Tests.Cli;

namespace TariffLang.Tests.Semantics;

/// <summary>
/// The limits' diagnostics (TL0070–TL0079) are documented by example in docs/LANGUAGE.md: the example must say what the
/// checker says, and every such code must have a case file and a place in the example.
/// </summary>
public sealed class LimitsDocumentationTests
{
    private static string Language => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "LANGUAGE.md"));

    /// <summary>The first code block of the Limits section.</summary>
    private static string LimitsExample()
    {
        var section = Language[Language.IndexOf("## Limits", StringComparison.Ordinal)..];
        return Regex.Match(section, "```\n(?<code>.*?)```", RegexOptions.Singleline).Groups["code"].Value;
    }

    private static IEnumerable<string> LimitCodes() =>
        typeof(DiagnosticCatalog).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Code)
            .Where(c => c.StartsWith("TL007", StringComparison.Ordinal))
            .Distinct();

    [Fact]
    public void LimitsExample_Checked_GivesTheCodesItsCommentsName()
    {
        var text = LimitsExample();
        // A comment "// TL0071: …" names the diagnostic of its own line.
        var documented = text.Split('\n').Select((line, i) => (Line: i + 1, Match: Regex.Match(line, @"// (TL\d{4}):")))
            .Where(x => x.Match.Success).Select(x => $"{x.Line} {x.Match.Groups[1].Value}").ToList();
        documented.ShouldNotBeEmpty();

        var tariff = Tariff.Compile(text, "limits.tariff");

        tariff.Diagnostics.Select(d => $"{d.Line} {d.Code}").ShouldBe(documented, ignoreOrder: true);
    }

    [Fact]
    public void LimitCodes_EachHaveACaseFileAndAPlaceInTheExample()
    {
        var cases = Directory.GetFiles(DiagnosticCaseTests.CasesDirectory, "*.tariff").Select(File.ReadAllText).ToList();
        var example = LimitsExample();
        LimitCodes().ShouldNotBeEmpty();
        foreach (var code in LimitCodes())
        {
            cases.ShouldContain(c => c.Contains("// expect: " + code + " ", StringComparison.Ordinal), $"no case file expects {code}");
            example.ShouldContain("// " + code + ":", Case.Sensitive, $"docs/LANGUAGE.md's Limits example does not show {code}");
        }
    }
}
