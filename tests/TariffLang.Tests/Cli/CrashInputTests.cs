namespace TariffLang.Tests.Cli;

/// <summary>
/// Inputs that took a verb down (an unhandled exception, exit 134, no output) or ran it for minutes. Each now ends as a
/// diagnostic, a rejected row or a bounded report, in process: an exception here fails the test instead of the run.
/// </summary>
public sealed class CrashInputTests
{
    private static string Write(string tariff, string name = "t.tariff")
    {
        var path = Path.Combine(TestPaths.TempDir(), name);
        File.WriteAllText(path, tariff);
        return path;
    }

    private static string Header(string zone = "Europe/Paris") => $$"""
        tariff t {
          currency EUR
          period month in "{{zone}}"
          event call(d: duration, contact: text)

        """;

    [Fact]
    public void Check_DateTimeBeforeYearOneInTheTariffsZone_ReportsTL0070AtTheLiteral()
    {
        // Local midnight of 0001-01-01 in Paris is still year 0 in UTC.
        var path = Write(Header() + "  reject call where time < 0001-01-01T00:00 because \"early\"\n}\n");

        var r = CliHarness.Run("check", path);

        r.Exit.ShouldBe(1, r.ToString());
        r.OutLines.ShouldBe(
            [$"{path}:5:28: error TL0070: date and time 0001-01-01T00:00 falls outside the years 1900–2999 that rating supports"]);
    }

    [Theory]
    [InlineData("  window w 2147483647h per contact, opened by call\n", "5:12", "2147483647h")]
    [InlineData("  reject call where time + 10675200d > time because \"late\"\n", "5:28", "10675200d")]
    public void Check_DurationBeyondTimeSpan_ReportsTL0071AtTheLiteral(string line, string at, string literal)
    {
        var path = Write(Header() + line + "}\n");

        var r = CliHarness.Run("check", path);

        r.Exit.ShouldBe(1, r.ToString());
        r.OutLines.ShouldBe(
            [$"{path}:{at}: error TL0071: duration '{literal}' is longer than 36525d (100 years), the longest a tariff may write"]);
    }

    [Fact]
    public void Test_ExampleAfterBeyondTimeSpan_ReportsTL0071InsteadOfRunning()
    {
        var path = Write(Header() + """
              charge "A" = count(call) * 0.1
              example "e" {
                call(d: "1:00:00", contact: "a")
                after 10675200d call(d: "1:00:00", contact: "a")
                expect total 0.20
              }
            }
            """);

        var r = CliHarness.Run("test", path);

        r.Exit.ShouldBe(1, r.ToString());
        r.Out.ShouldContain($"{path}:8:11: error TL0071: duration '10675200d'");
        r.OutLines[^1].ShouldBe("0 passed, 1 failed");
    }

    [Theory]
    [InlineData("interpreted")]
    [InlineData("compiled")]
    public void Rate_WindowOfTwentySevenThousandYears_IsRefusedByTheChecker(string engine)
    {
        // 236,682,000 hours fit a TimeSpan, so this window passed 'check'; no window needs to outlast a century.
        var tariff = Write(Header() + """
              window service 236682000h per contact, opened by call
              charge "Out" per call where not within service at 1 EUR
            }
            """);
        var ledger = Path.Combine(TestPaths.TempDir(), "ledger.csv");
        File.WriteAllText(ledger, "time,account,event,d,contact\n2024-01-05T10:00:00+01:00,a,call,01:00:00,x\n");

        var r = CliHarness.Run("rate", tariff, ledger, "--engine", engine);

        r.Exit.ShouldBe(1, r.ToString());
        r.Err.ShouldStartWith($"{tariff}:5:18: error TL0071: duration '236682000h'");
        r.Out.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("interpreted")]
    [InlineData("compiled")]
    public void Rate_DurationBeyondAHundredYearsOrWrittenAsAClock_RejectsThatRowAlone(string engine)
    {
        var tariff = Write(Header() + """
              reject call where time + d < time because "negative"
              charge "Calls" per call at 1 EUR
            }
            """);
        var ledger = Path.Combine(TestPaths.TempDir(), "ledger.csv");
        File.WriteAllText(ledger, """
            time,account,event,d,contact
            2024-01-05T10:00:00+01:00,a,call,P40000D,x
            2024-01-05T11:00:00+01:00,a,call,PT1H,x
            2024-01-05T12:00:00+01:00,b,call,1:20,x
            2024-01-05T13:00:00+01:00,b,call,300,x

            """);

        var r = CliHarness.Run("rate", tariff, ledger, "--engine", engine, "--to", "2024-01");

        r.Exit.ShouldBe(0, r.ToString());
        r.Out.ShouldContain("row 2: attribute 'd': 'P40000D' is longer than 36525d (100 years)");
        r.Out.ShouldContain("row 4: attribute 'd': '1:20' is ambiguous");
        r.Out.ShouldContain("Account:  a");
        r.Out.ShouldContain("Account:  b");
        r.OutLines[^1].ShouldBe("rows: 4, rated: 2, free: 0, rejected: 2");
    }

    [Fact]
    public void Test_ExamplesBeyondTheRowBudget_ReportTL0072WithoutBuildingThem()
    {
        var path = Write(Header("UTC") + """
              charge "A" = count(call) * 0.1
              example "three million" {
                1000000 call(d: "1:00:00", contact: "a")
                1000000 call(d: "1:00:00", contact: "a")
                1000000 call(d: "1:00:00", contact: "a")
                expect total 300000
              }
            }
            """);

        var r = CliHarness.Run("test", path);

        r.Exit.ShouldBe(1, r.ToString());
        r.OutLines.ShouldBe([
            $"{path}:7:5: error TL0072: the examples would hold more than 100000 rows in all: this usage goes past that budget",
            $"FAIL {path}: the tariff has errors, its examples cannot run",
            "0 passed, 1 failed",
        ]);
    }

    [Fact]
    public void Test_RepeatedRowsFailingTheirOutcome_PrintTwentyLinesAndHowManyMore()
    {
        var path = Write(Header() + """
              charge "A" per call at 1 EUR
              example "all rated, said free" {
                50 call(d: 1h, contact: "a") => free
                expect total 50
              }
            }
            """);

        var r = CliHarness.Run("test", path);

        r.Exit.ShouldBe(1, r.ToString());
        var rows = r.OutLines.Where(l => l.Contains("line 7: 'call'", StringComparison.Ordinal)).ToList();
        rows.Count.ShouldBe(21);
        rows.Take(20).ShouldAllBe(l => l.Contains("expected free, got rated", StringComparison.Ordinal));
        rows[20].ShouldBe($"    {path}:line 7: 'call': … and 30 more row(s) not free");
        r.OutLines[^1].ShouldBe("0 passed, 1 failed");
    }
}
