using System.Reflection;
using System.Text.RegularExpressions;
using Shouldly;
using TariffLang.Diagnostics;
using TariffLang.Tests.Compilation;
using Xunit;

namespace TariffLang.Tests.Docs;

/// <summary>docs/diagnostics.md documents every code of the catalogue, each with an example that produces it.</summary>
public sealed class DiagnosticsDocTests
{
    /// <summary>Codes that no tariff can produce, with the reason they have no example.</summary>
    private static readonly Dictionary<string, string> WithoutExample = new()
    {
        ["TL0090"] = "an internal failure of the compiled backend; CompilerFailureTests provoke it by hand",
    };

    private static readonly Regex Section = new(@"^## (?<code>TL\d{4}): .+$", RegexOptions.Multiline | RegexOptions.Compiled);
    private static readonly Regex Example = new(@"```tariff\n// expect: (?<code>TL\d{4})\n(?<body>.*?)```",
        RegexOptions.Singleline | RegexOptions.Compiled);

    private static string Doc =>
        File.ReadAllText(Path.Combine(CompilerTestSupport.RepoRoot, "docs", "diagnostics.md")).Replace("\r\n", "\n");

    private static IEnumerable<string> CatalogueCodes() =>
        typeof(Tariff).Assembly.GetType("TariffLang.Diagnostics.DiagnosticCatalog")!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetValue(null)).OfType<DiagnosticDescriptor>().Select(d => d.Code).Distinct().Order();

    [Fact]
    public void DiagnosticsDoc_EveryCatalogueCode_HasASection()
    {
        var documented = Section.Matches(Doc).Select(m => m.Groups["code"].Value).ToHashSet();
        CatalogueCodes().Where(c => !documented.Contains(c)).ShouldBeEmpty("codes without a section in docs/diagnostics.md");
        documented.Except(CatalogueCodes()).ShouldBeEmpty("sections for codes the catalogue no longer has");
    }

    [Fact]
    public void DiagnosticsDoc_EveryCodeButTheListedOnes_HasAnExampleThatProducesIt()
    {
        var examples = Example.Matches(Doc).ToList();
        var shown = examples.Select(m => m.Groups["code"].Value).ToHashSet();
        CatalogueCodes().Where(c => !shown.Contains(c) && !WithoutExample.ContainsKey(c)).ShouldBeEmpty("codes without an example");
        foreach (var example in examples)
        {
            var code = example.Groups["code"].Value;
            var diagnostics = Tariff.Compile(example.Groups["body"].Value, $"diagnostics.md ({code})").Diagnostics;
            diagnostics.Select(d => d.Code).ShouldContain(code, $"the example of {code} gives: {string.Join("; ", diagnostics)}");
        }
    }

    [Fact]
    public void DiagnosticCases_EveryCodeButTheListedOnes_HasACaseFile()
    {
        var cases = Directory.GetFiles(Path.Combine(CompilerTestSupport.RepoRoot, "tests", "TariffLang.Tests", "Cases", "Diagnostics"),
            "*.tariff")
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"// expect: (TL\d{4})").Select(m => m.Groups[1].Value)).ToHashSet();
        CatalogueCodes().Where(c => !cases.Contains(c) && !WithoutExample.ContainsKey(c)).ShouldBeEmpty("codes without a case file");
    }
}
