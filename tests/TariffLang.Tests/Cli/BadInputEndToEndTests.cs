using System.Text.Json;

namespace TariffLang.Tests.Cli;

/// <summary>Bad input end to end: diagnostics and exit 1 for a broken tariff; row-numbered reasons for bad rows while the rest still
/// rates.</summary>
public sealed class BadInputEndToEndTests
{
    private const string Tariff = """
        tariff sms {
          currency EUR
          period month in "Europe/Paris"
          unit sms
          event sms(length: int)
          charge "SMS" = count(sms) * 1 sms at 0.10 EUR per sms
        }
        """;

    private static (string TariffPath, string LedgerPath) Write(string ledger, string extension = ".csv", string tariff = Tariff)
    {
        var dir = TestPaths.TempDir();
        var t = Path.Combine(dir, "t.tariff");
        var l = Path.Combine(dir, "ledger" + extension);
        File.WriteAllText(t, tariff);
        File.WriteAllText(l, ledger);
        return (t, l);
    }

    private static JsonElement Json(CliHarness.CliResult r) => JsonDocument.Parse(r.Out).RootElement.Clone();

    private static Dictionary<int, string> Rejected(JsonElement root) =>
        root.GetProperty("rejected").EnumerateArray()
            .ToDictionary(x => x.GetProperty("row").GetInt32(), x => x.GetProperty("reason").GetString()!);

    private static void AssertAccountingAddsUp(JsonElement root, int rows)
    {
        var a = root.GetProperty("accounting");
        a.GetProperty("rows").GetInt32().ShouldBe(rows);
        a.GetProperty("rows").GetInt32()
            .ShouldBe(a.GetProperty("rated").GetInt32() + a.GetProperty("free").GetInt32() + a.GetProperty("rejected").GetInt32());
    }

    [Theory]
    [InlineData("rate")]
    [InlineData("explain")]
    public void Rate_BrokenTariff_Exits1WithDiagnosticsNotAnException(string command)
    {
        var (t, l) = Write("time,account,event,length\n2024-01-02T10:00:00+01:00,a,sms,10\n",
            tariff: Tariff.Replace("count(sms)", "count(mms)", StringComparison.Ordinal));
        var r = CliHarness.Run(command, t, l);
        r.Exit.ShouldBe(1, r.ToString());
        // count(mms): mms is not declared.
        r.Err.ShouldMatch("^" + System.Text.RegularExpressions.Regex.Escape(t) + @":6:\d+: error TL\d{4}: ");
        r.Out.ShouldBeEmpty();
    }

    [Fact]
    public void Rate_MissingLedgerFile_Exits1WithMessage()
    {
        var (t, _) = Write("");
        var missing = Path.Combine(TestPaths.TempDir(), "none.csv");
        var r = CliHarness.Run("rate", t, missing);
        r.Exit.ShouldBe(1, r.ToString());
        r.Err.ShouldContain("none.csv");
    }

    [Fact]
    public void Rate_MalformedRows_AreRejectedWithRowNumbersAndTheRestIsRated()
    {
        var (t, l) = Write("""
            time,account,event,quantity,length
            2024-01-02T10:00:00+01:00,a,sms,,10
            2024-01-02T11:00:00+01:00,a,sms,,10,extra
            2024-01-02T12:00:00+01:00,a,sms,lots,10
            2024-01-02T13:00:00+01:00,a,mms,,10
            2024-01-02T14:00:00+01:00,a,sms,,ten
            2024-01-02T15:00,a,sms,,10
            2024-01-02T16:00:00+01:00,,sms,,10
            2024-01-02T17:00:00+01:00,a,sms,2,10
            """);
        var r = CliHarness.Run("rate", t, l, "--format", "json");
        r.Exit.ShouldBe(0, r.ToString());
        var root = Json(r);
        var rejected = Rejected(root);
        rejected.Keys.Order().ShouldBe([3, 4, 5, 6, 7, 8]);
        rejected[3].ShouldContain("fields");               // one field too many
        rejected[4].ShouldContain("quantity 'lots'");
        rejected[5].ShouldContain("unknown event 'mms'");
        rejected[6].ShouldContain("length");               // 'ten' is not an int
        rejected[7].ShouldContain("offset");               // no UTC offset
        rejected[8].ShouldContain("account");              // empty account
        // Rows 2 (1 sms) and 9 (quantity 2): 3 × 0.10 = 0.30.
        var invoice = root.GetProperty("invoices").EnumerateArray().ShouldHaveSingleItem();
        invoice.GetProperty("total").GetString().ShouldBe("0.30");
        AssertAccountingAddsUp(root, rows: 8);
        root.GetProperty("accounting").GetProperty("rated").GetInt32().ShouldBe(2);
    }

