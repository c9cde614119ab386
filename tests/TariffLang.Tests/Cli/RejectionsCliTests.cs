using System.Text.Json;
using Shouldly;
using TariffLang.Tests.Rating;
using Xunit;

namespace TariffLang.Tests.Cli;

/// <summary>Rejected rows on the command line: grouped by reason in text, written verbatim with --rejects, and exit codes.</summary>
public sealed class RejectionsCliTests
{
    private const string Source = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          param rate: money
          event sms(to: text)
          reject sms where to = "blocked" because "blocked number"
          charge "SMS" per sms at param rate
        }
        """;

    private const string Header = "time,account,event,to";

    [Fact]
    public void Rate_AccountWithoutItsContractValue_SaysSoOnceGroupsItsRowsAndExits1()
    {
        var (_, tariff, ledger) = EveryWay.Files(Source, Header,
            [.. Enumerable.Range(0, 8).Select(i => $"2024-01-10T10:0{i}:00Z,a,sms,x")]);
        var result = CliHarness.Run("rate", tariff, ledger);
        result.Exit.ShouldBe(1, result.ToString());
        result.Err.Split('\n').Count(l => l.Contains("missing contract parameter 'rate'")).ShouldBe(1);
        result.Err.ShouldContain("(8 row(s) rejected)");
        result.Out.ShouldContain("8 rows: account 'a': missing contract parameter 'rate'\n    rows 2, 3, 4, 5, 6 and 3 more\n");
    }

    [Fact]
    public void Rate_TwoAccountsWithoutTheirContractValue_CountEachAccountsRowsInTheOrderFirstSeen()
    {
        var (_, tariff, ledger) = EveryWay.Files(Source, Header,
            "2024-01-10T10:00:00Z,b,sms,x", "2024-01-10T10:01:00Z,a,sms,x", "2024-01-10T10:02:00Z,b,sms,x",
            "2024-01-10T10:03:00Z,b,sms,blocked", "2024-01-10T10:04:00Z,a,sms,x", "2024-01-10T10:05:00Z,b,sms,x");
        var result = CliHarness.Run("rate", tariff, ledger);
        result.Exit.ShouldBe(1, result.ToString());
        var lines = result.Err.Split('\n').Where(l => l.Contains("missing contract parameter")).ToList();
        lines.Count.ShouldBe(2, result.Err);
        lines[0].ShouldContain("account 'b'");
        lines[0].ShouldContain("(4 row(s) rejected)");
        lines[1].ShouldContain("account 'a'");
        lines[1].ShouldContain("(2 row(s) rejected)");
    }

    [Fact]
    public void Rate_StrictWithAnyRejection_Exits1_WithoutStrictExits0()
    {
        var (_, tariff, ledger) = EveryWay.Files(Source, Header, "2024-01-10T10:00:00Z,a,sms,blocked", "2024-01-10T10:01:00Z,a,sms,x");
        CliHarness.Run("rate", tariff, ledger, "--param", "rate=0.1").Exit.ShouldBe(0);
        var strict = CliHarness.Run("rate", tariff, ledger, "--param", "rate=0.1", "--strict");
        strict.Exit.ShouldBe(1, strict.ToString());
        strict.Err.ShouldContain("--strict: 1 row(s) rejected");
        strict.Out.ShouldContain("row 2: blocked number");
    }

    [Fact]
    public void Rate_RejectsFileOfACsvLedger_HoldsTheRejectedRecordsVerbatimWithTheirReason()
    {
        var dir = TestTemp.NewDirectory("tarifflang-rejects-");
        var tariff = Path.Combine(dir, "t.tariff");
        File.WriteAllText(tariff, Source);
        var ledger = Path.Combine(dir, "ledger.csv");
        // A blank line is no row; a quoted field may hold a line break.
        File.WriteAllText(ledger, Header + "\n\n2024-01-10T10:00:00Z,a,sms,\"blocked\"\n2024-01-10T10:01:00Z,a,sms,\"two\nlines\"\n"
            + "2024-01-10T10:02:00Z,a,sms,blocked\n");
        var rejects = Path.Combine(dir, "rejects.csv");

        var result = CliHarness.Run("rate", tariff, ledger, "--param", "rate=0.1", "--rejects", rejects);

        result.Exit.ShouldBe(0, result.ToString());
        File.ReadAllText(rejects).ShouldBe(Header + ",reason\n2024-01-10T10:00:00Z,a,sms,\"blocked\",\"blocked number\"\n"
            + "2024-01-10T10:02:00Z,a,sms,blocked,\"blocked number\"\n");
    }

    [Fact]
    public void Rate_RejectsFileOfAJsonLinesLedger_HoldsEachRejectedObjectWithItsRowAndReason()
    {
        var dir = TestTemp.NewDirectory("tarifflang-rejects-");
        var tariff = Path.Combine(dir, "t.tariff");
        File.WriteAllText(tariff, Source);
        var ledger = Path.Combine(dir, "ledger.jsonl");
        File.WriteAllText(ledger, """
            {"time":"2024-01-10T10:00:00Z","account":"a","event":"sms","to":"x"}
            {"time":"2024-01-10T10:01:00Z","account":"a","event":"sms","to":"blocked"}
            """);
        var rejects = Path.Combine(dir, "rejects.jsonl");

        CliHarness.Run("rate", tariff, ledger, "--param", "rate=0.1", "--rejects", rejects).Exit.ShouldBe(0);

        var line = File.ReadAllLines(rejects).ShouldHaveSingleItem();
        var json = JsonDocument.Parse(line).RootElement;
        json.GetProperty("row").GetInt32().ShouldBe(2);
        json.GetProperty("reason").GetString().ShouldBe("blocked number");
        json.GetProperty("record").GetProperty("to").GetString().ShouldBe("blocked");
    }
}

/// <summary>The text output of rate ends its invoices with the grand total over them.</summary>
public sealed class GrandTotalCliTests
{
    [Fact]
    public void Rate_SeveralInvoices_PrintsTheGrandTotalOverThem()
    {
        var root = Compilation.CompilerTestSupport.RepoRoot;
        var r = CliHarness.Run("rate", Path.Combine(root, "tariffs", "calendoc.tariff"),
            Path.Combine(root, "examples", "calendoc", "ledger.csv"),
            "--format", "json");
        var invoices = System.Text.Json.JsonDocument.Parse(r.Out).RootElement.GetProperty("invoices").EnumerateArray().ToList();
        var sum = invoices.Sum(i => decimal.Parse(i.GetProperty("total").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        var text = CliHarness.Run("rate", Path.Combine(root, "tariffs", "calendoc.tariff"),
            Path.Combine(root, "examples", "calendoc", "ledger.csv"));
        text.Out.ShouldContain(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Grand total: {sum:0.00} EUR over {invoices.Count} invoices of"));
    }
}

/// <summary>A --rejects file that cannot be written is a user error with the path, not a crash.</summary>
public sealed class RejectsFileErrorTests
{
    [Fact]
    public void Rate_RejectsIntoAMissingFolder_SaysSoAndExits1()
    {
        var (dir, tariff, ledger) = EveryWay.Files("""
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              event sms(to: text)
              reject sms where to = "blocked" because "blocked number"
              charge "SMS" per sms at 0.1 EUR
            }
            """, "time,account,event,to", "2024-01-10T10:00:00Z,a,sms,blocked");
        var target = Path.Combine(dir, "no-such-folder", "rejects.csv");
        var r = CliHarness.Run("rate", tariff, ledger, "--rejects", target);
        r.Exit.ShouldBe(1, r.ToString());
        r.Err.ShouldContain("cannot write --rejects");
    }
}
