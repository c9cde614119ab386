using System.Globalization;
using TariffLang.Bench;
using TariffLang.Tests.Cli;

namespace TariffLang.Tests.Benchmarks;

/// <summary>
/// The end-to-end benchmark compares TariffLang with a hand-written C# program; the comparison only means something
/// if both give the same invoices. These tests rate a seeded calenDoc ledger with both and check, through the same
/// normalizer the harness uses, that they agree line by line to the cent — and that the normalizer does notice a
/// single cent.
/// </summary>
public sealed class BenchHarnessTests
{
    private static string CalendocTariff => Path.Combine(TestPaths.RepoRoot, "tariffs", "calendoc.tariff");

    [Fact]
    public void CalendocBaseline_GeneratedLedger_EqualsTariffLangToTheCent()
    {
        var dir = TestTemp.NewDirectory("bench-baseline-");
        LedgerGenerator.Generate(new GenerateOptions("calendoc", Rows: 4000, Accounts: 12, Seed: 7, Shuffled: false, OutDir: dir));
        var ledger = Path.Combine(dir, "ledger.csv");
        AssertEveryCaseOccurs(ledger);

        // The interpreter is the reference semantics (other tests hold the compiled engine to it), and it needs no Roslyn.
        var tariff = Tariff.Load(CalendocTariff, TariffEngine.Interpreted);
        var expected = InvoiceNormalizer.Normalize(tariff.Rate(Tariff.ReadLedger(ledger)).ToJson());
        var (invoices, accounting) = CalendocBaseline.Rate(ledger);
        var actual = InvoiceNormalizer.Normalize(InvoiceJson.Write(invoices, accounting));

        InvoiceNormalizer.Differences(expected, actual).ShouldBeEmpty();
        actual.ShouldBe(expected);
        // 12 stores, one month each; store 4 sends e-mails only and still gets an invoice (total 0.00, no lines).
        invoices.Count.ShouldBe(12);
        invoices.Single(i => i.Account == LedgerGenerator.CalendocStore(3)).ShouldSatisfyAllConditions(
            i => i.Lines.ShouldBeEmpty(), i => i.Total.ShouldBe(0m));
        accounting.Rejected.ShouldBe(0);
    }

    [Fact]
    public void CalendocBaseline_LedgerOverSeveralMonths_EqualsTariffLangToTheCent()
    {
        // 6,000 rows at 2,000 a month: the memory benchmark's "longer history of the same accounts" layout.
        var dir = TestTemp.NewDirectory("bench-months-");
        LedgerGenerator.Generate(new GenerateOptions("calendoc", 6000, 4, 5, false, dir, RowsPerMonth: 2000));
        var ledger = Path.Combine(dir, "ledger.csv");
        var months = File.ReadLines(ledger).Skip(1).Select(l => l[..7]).Distinct().ToList();
        months.ShouldBe(["2024-01", "2024-02", "2024-03"]);

        var tariff = Tariff.Load(CalendocTariff, TariffEngine.Interpreted);
        var expected = InvoiceNormalizer.Normalize(tariff.Rate(Tariff.ReadLedger(ledger)).ToJson());
        var (invoices, accounting) = CalendocBaseline.Rate(ledger);

        InvoiceNormalizer.Normalize(InvoiceJson.Write(invoices, accounting)).ShouldBe(expected);
        invoices.Select(i => i.From.Month).Distinct().Order().ShouldBe([1, 2, 3]);
        invoices.Count.ShouldBe(4 * 3);
    }

    [Fact]
    public void CalendocBaseline_ShuffledLedger_GivesTheSameInvoices()
    {
        var ordered = TestTemp.NewDirectory("bench-ordered-");
        var shuffled = TestTemp.NewDirectory("bench-shuffled-");
        LedgerGenerator.Generate(new GenerateOptions("calendoc", 2000, 5, 11, false, ordered));
        LedgerGenerator.Generate(new GenerateOptions("calendoc", 2000, 5, 11, true, shuffled));
        var orderedText = File.ReadAllLines(Path.Combine(ordered, "ledger.csv"));
        var shuffledText = File.ReadAllLines(Path.Combine(shuffled, "ledger.csv"));

        shuffledText.ShouldNotBe(orderedText);
        shuffledText.Order(StringComparer.Ordinal).ShouldBe(orderedText.Order(StringComparer.Ordinal));
        Normalized(Path.Combine(shuffled, "ledger.csv")).ShouldBe(Normalized(Path.Combine(ordered, "ledger.csv")));
    }

    [Fact]
    public void CalendocBaseline_BundledExampleLedger_MatchesExpectedJson()
    {
        // The example's edge rows: before the effective date, a repeated id, quantity 2, an empty and an unreadable
        // length, a time without offset, an unknown event, rows late on 31 January in UTC that are February in Paris.
        var folder = Path.Combine(TestPaths.RepoRoot, "examples", "calendoc");
        var expected = InvoiceNormalizer.Normalize(File.ReadAllText(Path.Combine(folder, "expected.json")));

        Normalized(Path.Combine(folder, "ledger.csv")).ShouldBe(expected);
    }

