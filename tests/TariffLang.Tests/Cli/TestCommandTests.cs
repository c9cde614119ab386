using System.Xml.Linq;
using Shouldly;
using Xunit;

namespace TariffLang.Tests.Cli;

/// <summary><c>tariff test</c> as a test runner: failures with their lines and invoices, JUnit XML, rule coverage.</summary>
public sealed class TestCommandTests
{
    // Two rules and two charges; the examples exercise one rule and one charge, and one expectation is wrong.
    private const string Source = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          event sms(to: text)
          event fax(to: text)
          reject sms where to = "blocked" because "blocked number"
          free sms where to = "test" because "test number"
          charge "SMS" per sms at 0.10 EUR
          charge "Fax" per fax at 1 EUR

          example "two SMS" {
            2 sms(to: "x")
            sms(to: "blocked")
            expect line "SMS" amount 0.20
            expect total 0.30
          }
        }
        """;

    private static string Write()
    {
        var path = Path.Combine(TestTemp.NewDirectory("tarifflang-test-"), "t.tariff");
        File.WriteAllText(path, Source);
        return path;
    }

    [Fact]
    public void Test_FailingExpectation_ShowsItsFileLineFiguresAndTheInvoice()
    {
        var path = Write();
        var r = CliHarness.Run("test", path);
        r.Exit.ShouldBe(1, r.ToString());
        // The wrong expectation is on line 15 of the file.
        r.Out.ShouldContain($"{path}:line 15: expected total 0.30, got 0.20");
        r.Out.ShouldContain("the invoices it read:");
        r.Out.ShouldContain("SMS");
        r.OutLines[^1].ShouldBe("0 passed, 1 failed");
    }

    [Fact]
    public void Test_Coverage_NamesWhatNoExampleExercised_AndMinCoverageFails()
    {
        var path = Write();
        var r = CliHarness.Run("test", "--coverage", path);
        // reject (reached), free (not), charge SMS (reached), charge Fax (not): 2 of 4.
        r.Out.ShouldContain("50% (2 of 4");
        r.Out.ShouldContain($"not exercised: {path}:line 7: free sms \"test number\"");
        r.Out.ShouldContain($"not exercised: {path}:line 9: charge \"Fax\"");
        r.Out.ShouldNotContain("blocked number\"\n");
        var strict = CliHarness.Run("test", "--min-coverage", "60", path);
        strict.Out.ShouldContain("below --min-coverage 60%");
        strict.Exit.ShouldBe(1);
    }

    [Fact]
    public void Test_JUnit_IsWellFormedWithTheFailureAndItsMessage()
    {
        var path = Write();
        var r = CliHarness.Run("test", "--format", "junit", path);
        r.Exit.ShouldBe(1);
        var xml = XDocument.Parse(r.Out);
        xml.Root!.Name.LocalName.ShouldBe("testsuites");
        var testcase = xml.Descendants("testcase").ShouldHaveSingleItem();
        testcase.Attribute("name")!.Value.ShouldBe("two SMS");
        testcase.Attribute("line")!.Value.ShouldBe("11");
        testcase.Element("failure")!.Value.ShouldContain("line 15: expected total 0.30, got 0.20");
    }

    [Fact]
    public void Test_VendorTariffs_ReportTheirCoverage()
    {
        var r = CliHarness.Run("test", "--coverage", TestPaths.Tariffs);
        r.Exit.ShouldBe(0, r.ToString());
        r.OutLines.Count(l => l.StartsWith("coverage ", StringComparison.Ordinal))
            .ShouldBe(Directory.GetFiles(TestPaths.Tariffs, "*.tariff").Length);
    }

    [Fact]
    public void Test_Coverage_NamesTheTableCellsNoExampleRead()
    {
        var path = Path.Combine(TestTemp.NewDirectory("tarifflang-test-"), "t.tariff");
        File.WriteAllText(path, """
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              event sms(zone: text)
              table price by (zone): money {
                "fr": 0.05 EUR
                "be": 0.07 EUR
              }
              charge "SMS" per sms at price[zone]
              example "France" {
                sms(zone: "fr")
                expect total 0.05
              }
            }
            """);
        var r = CliHarness.Run("test", "--coverage", path);
        r.Exit.ShouldBe(0, r.ToString());
        r.Out.ShouldContain($"not exercised: {path}:line 7: table price cell \"be\"");
        r.Out.ShouldNotContain("cell \"fr\"");
    }
}
