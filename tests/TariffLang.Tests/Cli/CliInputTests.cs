namespace TariffLang.Tests.Cli;

/// <summary>The CLI refuses inputs it cannot honour, with the exit code of the contract, instead of guessing.</summary>
public sealed class CliInputTests
{
    private static string Tariff(string name) => Path.Combine(TestPaths.Tariffs, name);

    private static string Example(string vendor, string file) => Path.Combine(TestPaths.RepoRoot, "examples", vendor, file);

    [Fact]
    public void Rate_LedgerWithABrokenHeader_ExitsOneAndNamesTheProblem()
    {
        var dir = TestPaths.TempDir();
        var ledger = Path.Combine(dir, "l.csv");
        File.WriteAllText(ledger, "Time,account,event\n2024-01-03T09:15:00+01:00,a,email\n");

        var r = CliHarness.Run("rate", Tariff("calendoc.tariff"), ledger, "--format", "json", "--engine", "interpreted");

        r.Exit.ShouldBe(1, r.ToString());
        r.Err.ShouldContain("'time'");
        r.Out.ShouldContain("\"rows\": 1");
    }

    [Fact]
    public void Rate_EmptyLedger_ExitsOne()
    {
        var dir = TestPaths.TempDir();
        var ledger = Path.Combine(dir, "empty.csv");
        File.WriteAllText(ledger, "");

        CliHarness.Run("rate", Tariff("calendoc.tariff"), ledger, "--engine", "interpreted").Exit.ShouldBe(1);
    }

    [Theory]
    [InlineData("9999-12")]
    [InlineData("1800-01")]
    [InlineData("2024-13")]
    public void Rate_PeriodOutsideTheSupportedYears_IsAUsageError(string period)
    {
        var r = CliHarness.Run("rate", Tariff("calendoc.tariff"), Example("calendoc", "ledger.csv"), "--period", period);

        r.Exit.ShouldBe(2, r.ToString());
        r.Err.ShouldContain("--period");
    }

    [Fact]
    public void Rate_UndeclaredParam_IsAUsageErrorNamingIt()
    {
        var r = CliHarness.Run("rate", Tariff("aircall.tariff"), Example("aircall", "ledger.csv"), "--param", "licence_prce=15", "--engine",
            "interpreted");

        r.Exit.ShouldBe(2, r.ToString());
        r.Err.ShouldContain("licence_prce");
        r.Err.ShouldContain("licence_price");
    }

    [Fact]
    public void Rate_AccountsWithAnUndeclaredColumn_WarnsButRates()
    {
        var dir = TestPaths.TempDir();
        var accounts = Path.Combine(dir, "accounts.csv");
        File.WriteAllText(accounts,
            File.ReadAllText(Example("web1on1", "accounts.csv")).Replace("enterprise_fee", "enterprise_fe", StringComparison.Ordinal));

        var r = CliHarness.Run("rate", Tariff("web1on1.tariff"), Example("web1on1", "ledger.csv"), "--accounts", accounts, "--engine",
            "interpreted");

        // It warns about the misspelt column; the account that needed it (and the bundled account without a contract) then
        // lack a value the tariff needs, which fails the run, naming it.
        r.Exit.ShouldBe(1, r.ToString());
        r.Err.ShouldContain("'enterprise_fe'");
        r.Err.ShouldContain("missing contract parameter 'enterprise_fee'");
        r.Out.ShouldContain("rows: ");
    }

    [Theory]
    [InlineData("check")]
    [InlineData("test")]
    public void CheckAndTest_OnAFolderWithoutTariffs_AreUsageErrors(string command)
    {
        var r = CliHarness.Run(command, TestPaths.TempDir());

        r.Exit.ShouldBe(2, r.ToString());
        r.Err.ShouldContain("no .tariff file");
    }

    [Fact]
    public void Compare_APlanThatCannotRateAnAccount_MarksItsTotalIncomplete()
    {
        var r = CliHarness.Run("compare", Tariff("web1on1.tariff"), Example("web1on1", "ledger.csv"),
            "--accounts", Example("web1on1", "accounts.csv"), "--plans", "GROW,ENTERPRISE", "--engine", "interpreted");

        r.Exit.ShouldBe(0, r.ToString());
        var total = r.OutLines.Single(l => l.StartsWith("total", StringComparison.Ordinal));
        total.ShouldEndWith("incomplete");
        r.Out.ShouldContain("could not be rated on that plan");
    }

    [Fact]
    public void Compare_TariffWithoutPlans_IsAUserError()
    {
        var r = CliHarness.Run("compare", Tariff("calendoc.tariff"), Example("calendoc", "ledger.csv"), "--plans", "A", "--engine",
            "interpreted");

        r.Exit.ShouldBe(1, r.ToString());
        r.Err.ShouldContain("no plans");
    }

    [Fact]
    public void Help_AfterACommand_PrintsUsage()
    {
        var r = CliHarness.Run("test", "--help");

        r.Exit.ShouldBe(0, r.ToString());
        r.Out.ShouldContain("tariff test");
    }
}
