using System.Text.Json;
using TariffLang.Tests.Cli;

namespace TariffLang.Tests.Evaluation;

/// <summary>
/// Data-driven rating cases: each folder of <c>Cases/Rating</c> holds <c>tariff.tariff</c>, <c>ledger.csv</c>,
/// optionally <c>accounts.csv</c>, and <c>expected.json</c> computed by hand (see each folder's README.md).
/// The invoice JSON must match deeply; a <c>reason</c> in expected.json only needs to be contained in the actual one.
/// </summary>
public sealed class RatingCaseTests
{
    private static string RatingCases => Path.Combine(TestPaths.Cases, "Rating");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(RatingCases).OrderBy(d => d, StringComparer.Ordinal)) data.Add(Path.GetFileName(dir));
        return data;
    }

    internal static (CompiledTariff Tariff, TariffLang.Ledgers.Ledger Ledger, TariffLang.Ledgers.AccountTable Accounts) Load(string dir)
    {
        var tariff = Tariff.Load(Path.Combine(dir, "tariff.tariff"));
        tariff.Diagnostics.ShouldBeEmpty(string.Join("\n", tariff.Diagnostics));
        var ledger = Tariff.ReadLedger(Path.Combine(dir, "ledger.csv"));
        var accounts = TariffLang.Ledgers.AccountTable.Empty;
        var accountsPath = Path.Combine(dir, "accounts.csv");
        if (File.Exists(accountsPath))
        {
            var (table, errors) = Tariff.ReadAccounts(accountsPath);
            errors.ShouldBeEmpty();
            accounts = table;
        }
        return (tariff, ledger, accounts);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rating_Case_MatchesHandComputedInvoices(string name)
    {
        var dir = Path.Combine(RatingCases, name);
        var (tariff, ledger, accounts) = Load(dir);

        var result = tariff.Rate(ledger, accounts);

        JsonAssert.Equivalent(File.ReadAllText(Path.Combine(dir, "expected.json")), result.ToJson(), "reason");
        var a = result.Accounting;
        a.Rows.ShouldBe(ledger.RowCount);
        a.Rows.ShouldBe(a.Rated + a.Free + a.Rejected);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rating_Case_EveryRowHasExactlyOneOutcome(string name)
    {
        var (tariff, ledger, accounts) = Load(Path.Combine(RatingCases, name));
        var result = tariff.Rate(ledger, accounts);
        var expectedRows = ledger.Rows.Select(r => r.Row).Concat(ledger.Errors.Select(e => e.Row)).OrderBy(r => r).ToList();
        result.Outcomes.Select(o => o.Row).OrderBy(r => r).ToList().ShouldBe(expectedRows);
        result.Outcomes.ShouldAllBe(o => !string.IsNullOrWhiteSpace(o.Detail));
    }

    [Fact]
    public void Rating_JsonAmounts_AreStringsWithTwoDecimals()
    {
        var (tariff, ledger, accounts) = Load(Path.Combine(RatingCases, "rounding"));
        using var doc = JsonDocument.Parse(tariff.Rate(ledger, accounts).ToJson());
        foreach (var invoice in doc.RootElement.GetProperty("invoices").EnumerateArray())
        {
            invoice.GetProperty("total").GetString()!.ShouldMatch(@"^-?\d+\.\d{2}$");
            foreach (var line in invoice.GetProperty("lines").EnumerateArray())
                line.GetProperty("amount").GetString()!.ShouldMatch(@"^-?\d+\.\d{2}$");
        }
    }
}