    [Fact]
    public void LedgerGenerator_SameSeed_WritesTheSameBytes()
    {
        var first = TestTemp.NewDirectory("bench-seed-");
        var second = TestTemp.NewDirectory("bench-seed-");
        foreach (var tariff in LedgerGenerator.Tariffs)
        {
            LedgerGenerator.Generate(new GenerateOptions(tariff, 500, null, 3, false, Path.Combine(first, tariff)));
            LedgerGenerator.Generate(new GenerateOptions(tariff, 500, null, 3, false, Path.Combine(second, tariff)));
            var bytes = File.ReadAllBytes(Path.Combine(first, tariff, "ledger.csv"));
            File.ReadAllBytes(Path.Combine(second, tariff, "ledger.csv")).ShouldBe(bytes);
            File.ReadAllLines(Path.Combine(first, tariff, "ledger.csv")).Length.ShouldBe(501);
        }
    }

    [Fact]
    public void InvoiceNormalizer_OneCentDifference_IsReported()
    {
        var json = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "examples", "calendoc", "expected.json"));
        const string Original = "\"amount\": \"5.09\"";
        json.Split(Original).Length.ShouldBe(2, "the test changes exactly one amount");
        var changed = json.Replace(Original, "\"amount\": \"5.10\"", StringComparison.Ordinal);

        var differences = InvoiceNormalizer.Differences(InvoiceNormalizer.Normalize(json), InvoiceNormalizer.Normalize(changed));

        differences.Count.ShouldBe(2);
        const string Line = "krys-lyon-01 | 2024-01-01 | Rendez-vous (1 SMS inclus) | 48 | ";
        differences.ShouldBe(["- " + Line + "5.09", "+ " + Line + "5.10"]);
    }

    [Fact]
    public void InvoiceNormalizer_SameFigureWrittenDifferently_Agrees()
    {
        const string A = """
            {"invoices": [{"account": "a", "period": {"from": "2024-01-01", "to": "2024-01-31"},
                           "lines": [{"label": "L", "quantity": "48", "amount": "5.10"}], "total": "5.10"}]}
            """;
        const string B = """
            {"invoices": [{"account": "a", "period": {"from": "2024-01-01", "to": "2024-01-31"},
                           "lines": [{"label": "L", "quantity": 48.0, "amount": 5.1}], "total": "5.1"}]}
            """;

        InvoiceNormalizer.Differences(InvoiceNormalizer.Normalize(A), InvoiceNormalizer.Normalize(B)).ShouldBeEmpty();
    }

    private static IReadOnlyList<string> Normalized(string ledger)
    {
        var (invoices, accounting) = CalendocBaseline.Rate(ledger);
        return InvoiceNormalizer.Normalize(InvoiceJson.Write(invoices, accounting));
    }

    /// <summary>The generated ledger holds every case the tariff distinguishes, so agreement covers all of them.</summary>
    private static void AssertEveryCaseOccurs(string ledger)
    {
        var rows = File.ReadLines(ledger).Skip(1).Select(l => l.Split(',')).ToList();
        static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
        var appointments = rows.Where(r => r[2] == "appointment").ToList();
        var cancelled = appointments.Where(r => r[5].Length > 0).ToList();
        var sms = rows.Where(r => r[2] == "sms").Select(r => int.Parse(r[6], CultureInfo.InvariantCulture)).ToList();

        // Shouldly's ShouldContain takes expression trees, which cannot call At(): plain Any() with a message.
        appointments.Any(r => r[3] == "google_sync").ShouldBeTrue("imported by Google sync: free");
        appointments.Any(r => r[3] == "calendoc" && r[5].Length == 0).ShouldBeTrue("not cancelled: billed");
        cancelled.Any(r => r[3] == "calendoc" && At(r[5]) < At(r[4])).ShouldBeTrue("cancelled before its start: free");
        cancelled.Any(r => r[3] == "calendoc" && At(r[5]) > At(r[4])).ShouldBeTrue("cancelled after its start: billed");
        cancelled.Any(r => r[3] == "calendoc" && At(r[5]) == At(r[4])).ShouldBeTrue("cancelled at its start: billed");
        // A cancellation written in UTC whose text sorts before the start although the instant is after it.
        cancelled.Any(r => r[5].EndsWith('Z') && At(r[5]) >= At(r[4]) && string.CompareOrdinal(r[5], r[4]) < 0)
            .ShouldBeTrue("a UTC cancellation that a text comparison would get wrong");
        sms.Any(n => n <= 160).ShouldBeTrue("one-SMS messages");
        sms.Any(n => n is > 160 and <= 320).ShouldBeTrue("two-SMS messages");
        sms.Any(n => n > 320).ShouldBeTrue("three-SMS messages");
        rows.Any(r => r[2] == "email").ShouldBeTrue("e-mails");
        rows.Select(r => r[1]).ShouldContain(LedgerGenerator.CalendocStore(3), "the e-mail-only store");
    }
}
