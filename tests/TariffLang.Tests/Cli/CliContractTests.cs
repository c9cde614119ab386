using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TariffLang.Tests.Evaluation;

namespace TariffLang.Tests.Cli;

/// <summary>The command-line contract of DESIGN.md: exit codes, diagnostics format, `test` summary, invoice JSON.</summary>
public sealed class CliContractTests
{
    private static string Calendoc => Path.Combine(TestPaths.Tariffs, "calendoc.tariff");
    private static string Web1on1 => Path.Combine(TestPaths.Tariffs, "web1on1.tariff");
    private static string Rating(string name, string file) => Path.Combine(TestPaths.Cases, "Rating", name, file);
    private static string Diagnostics(string file) => Path.Combine(TestPaths.Cases, "Diagnostics", file);
    private static string Web1on1Ledger => Path.Combine(TestPaths.Cases, "Cli", "web1on1.csv");

    private static readonly Regex Money = new(@"^-?\d+\.\d{2}$");

    // ---- exit codes and usage errors ----

    [Fact]
    public void Cli_NoArguments_Exits2WithUsage()
    {
        var r = CliHarness.Run();
        r.Exit.ShouldBe(2);
        r.Err.ShouldContain("usage");
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("check")]
    [InlineData("rate")]
    [InlineData("explain")]
    [InlineData("compare")]
    public void Cli_UnknownCommandOrMissingArguments_Exits2(string command)
    {
        var r = CliHarness.Run(command);
        r.Exit.ShouldBe(2, r.ToString());
        r.Err.ShouldNotBeEmpty();
    }

    [Fact]
    public void Cli_RateWithOnlyATariff_Exits2()
    {
        CliHarness.Run("rate", Calendoc).Exit.ShouldBe(2);
    }

