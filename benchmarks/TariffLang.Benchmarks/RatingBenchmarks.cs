using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using TariffLang.Invoicing;
using TariffLang.Ledgers;

namespace TariffLang.Benchmarks;

/// <summary>
/// The streamed rating of a ledger file in process, per tariff, engine and thread count: reading, typing, rating and
/// invoicing (what <c>tariff rate</c> does after start-up, without writing the JSON). Ledgers are written once from
/// <see cref="SyntheticLedgers"/>; results are per row.
/// </summary>
/// <remarks>dotnet run -c Release --project benchmarks/TariffLang.Benchmarks -- --filter '*RatingBenchmarks*'</remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class RatingBenchmarks
{
    private const int Rows = 200_000;

    private readonly Dictionary<string, (CompiledTariff Tariff, string Ledger, AccountTable Accounts)> _cases = new();

    [Params(TariffEngine.Compiled, TariffEngine.Interpreted)]
    public TariffEngine Engine { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var root = RepositoryRoot();
        var dir = Path.Combine(Path.GetTempPath(), "tarifflang-benchmarks");
        Directory.CreateDirectory(dir);
        foreach (var (name, ledger, accounts) in new[]
                 {
                     ("calendoc", SyntheticLedgers.Calendoc(Rows, 200), AccountTable.Empty),
                     ("web1on1", SyntheticLedgers.Web1on1(Rows, 20), SyntheticLedgers.Web1on1Accounts(20)),
                     ("aircall", SyntheticLedgers.Aircall(Rows, 20), SyntheticLedgers.AircallAccounts(20)),
                 })
        {
            var path = Path.Combine(dir, $"{name}-{Rows}.csv");
            File.WriteAllText(path, ToCsv(ledger));
            _cases[name] = (Tariff.Load(Path.Combine(root, "tariffs", name + ".tariff"), Engine), path, accounts);
        }
    }

    private RatingResult Rate(string name)
    {
        var (tariff, ledger, accounts) = _cases[name];
        return tariff.RateFile(ledger, accounts, new RatingOptions { Threads = Threads });
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public RatingResult Calendoc() => Rate("calendoc");

    [Benchmark(OperationsPerInvoke = Rows)]
    public RatingResult Web1on1() => Rate("web1on1");

    [Benchmark(OperationsPerInvoke = Rows)]
    public RatingResult Aircall() => Rate("aircall");

    /// <summary>A ledger as CSV: the reserved columns, then every attribute any row has.</summary>
    private static string ToCsv(Ledger ledger)
    {
        var columns = ledger.Rows.SelectMany(r => r.Attributes.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var csv = new StringBuilder("time,account,event");
        foreach (var c in columns) csv.Append(',').Append(c);
        csv.Append('\n');
        foreach (var row in ledger.Rows)
        {
            csv.Append(row.Time.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)).Append(',').Append(row.Account)
                .Append(',').Append(row.Event);
            foreach (var c in columns) csv.Append(',').Append(row.Attributes.GetValueOrDefault(c));
            csv.Append('\n');
        }
        return csv.ToString();
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TariffLang.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("run the benchmarks from inside the repository");
    }
}

/// <summary>Parsing and checking each bundled tariff.</summary>
public class CheckBenchmarks
{
    private string _web1on1 = "";
    private string _wazo = "";

    [GlobalSetup]
    public void Setup()
    {
        var root = RatingBenchmarks.RepositoryRoot();
        _web1on1 = File.ReadAllText(Path.Combine(root, "tariffs", "web1on1.tariff"));
        _wazo = File.ReadAllText(Path.Combine(root, "tariffs", "wazo.tariff"));
    }

    [Benchmark]
    public int CheckWeb1on1() => Tariff.Compile(_web1on1, "web1on1.tariff").Diagnostics.Length;

    [Benchmark]
    public int CheckWazo() => Tariff.Compile(_wazo, "wazo.tariff").Diagnostics.Length;
}
