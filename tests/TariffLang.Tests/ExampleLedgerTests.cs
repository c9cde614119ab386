using System.Text;
using System.Text.Json.Nodes;
using TariffLang.Ledgers;
using Xunit.Abstractions;

namespace TariffLang.Tests;

/// <summary>
/// Rates every <c>examples/&lt;vendor&gt;/ledger.csv</c> with <c>tariffs/&lt;vendor&gt;.tariff</c> through the
/// public facade and compares the result with the folder's <c>expected.json</c>.
/// </summary>
/// <remarks>
/// A folder takes part when it holds both <c>ledger.csv</c> and <c>expected.json</c>; folders are found
/// at run time, so a new vendor only needs its files. Optional files: <c>accounts.csv</c> (contract
/// values) and <c>args.txt</c> (extra CLI-style arguments: <c>--period YYYY-MM</c>,
/// <c>--param name=value</c>, <c>--accounts FILE</c> relative to the folder).
/// </remarks>
public sealed class ExampleLedgerTests(ITestOutputHelper output)
{
    private static readonly Lazy<string> LazyRepoRoot = new(FindRepoRoot);

    private static string RepoRoot => LazyRepoRoot.Value;

    public static TheoryData<string> Vendors()
    {
        var data = new TheoryData<string>();
        var examples = Path.Combine(RepoRoot, "examples");
        foreach (var folder in Directory.EnumerateDirectories(examples).OrderBy(f => f, StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(folder, "ledger.csv")) && File.Exists(Path.Combine(folder, "expected.json")))
            {
                data.Add(Path.GetFileName(folder));
            }
        }
        return data;
    }

    [Fact]
    public void Examples_AreDiscovered()
    {
        // A silent empty theory would prove nothing.
        Vendors().Count.ShouldBeGreaterThan(0, "no examples/<vendor>/ folder with ledger.csv and expected.json was found");
    }

    /// <summary>Every example ledger through both backends: they must give the same invoices to the cent.</summary>
    public static TheoryData<string, TariffEngine> VendorsAndEngines()
    {
        var data = new TheoryData<string, TariffEngine>();
        foreach (var vendor in Vendors())
        {
            data.Add(vendor, TariffEngine.Interpreted);
            data.Add(vendor, TariffEngine.Compiled);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(VendorsAndEngines))]
    public void ExampleLedger_RatesToExpectedInvoices(string vendor, TariffEngine engine)
    {
        var folder = Path.Combine(RepoRoot, "examples", vendor);
        var tariffPath = Path.Combine(RepoRoot, "tariffs", vendor + ".tariff");
        File.Exists(tariffPath).ShouldBeTrue($"examples/{vendor} has no tariff at tariffs/{vendor}.tariff");

        var tariff = Tariff.Load(tariffPath, engine);
        tariff.HasErrors.ShouldBeFalse(
            $"tariffs/{vendor}.tariff has errors:\n" + string.Join("\n", tariff.Diagnostics.Select(d => d.ToString())));

        var args = ExampleArgs.Read(folder);
        var ledgerPath = Path.Combine(folder, "ledger.csv");
        var ledger = Tariff.ReadLedger(ledgerPath);

        AccountTable? accounts = null;
        var accountsPath = args.Accounts ?? Path.Combine(folder, "accounts.csv");
        if (File.Exists(accountsPath))
        {
            var (table, errors) = Tariff.ReadAccounts(accountsPath);
            errors.ShouldBeEmpty($"{Path.GetFileName(accountsPath)} of examples/{vendor} has problems");
            accounts = table;
        }
        else if (args.Accounts is not null)
        {
            throw new InvalidOperationException($"args.txt of examples/{vendor} names {args.Accounts}, which does not exist");
        }

        var result = tariff.Rate(ledger, accounts, args.Options());
        var actualJson = result.ToJson();

        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "expected.json")));
        var actual = JsonNode.Parse(actualJson);
        var differences = new List<string>();
        JsonDiff.Compare("$", expected, actual, differences);
        if (differences.Count > 0)
        {
            output.WriteLine($"actual invoice JSON of examples/{vendor}:");
            output.WriteLine(actualJson);
        }
        differences.ShouldBeEmpty(
            $"examples/{vendor}: the invoices differ from expected.json ({differences.Count} difference(s)):\n  "
            + string.Join("\n  ", differences.Take(40)));

        // Every row ends in exactly one outcome.
        var accounting = actual!["accounting"]!;
        var rows = (int)accounting["rows"]!;
        var rated = (int)accounting["rated"]!;
        var free = (int)accounting["free"]!;
        var rejected = (int)accounting["rejected"]!;
        rows.ShouldBe(rated + free + rejected, $"examples/{vendor}: accounting does not add up");

        // With a --period, rows of other periods are left out of the report; without one, every row is there.
        if (args.Period is null)
        {
            var dataRows = CountCsvDataRows(ledgerPath);
            rows.ShouldBe(dataRows, $"examples/{vendor}: accounting.rows is not the number of data rows in ledger.csv");
            ledger.RowCount.ShouldBe(dataRows, $"examples/{vendor}: the ledger reader did not account for every data row");
        }
    }

    /// <summary>The folder holding TariffLang.sln, found by walking up from the test binaries.</summary>
    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TariffLang.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no TariffLang.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// Counts the non-blank CSV records after the header, independently of the ledger reader: line breaks
    /// inside double quotes do not end a record (a doubled quote toggles twice, so it needs no special case).
    /// </summary>
    private static int CountCsvDataRows(string path)
    {
        var text = File.ReadAllText(path, Encoding.UTF8);
        var records = 0;
        var inQuotes = false;
        var blank = true;
        foreach (var c in text)
        {
            if (c == '"') inQuotes = !inQuotes;
            if (!inQuotes && (c == '\n' || c == '\r'))
            {
                if (!blank) records++;
                blank = true;
                continue;
            }
            if (!char.IsWhiteSpace(c) && c != '\uFEFF') blank = false;
        }
        if (!blank) records++;
        return Math.Max(records - 1, 0);
    }

    /// <summary>The optional <c>args.txt</c> of an example folder: the same options as <c>tariff rate</c>.</summary>
    internal sealed record ExampleArgs(string? Accounts, Dictionary<string, string> Params, (int Year, int Month)? Period)
    {
        public (int Year, int Month)? From { get; init; }

        public (int Year, int Month)? To { get; init; }

        /// <summary>The rating options these arguments give.</summary>
        public RatingOptions Options() => new(Params.Count > 0 ? Params : null, Period) { From = From, To = To };

        public static ExampleArgs Read(string folder)
        {
            var path = Path.Combine(folder, "args.txt");
            var result = new ExampleArgs(null, new Dictionary<string, string>(StringComparer.Ordinal), null);
            if (!File.Exists(path)) return result;

            var tokens = File.ReadAllLines(path)
                .Where(l => !l.TrimStart().StartsWith('#'))
                .SelectMany(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                .ToList();
            for (var i = 0; i < tokens.Count; i++)
            {
                var option = tokens[i];
                string Value() => i + 1 < tokens.Count
                    ? tokens[++i]
                    : throw new InvalidOperationException($"{path}: {option} needs a value");
                switch (option)
                {
                    case "--period":
                        result = result with { Period = Month(Value()) };
                        break;
                    case "--from":
                        result = result with { From = Month(Value()) };
                        break;
                    case "--to":
                        result = result with { To = Month(Value()) };
                        break;
                    case "--param":
                        var pair = Value();
                        var eq = pair.IndexOf('=', StringComparison.Ordinal);
                        if (eq <= 0) throw new InvalidOperationException($"{path}: --param is name=value, not '{pair}'");
                        result.Params[pair[..eq]] = pair[(eq + 1)..];
                        break;
                    case "--accounts":
                        result = result with { Accounts = Path.GetFullPath(Path.Combine(folder, Value())) };
                        break;
                    default:
                        throw new InvalidOperationException(
                            $"{path}: unknown option '{option}' (use --period, --from, --to, --param or --accounts)");
                }
            }
            return result;

            (int, int) Month(string text)
            {
                var parts = text.Split('-');
                if (parts.Length != 2 || !int.TryParse(parts[0], out var year) || !int.TryParse(parts[1], out var month)
                    || month is < 1 or > 12)
                    throw new InvalidOperationException($"{path}: a month is YYYY-MM, not '{text}'");
                return (year, month);
            }
        }
    }

    /// <summary>A deep comparison of two JSON trees that names the path of every difference.</summary>
    private static class JsonDiff
    {
        public static void Compare(string path, JsonNode? expected, JsonNode? actual, List<string> differences)
        {
            switch (expected, actual)
            {
                case (null, null):
                    return;
                case (null, _) or (_, null):
                    differences.Add($"{path}: expected {Show(expected)}, actual {Show(actual)}");
                    return;
                case (JsonObject e, JsonObject a):
                    foreach (var (key, value) in e)
                    {
                        if (!a.ContainsKey(key)) differences.Add($"{path}.{key}: missing (expected {Show(value)})");
                        else Compare($"{path}.{key}", value, a[key], differences);
                    }
                    foreach (var (key, value) in a)
                    {
                        if (!e.ContainsKey(key)) differences.Add($"{path}.{key}: unexpected {Show(value)}");
                    }
                    return;
                case (JsonArray e, JsonArray a):
                    for (var i = 0; i < Math.Max(e.Count, a.Count); i++)
                    {
                        if (i >= a.Count) differences.Add($"{path}[{i}]: missing (expected {Show(e[i])})");
                        else if (i >= e.Count) differences.Add($"{path}[{i}]: unexpected {Show(a[i])}");
                        else Compare($"{path}[{i}{Label(e[i])}]", e[i], a[i], differences);
                    }
                    return;
                case (JsonValue e, JsonValue a):
                    if (!JsonNode.DeepEquals(e, a)) differences.Add($"{path}: expected {Show(e)}, actual {Show(a)}");
                    return;
                default:
                    differences.Add($"{path}: expected {Show(expected)}, actual {Show(actual)}");
                    return;
            }
        }

        /// <summary>Names an invoice in a path, so that <c>$.invoices[3 krys-paris-03 2024-01-01]</c> reads at a glance.</summary>
        private static string Label(JsonNode? node) =>
            node is JsonObject o && o["account"] is JsonValue account
                ? " " + account.ToString() + (o["period"]?["from"] is JsonValue from ? " " + from.ToString() : "")
                : "";

        private static string Show(JsonNode? node)
        {
            if (node is null) return "null";
            var text = node.ToJsonString();
            return text.Length <= 120 ? text : text[..117] + "...";
        }
    }
}
