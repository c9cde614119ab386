using Shouldly;
using Xunit;

namespace TariffLang.Tests.Cli;

/// <summary><c>tariff fmt</c>: rewrites files in the canonical layout; <c>--check</c> lists the unformatted ones and exits 1.</summary>
public sealed class FmtCommandTests
{
    private const string Messy = """
        tariff t {
        currency EUR
          period month in "Europe/Paris"
            event sms(to: text)   // a comment that stays
          charge "SMS" per sms at 0.05 EUR
        }
        """;

    private static string Write(string text)
    {
        var path = Path.Combine(TestTemp.NewDirectory("tarifflang-fmt-"), "t.tariff");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Fmt_CheckOnAnUnformattedFile_ListsItExitsOneAndWritesNothing()
    {
        var path = Write(Messy);
        var result = CliHarness.Run("fmt", "--check", path);
        result.Exit.ShouldBe(1, result.ToString());
        result.Out.ShouldContain($"{path}: not formatted");
        File.ReadAllText(path).ShouldBe(Messy);
    }

    [Fact]
    public void Fmt_OnAnUnformattedFile_RewritesItKeepingCommentsAndThenChecksClean()
    {
        var path = Write(Messy);
        CliHarness.Run("fmt", path).Exit.ShouldBe(0);
        var formatted = File.ReadAllText(path);
        formatted.ShouldNotBe(Messy);
        formatted.ShouldContain("// a comment that stays");
        formatted.ShouldContain("\n  currency EUR\n");
        var again = CliHarness.Run("fmt", "--check", path);
        again.Exit.ShouldBe(0, again.ToString());
        Tariff.Compile(formatted, path).Diagnostics.ShouldBeEmpty();
    }

    [Fact]
    public void Fmt_AFileThatDoesNotParse_IsLeftAloneWithItsSyntaxErrorAndExitOne()
    {
        var path = Write("tariff t { currency EUR");
        var result = CliHarness.Run("fmt", path);
        result.Exit.ShouldBe(1);
        result.Out.ShouldContain("TL0001");
        File.ReadAllText(path).ShouldBe("tariff t { currency EUR");
    }

    [Fact]
    public void Fmt_BundledTariffsAndReferenceExamples_AreFormatted()
    {
        var root = Compilation.CompilerTestSupport.RepoRoot;
        var result = CliHarness.Run("fmt", "--check", Path.Combine(root, "tariffs"), Path.Combine(root, "docs", "examples"));
        result.Exit.ShouldBe(0, result.ToString());
    }
}
