using Shouldly;
using Xunit;

namespace TariffLang.Tests.Cli;

/// <summary>The command line as a library parses it: per-verb help, --version, suggestions, --option=value, unknown options.</summary>
public sealed class CliParsingTests
{
    private static string Calendoc => Path.Combine(TestPaths.Tariffs, "calendoc.tariff");

    private static string CalendocLedger => Path.Combine(Compilation.CompilerTestSupport.RepoRoot, "examples", "calendoc", "ledger.csv");

    [Fact]
    public void Help_OfAVerb_ShowsItsArgumentsOptionsAndAnExample()
    {
        var r = CliHarness.Run("rate", "--help");
        r.Exit.ShouldBe(0, r.ToString());
        r.Out.ShouldContain("<tariff>");
        r.Out.ShouldContain("--rejects");
        r.Out.ShouldContain("tariff rate tariffs/calendoc.tariff examples/calendoc/ledger.csv");
        r.Out.ShouldNotContain("--plans");
    }

    [Fact]
    public void Version_PrintsTheToolsVersion()
    {
        var r = CliHarness.Run("--version");
        r.Exit.ShouldBe(0, r.ToString());
        r.Out.ShouldStartWith("0.1.0");
    }

    [Fact]
    public void MistypedVerb_IsAUsageErrorSuggestingTheVerbMeant()
    {
        var r = CliHarness.Run("rat", Calendoc, CalendocLedger);
        r.Exit.ShouldBe(2, r.ToString());
        r.Err.ShouldContain("'rat'");
        r.Out.ShouldContain("rate");
    }

    [Fact]
    public void OptionWithEquals_IsRead()
    {
        var r = CliHarness.Run("rate", Calendoc, CalendocLedger, "--format=json");
        r.Exit.ShouldBe(0, r.ToString());
        r.Out.TrimStart().ShouldStartWith("{");
    }

    [Fact]
    public void OptionAVerbDoesNotHave_IsRefused()
    {
        var r = CliHarness.Run("check", Calendoc, "--plans", "A");
        r.Exit.ShouldBe(2, r.ToString());
        r.Err.ShouldContain("--plans");
    }
}

/// <summary>"-" reads a ledger or a tariff from stdin (run as a child process, which has a stdin of its own).</summary>
public sealed class CliStdinTests
{
    [Fact]
    public void Rate_LedgerFromStdin_RatesItLikeTheFile()
    {
        var root = Compilation.CompilerTestSupport.RepoRoot;
        var tariff = Path.Combine(root, "tariffs", "calendoc.tariff");
        var ledger = Path.Combine(root, "examples", "calendoc", "ledger.csv");
        var fromFile = CliHarness.Run("rate", tariff, ledger, "--format", "json");
        var fromStdin = CliHarness.RunProcessWithInput(TimeSpan.FromMinutes(2), File.ReadAllText(ledger), "rate", tariff, "-", "--format",
            "json");
        fromStdin.Exit.ShouldBe(0, fromStdin.ToString());
        fromStdin.Out.ShouldBe(fromFile.Out);
    }

    [Fact]
    public void Check_TariffFromStdin_ReportsItsErrors()
    {
        var r = CliHarness.RunProcessWithInput(TimeSpan.FromMinutes(2), "tariff t { currency EUR", "check", "-");
        r.Exit.ShouldBe(1, r.ToString());
        r.Out.ShouldContain("TL0001");
    }
}

/// <summary><c>tariff check --format json</c>: the diagnostics as data, for editors and CI.</summary>
public sealed class CheckJsonTests
{
    [Fact]
    public void Check_Json_GivesEachFileItsDiagnosticsWithCodeAndPlace()
    {
        var path = Path.Combine(TestTemp.NewDirectory("tarifflang-check-json-"), "t.tariff");
        File.WriteAllText(path,
            "tariff t {\n  currency EUR\n  period month in \"Europe/Paris\"\n  charge \"A\" = count(smss) * 1 EUR\n}\n");
        var r = CliHarness.Run("check", "--format", "json", path);
        r.Exit.ShouldBe(1, r.ToString());
        var file = System.Text.Json.JsonDocument.Parse(r.Out).RootElement.EnumerateArray().ShouldHaveSingleItem();
        file.GetProperty("ok").GetBoolean().ShouldBeFalse();
        var diagnostic = file.GetProperty("diagnostics").EnumerateArray().First();
        diagnostic.GetProperty("code").GetString().ShouldBe("TL0004");
        (diagnostic.GetProperty("line").GetInt32(), diagnostic.GetProperty("column").GetInt32()).ShouldBe((4, 22));
    }
}
