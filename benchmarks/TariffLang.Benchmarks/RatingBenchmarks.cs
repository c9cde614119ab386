using BenchmarkDotNet.Attributes;
using TariffLang.Invoicing;
using TariffLang.Ledgers;

namespace TariffLang.Benchmarks;

/// <summary>Rating throughput of both engines on synthetic ledgers.</summary>
[MemoryDiagnoser]
public class RatingBenchmarks
{
    private CompiledTariff _web1on1 = null!;
    private CompiledTariff _aircall = null!;
    private Ledger _web1on1Ledger = null!;
    private Ledger _aircallLedger = null!;
    private AccountTable _web1on1Accounts = null!;
    private AccountTable _aircallAccounts = null!;

    [Params(TariffEngine.Interpreted, TariffEngine.Compiled)]
    public TariffEngine Engine { get; set; }

    [Params(10_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var root = RepositoryRoot();
        _web1on1 = Tariff.Load(Path.Combine(root, "tariffs", "web1on1.tariff"), Engine);
        _aircall = Tariff.Load(Path.Combine(root, "tariffs", "aircall.tariff"), Engine);
        _web1on1Ledger = SyntheticLedgers.Web1on1(Rows, 20);
        _web1on1Accounts = SyntheticLedgers.Web1on1Accounts(20);
        _aircallLedger = SyntheticLedgers.Aircall(Rows, 20);
        _aircallAccounts = SyntheticLedgers.AircallAccounts(20);
    }

    [Benchmark]
    public RatingResult Web1on1() => _web1on1.Rate(_web1on1Ledger, _web1on1Accounts);

    [Benchmark]
    public RatingResult Aircall() => _aircall.Rate(_aircallLedger, _aircallAccounts);

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
