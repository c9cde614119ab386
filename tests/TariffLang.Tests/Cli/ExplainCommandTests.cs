using System.Text.Json;
using Shouldly;
using Xunit;

namespace TariffLang.Tests.Cli;

/// <summary><c>tariff explain</c>: filters by account and row, JSON, and where in the tariff each outcome was decided.</summary>
public sealed class ExplainCommandTests
{
    /// <summary>A rated, a free and a rejected SMS: also the service's HTTP tests' tariff.</summary>
    internal const string Source = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          event sms(to: text)
          reject sms where to = "blocked" because "blocked number"
          free sms where to = "test" because "test number"
          charge "SMS" per sms at 0.10 EUR
        }
        """;

    private static (string Tariff, string Ledger) Files() => Rating.EveryWay.Files(Source, "time,account,event,to",
        "2024-01-10T10:00:00Z,a,sms,x", "2024-01-10T10:01:00Z,a,sms,blocked", "2024-01-10T10:02:00Z,b,sms,test") switch
    {
        var (_, t, l) => (t, l),
    };

    [Fact]
    public void Explain_Text_PointsEachOutcomeAtTheTariffLineThatDecidedIt()
    {
        var (tariff, ledger) = Files();
        var r = CliHarness.Run("explain", tariff, ledger);
        r.Exit.ShouldBe(0, r.ToString());
        r.Out.ShouldContain("row 2: a sms 2024-01-10T10:00:00+00:00: rated: SMS");
        r.Out.ShouldContain($"[{tariff}:7:3]");
        r.Out.ShouldContain($"row 3: a sms 2024-01-10T10:01:00+00:00: rejected: blocked number [{tariff}:5:3]");
        r.Out.ShouldContain($"free: test number [{tariff}:6:3]");
    }

    [Fact]
    public void Explain_AccountAndRowFilters_ShowOnlyThoseRowsButCountAll()
    {
        var (tariff, ledger) = Files();
        var byAccount = CliHarness.Run("explain", tariff, ledger, "--account", "b");
        byAccount.OutLines.Where(l => l.StartsWith("row ", StringComparison.Ordinal)).ShouldHaveSingleItem()
            .ShouldStartWith("row 4: b sms");
        byAccount.OutLines[^1].ShouldBe("rows: 3, rated: 1, free: 1, rejected: 1");
        var byRow = CliHarness.Run("explain", tariff, ledger, "--row", "2,3");
        byRow.OutLines.Count(l => l.StartsWith("row ", StringComparison.Ordinal)).ShouldBe(2);
    }

    [Fact]
    public void Explain_Json_GivesEachRowItsOutcomeDetailAndSources()
    {
        var (tariff, ledger) = Files();
        var r = CliHarness.Run("explain", tariff, ledger, "--format", "json", "--row", "3");
        r.Exit.ShouldBe(0, r.ToString());
        var row = JsonDocument.Parse(r.Out).RootElement.GetProperty("rows").EnumerateArray().ShouldHaveSingleItem();
        row.GetProperty("outcome").GetString().ShouldBe("rejected");
        row.GetProperty("detail").GetString().ShouldBe("blocked number");
        row.GetProperty("sources")[0].GetString().ShouldBe($"{tariff}:5:3");
    }

    [Fact]
    public void Explain_Json_GivesEachInvoiceLineTheRowsThatFedIt()
    {
        var (tariff, ledger) = Files();
        var r = CliHarness.Run("explain", tariff, ledger, "--format", "json");
        var line = JsonDocument.Parse(r.Out).RootElement.GetProperty("lines").EnumerateArray().ShouldHaveSingleItem();
        (line.GetProperty("account").GetString(), line.GetProperty("label").GetString(), line.GetProperty("amount").GetString())
            .ShouldBe(("a", "SMS", "0.10"));
        line.GetProperty("rows").EnumerateArray().Select(x => x.GetInt32()).ShouldBe([2]);
    }

    [Fact]
    public void Explain_Json_ALineListsOnlyTheRowsOfItsOwnChargeWhenLabelsOverlap()
    {
        // "SMS" is inside "SMS premium": the line of "SMS" must not list the row that only "SMS premium" rated.
        const string source = """
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              event sms(to: text)
              charge "SMS" per sms where to = "x" at 0.10 EUR
              charge "SMS premium" per sms where to = "premium" at 1.00 EUR
            }
            """;
        var (_, tariff, ledger) = Rating.EveryWay.Files(source, "time,account,event,to",
            "2024-01-10T10:00:00Z,a,sms,x", "2024-01-10T10:01:00Z,a,sms,premium", "2024-01-10T10:02:00Z,a,sms,x");
        var r = CliHarness.Run("explain", tariff, ledger, "--format", "json");
        r.Exit.ShouldBe(0, r.ToString());
        var lines = JsonDocument.Parse(r.Out).RootElement.GetProperty("lines").EnumerateArray().ToDictionary(
            l => l.GetProperty("label").GetString()!,
            l => l.GetProperty("rows").EnumerateArray().Select(x => x.GetInt32()).ToArray());
        lines["SMS"].ShouldBe([2, 4]);
        lines["SMS premium"].ShouldBe([3]);
    }

    [Fact]
    public void Explain_Json_ATieredLineShowsItsBandAndTheRowsInIt()
    {
        var tariff = Path.Combine(Compilation.CompilerTestSupport.RepoRoot, "docs", "examples", "tiers_graduated.tariff");
        var (_, _, ledger) = Rating.EveryWay.Files("", "time,account,event,quantity,to", "2024-01-10T10:00:00Z,a,sms,1500,x");
        var r = CliHarness.Run("explain", tariff, ledger, "--format", "json");
        var second = JsonDocument.Parse(r.Out).RootElement.GetProperty("lines").EnumerateArray()
            .Single(l => l.GetProperty("label").GetString() == "SMS (1000 to 10000)");
        second.GetProperty("band").GetProperty("flatFee").GetString().ShouldBe("5.00");
        second.GetProperty("amount").GetString().ShouldBe("25.00");
        second.GetProperty("rows").EnumerateArray().Select(x => x.GetInt32()).ShouldBe([2]);
    }

    private const string SharedSource = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          unit sms, mb
          event sms(to: text)
          event data(mb: number)
          charge "SMS" = count(sms) * 1 sms at 0.0333 EUR per sms
          charge "Data" = sum(data, mb) * 1 mb at 0.01 EUR per mb
          charge "Calls" per sms where to = "call" at 0.333 EUR
        }
        """;

    private static JsonElement ExplainShared()
    {
        var (_, tariff, ledger) = Rating.EveryWay.Files(SharedSource, "time,account,event,to,mb",
            "2024-01-10T10:00:00Z,a,sms,call,", "2024-01-10T10:01:00Z,a,sms,call,", "2024-01-10T10:02:00Z,a,sms,call,",
            "2024-01-10T11:00:00Z,a,data,,1", "2024-01-10T11:01:00Z,a,data,,2", "2024-01-10T11:02:00Z,a,data,,4");
        var r = CliHarness.Run("explain", tariff, ledger, "--format", "json");
        r.Exit.ShouldBe(0, r.ToString());
        return JsonDocument.Parse(r.Out).RootElement;
    }

    private static string[] Shares(JsonElement root, string label) => root.GetProperty("rows").EnumerateArray()
        .SelectMany(row => row.TryGetProperty("shares", out var shares) ? shares.EnumerateArray() : [])
        .Where(s => s.GetProperty("label").GetString() == label)
        .Select(s => s.GetProperty("amount").GetString() + "/" + s.GetProperty("of").GetString()).ToArray();

    [Fact]
    public void Explain_Json_APeriodLineIsDividedAmongItsRowsToTheCent()
    {
        var root = ExplainShared();
        // 3 × 0.0333 = 0.0999, billed 0.10: a third each is 3.33 cents, the cent left over goes to the first row.
        Shares(root, "SMS").ShouldBe(["0.04/0.10", "0.03/0.10", "0.03/0.10"]);
        // A sum is divided by what each row added: 1, 2 and 4 MB of 0.07.
        Shares(root, "Data").ShouldBe(["0.01/0.07", "0.02/0.07", "0.04/0.07"]);
        var sms = root.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("label").GetString() == "SMS");
        (sms.GetProperty("amount").GetString(), sms.GetProperty("unrounded").GetString()).ShouldBe(("0.10", "0.0999"));
        sms.GetProperty("source").GetString().ShouldEndWith(".tariff:7:3");
    }

    [Fact]
    public void Explain_Json_APerEventLineIsDividedByEachRowsOwnAmount()
    {
        var root = ExplainShared();
        // 3 × 0.333 = 0.999, billed 1.00.
        Shares(root, "Calls").ShouldBe(["0.34/1.00", "0.33/1.00", "0.33/1.00"]);
        var calls = root.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("label").GetString() == "Calls");
        calls.GetProperty("unrounded").GetString().ShouldBe("0.999");
    }

    [Fact]
    public void Explain_Text_ShowsEachRowsShareOfTheLinesItFed()
    {
        var (_, tariff, ledger) = Rating.EveryWay.Files(SharedSource, "time,account,event,to,mb", "2024-01-10T11:00:00Z,a,data,,250");
        var r = CliHarness.Run("explain", tariff, ledger);
        r.Out.ShouldContain("— share: Data 2.50 of 2.50");
    }
}
