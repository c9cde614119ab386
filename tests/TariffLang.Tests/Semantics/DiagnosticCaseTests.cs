using System.Text.RegularExpressions;
using TariffLang.Text;

namespace TariffLang.Tests.Semantics;

/// <summary>
/// Data-driven checker and grammar cases: every <c>Cases/Diagnostics/*.tariff</c> file starts with comment lines
/// <c>// expect: TL0004 6:8-6:11</c> (code, then 1-based line:column of the span's first character, then
/// line:column just past its last character). The file must give exactly that set of diagnostics, errors and
/// warnings alike; a file without expectations must give none.
/// </summary>
public sealed class DiagnosticCaseTests
{
    /// <summary>The catalogue's warnings; every other code is an error.</summary>
    private static readonly string[] WarningCodes = ["TL0062", "TL0063", "TL0064", "TL0065"];

    private static readonly Regex ExpectLine = new(@"^//\s*expect:\s*(?<code>TL\d{4})\s+(?<sl>\d+):(?<sc>\d+)-(?<el>\d+):(?<ec>\d+)\s*$",
        RegexOptions.Compiled);

    public static string CasesDirectory => Path.Combine(AppContext.BaseDirectory, "Cases", "Diagnostics");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(CasesDirectory, "*.tariff").OrderBy(f => f, StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void Cases_AreFound()
    {
        Directory.GetFiles(CasesDirectory, "*.tariff").Length.ShouldBeGreaterThan(30);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Checker_DiagnosticCase_ReportsExactlyTheExpectedCodesAndSpans(string file)
    {
        var path = Path.Combine(CasesDirectory, file);
        var text = File.ReadAllText(path);
        var expected = ReadExpectations(text, file);

        var tariff = Tariff.Compile(text, file);

        var source = new SourceText(text, file);
        var actual = tariff.Diagnostics.Select(d => Format(d.Code, source, d.Span)).OrderBy(s => s, StringComparer.Ordinal).ToList();
        // Line and column of the diagnostic agree with its span.
        foreach (var d in tariff.Diagnostics) source.GetLineColumn(d.Span.Start).ShouldBe((d.Line, d.Column), d.ToString());

        actual.ShouldBe(expected.OrderBy(s => s, StringComparer.Ordinal).ToList(),
            $"{file}: actual diagnostics:\n"
                + string.Join("\n", tariff.Diagnostics.Select(d => "// expect: " + Format(d.Code, source, d.Span) + "   (" + d + ")")));
        // The tariff has errors exactly when one of the expected diagnostics is not a warning.
        tariff.HasErrors.ShouldBe(expected.Any(e => !WarningCodes.Contains(e.Split(' ')[0])));
        tariff.Diagnostics.Where(d => !d.IsError).Select(d => d.Code).ShouldAllBe(code => WarningCodes.Contains(code));
    }

    internal static string Format(string code, SourceText source, TextSpan span)
    {
        var (sl, sc) = source.GetLineColumn(span.Start);
        var (el, ec) = source.GetLineColumn(span.End);
        return $"{code} {sl}:{sc}-{el}:{ec}";
    }

    private static List<string> ReadExpectations(string text, string file)
    {
        var result = new List<string>();
        foreach (var line in text.Split('\n').Select(l => l.TrimEnd('\r')).TakeWhile(l => l.StartsWith("//", StringComparison.Ordinal)))
        {
            if (!line.Contains("expect:", StringComparison.Ordinal)) continue;
            var m = ExpectLine.Match(line);
            m.Success.ShouldBeTrue($"{file}: malformed expectation '{line}'");
            result.Add(
                $"{m.Groups["code"].Value} {m.Groups["sl"].Value}:{m.Groups["sc"].Value}-{m.Groups["el"].Value}:{m.Groups["ec"].Value}");
        }
        return result;
    }
}
