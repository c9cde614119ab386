using TariffLang.Tests.Cli;

namespace TariffLang.Tests.Syntax;

/// <summary>Inputs built to break the parser: they must give diagnostics, never take the process down.</summary>
public sealed class HostileInputTests
{
    private const string Header = "tariff t {\n  currency EUR\n  period month in \"Europe/Paris\"\n  event sms(length: int)\n";

    private static string Charge(string amount) => Header + "  charge \"A\" = " + amount + "\n}\n";

    [Fact]
    public void Parser_TenThousandNots_ReportsTL0003()
    {
        var text = Header + "  let b = " + string.Concat(Enumerable.Repeat("not ", 10_000)) + "true\n  charge \"A\" = 1\n}\n";
        var tariff = Tariff.Compile(text, "nots.tariff");
        tariff.HasErrors.ShouldBeTrue();
        tariff.Diagnostics.Select(d => d.Code).ShouldBe(["TL0003"]);
    }

    [Fact]
    public void Parser_HundredThousandMinusSigns_ReportsTL0003()
    {
        var tariff = Tariff.Compile(Charge(new string('-', 100_000) + "1"), "minus.tariff");
        tariff.Diagnostics.Select(d => d.Code).ShouldBe(["TL0003"]);
    }

    [Fact]
    public void Parser_TwoHundredNestedParens_ReportsTL0003AtThe64thLevel()
    {
        var text = Charge(new string('(', 200) + "1" + new string(')', 200));
        var tariff = Tariff.Compile(text, "parens.tariff");
        var d = tariff.Diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0003");
        // The tariff's own '{' is level 1: the 64th '(' is level 65.
        var firstParen = text.IndexOf(new string('(', 200), StringComparison.Ordinal);
        d.Span.Start.ShouldBe(firstParen + 63);
        d.Span.Length.ShouldBe(1);
    }

    [Fact]
    public void Parser_TwoThousandTermSum_Compiles()
    {
        var tariff = Tariff.Compile(Charge(string.Join("+", Enumerable.Repeat("1", 2_000))), "sum.tariff");
        tariff.Diagnostics.ShouldBeEmpty();
    }

    [Fact]
    public void Cli_HundredThousandTermSum_DoesNotCrashTheProcess()
    {
        var dir = TestPaths.TempDir();
        var path = Path.Combine(dir, "plus.tariff");
        File.WriteAllText(path, Charge(string.Join("+", Enumerable.Repeat("1", 100_000))));
        var result = CliHarness.RunProcess(TimeSpan.FromMinutes(2), "check", path);
        result.Err.ShouldNotContain("Stack overflow");
        result.Exit.ShouldBeOneOf(0, 1);
    }

    [Fact]
    public void Cli_TenThousandNestedIfs_DoesNotCrashTheProcess()
    {
        var dir = TestPaths.TempDir();
        var path = Path.Combine(dir, "ifs.tariff");
        File.WriteAllText(path,
            Charge(string.Concat(Enumerable.Repeat("if true then ", 10_000)) + "1" + string.Concat(Enumerable.Repeat(" else 2", 10_000))));
        var result = CliHarness.RunProcess(TimeSpan.FromMinutes(2), "check", path);
        result.Err.ShouldNotContain("Stack overflow");
        result.Exit.ShouldBe(1);
    }

    [Fact]
    public void Cli_TenThousandNots_ExitsOneWithTL0003()
    {
        var dir = TestPaths.TempDir();
        var path = Path.Combine(dir, "nots.tariff");
        File.WriteAllText(path, Header + "  let b = " + string.Concat(Enumerable.Repeat("not ", 10_000)) + "true\n  charge \"A\" = 1\n}\n");
        var result = CliHarness.RunProcess(TimeSpan.FromMinutes(2), "check", path);
        result.Exit.ShouldBe(1, result.ToString());
        result.Out.ShouldContain("error TL0003");
    }

    [Fact]
    public void Compile_EmptyAndGarbageText_ReportsDiagnosticsWithoutThrowing()
    {
        foreach (var text in new[] { "", "}", "tariff", "tariff t {", "\0\0\0",
            "tariff t { currency EUR period month in \"Europe/Paris\" event e( }" })
        {
            var tariff = Tariff.Compile(text, "garbage.tariff");
            tariff.HasErrors.ShouldBeTrue(text);
            tariff.Diagnostics.ShouldNotBeEmpty(text);
            tariff.Diagnostics.ShouldAllBe(d => d.Code.StartsWith("TL", StringComparison.Ordinal));
        }
    }
}