    [Fact]
    public void Rate_JsonLinesLedger_BadLineRejectedWithLineNumber()
    {
        var (t, l) = Write("""
            {"time":"2024-01-02T10:00:00+01:00","account":"a","event":"sms","length":10}
            {"time":"2024-01-02T11:00:00+01:00","account":"a","event":"sms","length":
            {"time":"2024-01-02T12:00:00+01:00","account":"a","event":"sms","length":"x"}
            {"time":"2024-01-02T13:00:00+01:00","account":"a","event":"sms","length":20}
            """, ".jsonl");
        var r = CliHarness.Run("rate", t, l, "--format", "json");
        r.Exit.ShouldBe(0, r.ToString());
        var root = Json(r);
        var rejected = Rejected(root);
        rejected.Keys.Order().ShouldBe([2, 3]);
        rejected[2].ShouldContain("JSON");
        rejected[3].ShouldContain("length");
        root.GetProperty("invoices").EnumerateArray().ShouldHaveSingleItem().GetProperty("total").GetString().ShouldBe("0.20");
        AssertAccountingAddsUp(root, rows: 4);
    }

    [Fact]
    public void Rate_MissingParameter_RejectsThatAccountsRowsNamingIt_OthersStillRate()
    {
        var dir = Path.Combine(TestPaths.Cases, "Rating", "missing_parameter");
        var r = CliHarness.Run("rate", Path.Combine(dir, "tariff.tariff"), Path.Combine(dir, "ledger.csv"), "--accounts",
            Path.Combine(dir, "accounts.csv"), "--format", "json");
        // The account without its contract value is named once and fails the run; the other account is still billed.
        r.Exit.ShouldBe(1, r.ToString());
        r.Err.Split('\n').Count(l => l.Contains("missing contract parameter 'sms_price'")).ShouldBe(1);
        var root = Json(r);
        var rejected = Rejected(root);
        rejected.Keys.Order().ShouldBe([3, 5]);
        rejected.Values.ShouldAllBe(reason => reason.Contains("sms_price") && reason.Contains("beta"));
        root.GetProperty("invoices").EnumerateArray().Select(i => i.GetProperty("account").GetString()).ShouldBe(["alpha"]);
        AssertAccountingAddsUp(root, rows: 5);
    }

    [Fact]
    public void Explain_UnknownEvent_NamesTheRowAndTheEvent()
    {
        var (t, l) = Write("time,account,event,length\n2024-01-02T10:00:00+01:00,a,sms,10\n2024-01-02T11:00:00+01:00,a,fax,10\n");
        var r = CliHarness.Run("explain", t, l);
        r.Exit.ShouldBe(0);
        var line = r.OutLines.Single(x => x.StartsWith("row 3:", StringComparison.Ordinal));
        line.ShouldContain("rejected");
        line.ShouldContain("unknown event 'fax'");
        r.OutLines[^1].ShouldBe("rows: 2, rated: 1, free: 0, rejected: 1");
    }

    [Fact]
    public void Rate_HeaderWithoutEventColumn_EveryRowRejectedAndAccounted()
    {
        var (t, l) = Write("time,account,length\n2024-01-02T10:00:00+01:00,a,10\n2024-01-02T11:00:00+01:00,a,10\n");
        var r = CliHarness.Run("rate", t, l, "--format", "json");
        var root = Json(r);
        var rejected = Rejected(root);
        rejected.Keys.ShouldContain(2);
        rejected.Keys.ShouldContain(3);
        rejected[2].ShouldContain("event");
        root.GetProperty("invoices").GetArrayLength().ShouldBe(0);
        var a = root.GetProperty("accounting");
        a.GetProperty("rows").GetInt32()
            .ShouldBe(a.GetProperty("rated").GetInt32() + a.GetProperty("free").GetInt32() + a.GetProperty("rejected").GetInt32());
    }

    [Fact]
    public void Facade_BrokenTariff_RatesNothingAndRejectsEveryRow()
    {
        var tariff = TariffLang.Tariff.Compile("tariff t { currency EUR", "broken.tariff");
        tariff.HasErrors.ShouldBeTrue();
        tariff.RunExamples().ShouldBeEmpty();
        var (_, l) = Write("time,account,event,length\n2024-01-02T10:00:00+01:00,a,sms,10\n");
        var result = tariff.Rate(TariffLang.Tariff.ReadLedger(l));
        result.Invoices.ShouldBeEmpty();
        result.Accounting.ShouldBe(new TariffLang.Invoicing.Accounting(1, 0, 0, 1));
    }
}