    [Fact]
    public void Compare_Json_GivesEachPlansTotalsAndTheCheapest()
    {
        var examples = Path.Combine(Compilation.CompilerTestSupport.RepoRoot, "examples", "web1on1");
        var r = CliHarness.Run("compare", Web1on1, Path.Combine(examples, "ledger.csv"), "--accounts",
            Path.Combine(examples, "accounts.csv"),
            "--format", "json");
        r.Exit.ShouldBe(0, r.ToString());
        var root = System.Text.Json.JsonDocument.Parse(r.Out).RootElement;
        root.GetProperty("cheapest").GetString().ShouldBe("GROW");
        root.GetProperty("totals").GetProperty("GROW").GetString().ShouldBe("7810.32");
        // ENTERPRISE cannot rate every account (its contract values are missing for some): no total.
        root.GetProperty("totals").GetProperty("ENTERPRISE").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        root.GetProperty("rows").GetArrayLength().ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Compare_WithoutPlans_ComparesEveryPlanAndNamesTheCheapest()
    {
        var examples = Path.Combine(Compilation.CompilerTestSupport.RepoRoot, "examples", "web1on1");
        var r = CliHarness.Run("compare", Web1on1, Path.Combine(examples, "ledger.csv"), "--accounts",
            Path.Combine(examples, "accounts.csv"));
        r.Exit.ShouldBe(0, r.ToString());
        var header = r.OutLines[0];
        foreach (var plan in new[] { "BASE", "GROW", "SCALE", "ENTERPRISE" }) header.ShouldContain(plan);
        r.Out.ShouldContain("cheapest: GROW (7810.32)");
    }

    [Theory]
    [InlineData("--bogus", "x")]
    [InlineData("--period", "2024-13")]
    [InlineData("--period", "January")]
    [InlineData("--from", "2024-00")]
    [InlineData("--to", "24-01")]
    [InlineData("--format", "xml")]
    [InlineData("--param", "novalue")]
    [InlineData("--engine", "turbo")]
    public void Cli_BadOption_Exits2(string option, string value)
    {
        var r = CliHarness.Run("rate", Calendoc, Rating("multi_month", "ledger.csv"), option, value);
        r.Exit.ShouldBe(2, r.ToString());
        r.Err.ShouldContain(option);
    }

    [Fact]
    public void Rate_FromAfterTo_Exits2()
    {
        var r = CliHarness.Run("rate", Calendoc, Rating("multi_month", "ledger.csv"), "--from", "2024-03", "--to", "2024-01");
        r.Exit.ShouldBe(2, r.ToString());
        r.Err.ShouldContain("2024-03");
    }

    [Fact]
    public void Rate_ToGiven_RatesEveryAccountThroughItAndRejectsLaterRows()
    {
        // bravo's last row is in February: through --to 2024-02 it gets no March invoice, and acme's March row is rejected.
        var r = CliHarness.Run("rate", Calendoc, Rating("multi_month", "ledger.csv"), "--to", "2024-02", "--format", "json");
        r.Exit.ShouldBe(0, r.ToString());
        var json = System.Text.Json.Nodes.JsonNode.Parse(r.Out)!;
        json["invoices"]!.AsArray().Select(i => (string)i!["period"]!["from"]!).ShouldAllBe(f => string.CompareOrdinal(f, "2024-03") < 0);
        var rejected = json["rejected"]!.AsArray().ShouldHaveSingleItem()!;
        ((int)rejected["row"]!).ShouldBe(6);
        ((string)rejected["reason"]!).ShouldContain("after the months rated");
    }

    [Theory]
    [InlineData("rate", "1,2")]
    [InlineData("rate", "0")]
    [InlineData("bench", "2,x")]
    public void Cli_BadThreads_Exits2(string command, string threads)
    {
        var r = CliHarness.Run(command, Calendoc, Rating("multi_month", "ledger.csv"), "--threads", threads);
        r.Exit.ShouldBe(2, r.ToString());
        r.Err.ShouldContain("--threads");
    }

    [Fact]
    public void Bench_SeveralThreadCounts_TimesEachInterleavedAndGivesTheSpeedUp()
    {
        var r = CliHarness.Run("bench", Calendoc, Rating("multi_month", "ledger.csv"), "--threads", "1,2", "--iterations", "3");

        r.Exit.ShouldBe(0, r.ToString());
        r.Out.ShouldContain("threads: 1, 2");
        Regex.Matches(r.Out, @"^--threads 1: rate \d+ rows .* over 3 runs$", RegexOptions.Multiline).Count.ShouldBe(1, r.Out);
        Regex.Matches(r.Out, @"^--threads 2: rate \d+ rows .* over 3 runs$", RegexOptions.Multiline).Count.ShouldBe(1, r.Out);
        r.Out.ShouldMatch(@"speed-up of 2 threads over 1: \d+\.\d\d \(median of 3 interleaved rounds, \d+\.\d\d to \d+\.\d\d\)");
        var jit = Regex.Match(r.Out, @"^JIT: (\d+) methods in \d+ ms up to the first rating, \d+ more in \d+ ms during it$",
            RegexOptions.Multiline);
        jit.Success.ShouldBeTrue(r.Out);
        int.Parse(jit.Groups[1].Value, CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
        var heap = Regex.Match(r.Out,
            @"heap after the last collection: (\d+\.\d) MiB .* (\d+\.\d) MiB committed; peak resident set (\d+\.\d) MiB");
        heap.Success.ShouldBeTrue(r.Out);
        // The collector commits at least the heap it keeps.
        double.Parse(heap.Groups[2].Value, CultureInfo.InvariantCulture)
            .ShouldBeGreaterThanOrEqualTo(double.Parse(heap.Groups[1].Value, CultureInfo.InvariantCulture));
        double.Parse(heap.Groups[3].Value, CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Cli_OptionWithoutValue_Exits2()
    {
        CliHarness.Run("rate", Calendoc, Rating("multi_month", "ledger.csv"), "--period").Exit.ShouldBe(2);
    }

    // ---- check ----

    [Fact]
    public void Check_ValidTariffs_Exits0()
    {
        var r = CliHarness.Run("check", Calendoc, Web1on1);
        r.Exit.ShouldBe(0, r.ToString());
        r.Out.ShouldContain("calendoc.tariff: ok");
        r.Out.ShouldContain("web1on1.tariff: ok");
    }

    [Fact]
    public void Check_BrokenTariff_Exits1WithPathLineColCode()
    {
        var path = Diagnostics("unknown_event.tariff");
        var r = CliHarness.Run("check", path);
        r.Exit.ShouldBe(1, r.ToString());
        r.OutLines.ShouldContain(l => l.StartsWith(path + ":6:8: error TL0004: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_SeveralSyntaxErrors_AllPrintedInOrder()
    {
        var path = Diagnostics("syntax_several_errors.tariff");
        var r = CliHarness.Run("check", path);
        r.Exit.ShouldBe(1);
        var errors = r.OutLines.Where(l => Regex.IsMatch(l, @"^.+:\d+:\d+: error TL\d{4}: .+$")).ToList();
        errors.Select(l => Regex.Match(l, @":(\d+:\d+): error (TL\d{4})").Groups[1].Value).ShouldBe(["9:3", "10:7", "11:16"]);
    }

    [Fact]
    public void Check_WarningOnly_Exits0AndPrintsTheWarning()
    {
        var path = Diagnostics("example_no_expectation.tariff");
        var r = CliHarness.Run("check", path);
        r.Exit.ShouldBe(0, r.ToString());
        r.OutLines.ShouldContain(l => l.StartsWith(path + ":8:11: warning TL0062: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_MissingFile_Exits1WithDiagnostic()
    {
        var path = Path.Combine(TestPaths.TempDir(), "nope.tariff");
        var r = CliHarness.Run("check", path);
        r.Exit.ShouldBe(1);
        r.Out.ShouldContain(path + ":1:1: error TL");
    }

    // ---- test ----

    [Fact]
    public void Test_VendorTariffs_Exits0AndEndsWithSummary()
    {
        var r = CliHarness.Run("test", TestPaths.Tariffs);
        r.Exit.ShouldBe(0, r.ToString());
        r.OutLines[^1].ShouldMatch(@"^\d+ passed, \d+ failed$");
        r.OutLines[^1].ShouldEndWith(" 0 failed");
        // The disputed calenDoc example is shown apart, with both figures, and not counted as passed.
        r.Out.ShouldContain("DISPUTED");
        r.Out.ShouldContain("15.63");
        r.Out.ShouldContain("15.90");
        var passed = int.Parse(Regex.Match(r.OutLines[^1], @"^(\d+) passed").Groups[1].Value);
        passed.ShouldBe(r.OutLines.Count(l => l.StartsWith("PASS ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Test_FailingExample_Exits1()
    {
        var path = Path.Combine(TestPaths.TempDir(), "wrong.tariff");
        File.WriteAllText(path, """
            tariff wrong {
              currency EUR
              period month in "Europe/Paris"
              event sms(length: int)
              charge "SMS" = count(sms) * 0.10
              example "right" {
                2 sms(length: 10)
                expect total 0.20
              }
              example "wrong" {
                2 sms(length: 10)
                expect total 0.30
              }
            }
            """);
        var r = CliHarness.Run("test", path);
        r.Exit.ShouldBe(1, r.ToString());
        r.OutLines[^1].ShouldBe("1 passed, 1 failed");
        r.Out.ShouldContain("FAIL");
        r.Out.ShouldContain("0.3");
        r.Out.ShouldContain("0.2");
    }

    [Fact]
    public void Test_BrokenTariff_Exits1WithDiagnostics()
    {
        var path = Diagnostics("unknown_event.tariff");
        var r = CliHarness.Run("test", path);
        r.Exit.ShouldBe(1);
        r.Out.ShouldContain("error TL0004");
        r.OutLines[^1].ShouldMatch(@"^\d+ passed, [1-9]\d* failed$");
    }

    // ---- rate ----

    [Fact]
    public void Rate_Json_HasExactlyTheContractShape()
    {
        var r = CliHarness.Run("rate", Rating("free_and_rejections", "tariff.tariff"), Rating("free_and_rejections", "ledger.csv"),
            "--format", "json");
        r.Exit.ShouldBe(0, r.ToString());
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Keys(root).ShouldBe(["invoices", "rejected", "accounting"]);

        var invoices = root.GetProperty("invoices").EnumerateArray().ToList();
        invoices.ShouldNotBeEmpty();
        foreach (var invoice in invoices)
        {
            Keys(invoice).ShouldBe(["account", "period", "currency", "plan", "lines", "total"]);
            Keys(invoice.GetProperty("period")).ShouldBe(["from", "to"]);
            invoice.GetProperty("period").GetProperty("from").GetString()!.ShouldMatch(@"^\d{4}-\d{2}-\d{2}$");
            invoice.GetProperty("currency").GetString().ShouldBe("EUR");
            invoice.GetProperty("total").ValueKind.ShouldBe(JsonValueKind.String);
            Money.IsMatch(invoice.GetProperty("total").GetString()!).ShouldBeTrue();
            foreach (var line in invoice.GetProperty("lines").EnumerateArray())
            {
                Keys(line).ShouldBe(["label", "quantity", "unit", "unitPrice", "amount"]);
                line.GetProperty("amount").ValueKind.ShouldBe(JsonValueKind.String);
                Money.IsMatch(line.GetProperty("amount").GetString()!).ShouldBeTrue();
            }
            invoice.GetProperty("lines").EnumerateArray()
                .Sum(l => decimal.Parse(l.GetProperty("amount").GetString()!, System.Globalization.CultureInfo.InvariantCulture))
                .ShouldBe(decimal.Parse(invoice.GetProperty("total").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        }

        var rejected = root.GetProperty("rejected").EnumerateArray().ToList();
        rejected.Select(x => x.GetProperty("row").GetInt32()).ShouldBe([4, 5, 6, 7, 9]);
        foreach (var x in rejected)
        {
            Keys(x).ShouldBe(["row", "reason"]);
            x.GetProperty("reason").GetString().ShouldNotBeNullOrWhiteSpace();
        }

        var accounting = root.GetProperty("accounting");
        Keys(accounting).ShouldBe(["rows", "rated", "free", "rejected"]);
        var (rows, rated, free, rej) = (accounting.GetProperty("rows").GetInt32(), accounting.GetProperty("rated").GetInt32(),
            accounting.GetProperty("free").GetInt32(), accounting.GetProperty("rejected").GetInt32());
        rows.ShouldBe(9);
        rows.ShouldBe(rated + free + rej);
        rej.ShouldBe(rejected.Count);
    }

    [Fact]
    public void Rate_Json_MatchesTheHandComputedCase()
    {
        var r = CliHarness.Run("rate", Rating("multi_month", "tariff.tariff"), Rating("multi_month", "ledger.csv"), "--format", "json");
        r.Exit.ShouldBe(0);
        JsonAssert.Equivalent(File.ReadAllText(Rating("multi_month", "expected.json")), r.Out, "reason");
    }

    [Fact]
    public void Rate_Period_KeepsOnlyThatMonthsInvoices()
    {
        var r = CliHarness.Run("rate", Rating("multi_month", "tariff.tariff"), Rating("multi_month", "ledger.csv"), "--format", "json",
            "--period", "2024-02");
        r.Exit.ShouldBe(0, r.ToString());
        using var doc = JsonDocument.Parse(r.Out);
        var invoices = doc.RootElement.GetProperty("invoices").EnumerateArray()
            .Select(i =>
                (i.GetProperty("account").GetString(), i.GetProperty("period").GetProperty("from").GetString(),
                    i.GetProperty("total").GetString()))
            .ToList();
        // README of multi_month: acme February 0.15, bravo February 0.05.
        invoices.ShouldBe([("acme", "2024-02-01", "0.15"), ("bravo", "2024-02-01", "0.05")]);
        var accounting = doc.RootElement.GetProperty("accounting");
        accounting.GetProperty("rows").GetInt32()
            .ShouldBe(accounting.GetProperty("rated").GetInt32() + accounting.GetProperty("free").GetInt32()
                + accounting.GetProperty("rejected").GetInt32());
    }

    [Fact]
    public void Rate_Param_OverridesTheContractValue()
    {
        // No accounts file: without --param every row is rejected for the missing parameter.
        var tariff = Rating("missing_parameter", "tariff.tariff");
        var ledger = Rating("missing_parameter", "ledger.csv");
        var without = CliHarness.Run("rate", tariff, ledger, "--format", "json");
        without.Exit.ShouldBe(1, without.ToString());
        using (var doc = JsonDocument.Parse(without.Out))
        {
            doc.RootElement.GetProperty("invoices").GetArrayLength().ShouldBe(0);
            doc.RootElement.GetProperty("accounting").GetProperty("rejected").GetInt32().ShouldBe(5);
        }

        var with = CliHarness.Run("rate", tariff, ledger, "--format", "json", "--param", "sms_price=0.10");
        with.Exit.ShouldBe(0, with.ToString());
        using var doc2 = JsonDocument.Parse(with.Out);
        // alpha: 3 × 0.10 = 0.30; beta: 2 × 0.10 = 0.20.
        doc2.RootElement.GetProperty("invoices").EnumerateArray()
            .Select(i => (i.GetProperty("account").GetString(), i.GetProperty("total").GetString()))
            .ShouldBe([("alpha", "0.30"), ("beta", "0.20")]);
        doc2.RootElement.GetProperty("rejected").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public void Rate_ParamOverridesAccountsFile()
    {
        var r = CliHarness.Run("rate", Rating("missing_parameter", "tariff.tariff"), Rating("missing_parameter", "ledger.csv"),
            "--accounts", Rating("missing_parameter", "accounts.csv"), "--param", "sms_price=0.02", "--format", "json");
        r.Exit.ShouldBe(0);
        using var doc = JsonDocument.Parse(r.Out);
        // alpha: 3 × 0.02 = 0.06 (the file's 0.05 is overridden); beta: 2 × 0.02 = 0.04.
        doc.RootElement.GetProperty("invoices").EnumerateArray().Select(i => i.GetProperty("total").GetString()).ShouldBe(["0.06", "0.04"]);
    }

    [Fact]
    public void Rate_Web1on1Plan_FromParam()
    {
        var r = CliHarness.Run("rate", Web1on1, Web1on1Ledger, "--param", "plan=BASE", "--format", "json");
        r.Exit.ShouldBe(0, r.ToString());
        JsonAssert.Equivalent("""
            {
              "invoices": [ {
                "account": "dealer1",
                "period": { "from": "2024-01-01", "to": "2024-01-31" },
                "currency": "EUR",
                "plan": "BASE",
                "lines": [
                  { "label": "Plan Basique", "quantity": "1", "unit": "", "unitPrice": "99.00", "amount": "99.00" },
                  { "label": "Extra Chatpoints", "quantity": "410", "unit": "chatpoint", "unitPrice": "0.18", "amount": "73.80" }
                ],
                "total": "172.80"
              } ],
              "rejected": [],
              "accounting": { "rows": 16, "rated": 16, "free": 0, "rejected": 0 }
            }
            """, r.Out);
    }

    [Fact]
    public void Rate_TextFormat_Exits0AndShowsTotals()
    {
        var r = CliHarness.Run("rate", Rating("multi_month", "tariff.tariff"), Rating("multi_month", "ledger.csv"));
        r.Exit.ShouldBe(0);
        r.Out.ShouldContain("acme");
        r.Out.ShouldContain("0.25");
    }

    // ---- explain ----

    [Fact]
    public void Explain_ListsEveryRowOnceAndTheAccounting()
    {
        var r = CliHarness.Run("explain", Rating("free_and_rejections", "tariff.tariff"), Rating("free_and_rejections", "ledger.csv"));
        r.Exit.ShouldBe(0, r.ToString());
        var rows = r.OutLines.Select(l => Regex.Match(l, @"^row (\d+): ")).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value))
            .ToList();
        rows.ShouldBe(Enumerable.Range(2, 9).ToList());
        r.OutLines.Single(l => l.StartsWith("row 3:", StringComparison.Ordinal)).ShouldContain("free");
        r.OutLines.Single(l => l.StartsWith("row 3:", StringComparison.Ordinal)).ShouldContain("imported by sync");
        r.OutLines.Single(l => l.StartsWith("row 4:", StringComparison.Ordinal)).ShouldContain("rejected");
        r.OutLines.Single(l => l.StartsWith("row 10:", StringComparison.Ordinal)).ShouldContain("rated");
        r.OutLines.Single(l => l.StartsWith("row 10:", StringComparison.Ordinal)).ShouldContain("Rendez-vous");
        r.OutLines[^1].ShouldBe("rows: 9, rated: 2, free: 2, rejected: 5");
    }

    // ---- compare ----

    [Fact]
    public void Compare_BaseAndGrow_ShowsEachPlansTotal()
    {
        var r = CliHarness.Run("compare", Web1on1, Web1on1Ledger, "--plans", "BASE,GROW");
        r.Exit.ShouldBe(0, r.ToString());
        // Cases/Cli/README.md: BASE 99.00 + 410 × 0.18 = 172.80; GROW 499.00.
        var row = r.OutLines.Single(l => l.StartsWith("dealer1", StringComparison.Ordinal));
        Regex.Split(row.Trim(), @"\s+").ShouldBe(["dealer1", "2024-01-01..2024-01-31", "172.80", "499.00"]);
        Regex.Split(r.OutLines.Single(l => l.StartsWith("total", StringComparison.Ordinal)).Trim(), @"\s+")
            .ShouldBe(["total", "172.80", "499.00"]);
        r.OutLines[0].ShouldContain("BASE");
        r.OutLines[0].ShouldContain("GROW");
    }

    [Fact]
    public void Compare_UnknownPlan_Exits1()
    {
        var r = CliHarness.Run("compare", Web1on1, Web1on1Ledger, "--plans", "BASE,PLATINUM");
        r.Exit.ShouldBe(1);
        r.Err.ShouldContain("PLATINUM");
    }

    private static List<string> Keys(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToList();
}
