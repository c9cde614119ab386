using System.Globalization;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using TariffLang.Ledgers;
using TariffLang.Tests.Compilation;

namespace TariffLang.Tests.Rating;

/// <summary>
/// A ledger file rated as a stream (rows typed straight from their UTF-8 bytes by the parse workers) must say exactly
/// what the same file says read into memory and rated there (rows typed from their text): the same checks, the same
/// messages, the same invoices, for CSV and JSON Lines alike.
/// </summary>
public sealed class FileInputTests
{
    private const int Cases = 40;

    public static TheoryData<string> Tariffs() => CompilerTestSupport.TariffNamesAndEverything();

    private static string Csv(Ledger ledger)
    {
        var attributes = ledger.Rows.SelectMany(r => r.Attributes.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var csv = new StringBuilder(string.Join(",", new[] { "time", "account", "event", "id", "quantity" }.Concat(attributes)))
            .Append('\n');
        foreach (var r in ledger.Rows)
        {
            var cells = new List<string?>
            {
                r.Time.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture), r.Account, r.Event, r.Id,
                r.Quantity.ToString(CultureInfo.InvariantCulture),
            };
            cells.AddRange(attributes.Select(a => r.Attributes.GetValueOrDefault(a)));
            csv.Append(string.Join(",", cells.Select(Quote))).Append('\n');
        }
        return csv.ToString();
    }

    private static string Quote(string? value) =>
        value is null ? "" : value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    private static string JsonLines(Ledger ledger)
    {
        var lines = new StringBuilder();
        foreach (var r in ledger.Rows)
        {
            var row = new Dictionary<string, string?>
            {
                ["time"] = r.Time.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
                ["account"] = r.Account,
                ["event"] = r.Event,
                ["id"] = r.Id,
                ["quantity"] = r.Quantity.ToString(CultureInfo.InvariantCulture),
            };
            foreach (var (name, value) in r.Attributes) row[name] = value;
            lines.Append(JsonSerializer.Serialize(row)).Append('\n');
        }
        return lines.ToString();
    }

    private static void AssertSameAsInMemory(CompiledTariff tariff, string path, AccountTable accounts, RatingOptions options,
        string because)
    {
        var streamed = tariff.RateFile(path, accounts, options);
        var inMemory = tariff.Rate(Tariff.ReadLedger(path), accounts, options);
        streamed.ToJson().ShouldBe(inMemory.ToJson(), because);
        streamed.Problem.ShouldBeNull(because);
    }

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void RateFile_GeneratedLedgers_SayWhatTheSameFileSaysInMemory(string name)
    {
        var (interpreted, compiled) = CompilerTestSupport.Both(CompilerTestSupport.TextOf(name), name);
        var dir = TestTemp.NewDirectory("tarifflang-file-input-");
        var cases = Arb.From(LedgerGenerator.For(interpreted.Model!, name)
            .SelectMany(c => Gen.Choose(1, 3).Select(threads => (c, threads))));
        var n = 0;
        var property = Prop.ForAll(cases, x =>
        {
            var (c, threads) = x;
            var csv = Path.Combine(dir, $"l{n}.csv");
            var jsonl = Path.Combine(dir, $"l{n++}.jsonl");
            File.WriteAllText(csv, Csv(c.Ledger));
            File.WriteAllText(jsonl, JsonLines(c.Ledger));
            var options = c.Options with { Threads = threads };
            foreach (var tariff in new[] { interpreted, compiled })
            {
                AssertSameAsInMemory(tariff, csv, c.Accounts, options, $"{tariff.Engine}, CSV, {threads} threads\n{c}");
                AssertSameAsInMemory(tariff, jsonl, c.Accounts, options, $"{tariff.Engine}, JSON Lines, {threads} threads\n{c}");
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithEndSize(40), property);
    }

    [Fact]
    public void RateFile_RowsThatCannotBeEvents_AreRejectedWithTheInMemoryReasons()
    {
        var tariff = Tariff.Load(Path.Combine(CompilerTestSupport.TariffsDir, "aircall.tariff"));
        var path = Path.Combine(TestTemp.NewDirectory("tarifflang-file-input-"), "hostile.csv");
        File.WriteAllText(path, """
            time,account,event,id,user,contact,direction,kind,delivered,colour
            2024-03-01T08:00:00+01:00,a,licence_assigned,1,julie,,,,,
            2024-03-01T09:00:00+01:00,a,message,2,julie,+331,outbound,marketing,maybe,
            2024-03-01T09:01:00+01:00,a,message,3,julie,,outbound,marketing,true,
            2024-03-01T09:02:00+01:00,a,message,4,julie,+331,outbound,marketing,true,blue
            2024-03-01T09:03:00+01:00,a,telegram,5,julie,+331,outbound,marketing,true,
            2024-03-01T09:04:00+01:00,a,message,1,julie,+331,inbound,,,
            1899-12-31T23:00:00+01:00,a,message,6,julie,+331,inbound,,,
            2024-03-01T09:05:00+01:00,a,message,7,julie,"+33,1",inbound,,,
            2024-03-01T09:06:00+01:00,a,message,8,julie,+331,"out""bound",marketing,true,
            2024-03-01T09:07:00+01:00,b,message,1,paul,+332,outbound,utility,1,
            """);
        var prices = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty
            .Add("licence_price", "15").Add("marketing_price", "0.085").Add("utility_price", "0.04");
        var accounts = new AccountTable(
            System.Collections.Immutable.ImmutableDictionary<string, System.Collections.Immutable.ImmutableDictionary<string, string>>.Empty
            .Add("a", prices).Add("b", prices));

        AssertSameAsInMemory(tariff, path, accounts, new RatingOptions(), "hostile rows");
        var reasons = tariff.RateFile(path, accounts).Rejected.Select(r => (r.Row, r.Reason)).ToList();
        reasons.ShouldContain((3, "attribute 'delivered': 'maybe' is not true or false"));
        reasons.ShouldContain((4, "event 'message' needs attribute 'contact'"));
        reasons.ShouldContain((5, "event 'message' has no attribute 'colour'"));
        // Rows 2 and 7 carry id 1 with different content: a conflict, and neither is rated.
        const string Conflict = "conflicting id '1': rows 2 and 7 carry it with different content, so none of them is rated";
        reasons.ShouldContain((2, Conflict));
        reasons.ShouldContain((7, Conflict));
    }
}
