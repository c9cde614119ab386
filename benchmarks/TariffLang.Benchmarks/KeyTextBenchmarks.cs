using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using TariffLang.Ledgers;
using TariffLang.Runtime;

namespace TariffLang.Benchmarks;

/// <summary>
/// A busy month's visitors typed from the ledger's bytes and counted, as Web1on1's: 1 M values in ledger order from a pool
/// of 20 000, 200 dealers interleaved. Typed as a string through the column's text cache (how every text was read before
/// keys were read as words), against typed as its word alone (<see cref="AttributeParser.KeyText"/>). Per value.
/// </summary>
/// <remarks>
/// dotnet run -c Release --project benchmarks/TariffLang.Benchmarks -- --filter '*KeyTextBenchmarks*'
/// <para>
/// The dealers' sets are kept from one run to the next (a month's reset keeps their slots), so both measure typing and
/// counting, not the sets' growth. Measured 2026-12-05 on the 2-vCPU build VM, in one run: 177 ns (± 6) and 32 bytes a
/// value as strings, 91 ns (± 6) and nothing allocated as words.
/// </para>
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class KeyTextBenchmarks
{
    private const int Values = 1_000_000;
    private const int Dealers = 200;

    private byte[][] _bytes = [];
    private int[] _dealerOf = [];
    private DistinctValues[] _sets = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _bytes = Enumerable.Range(0, Values)
            .Select(_ => Encoding.UTF8.GetBytes("v" + random.Next(20_000).ToString("D6", CultureInfo.InvariantCulture)))
            .ToArray();
        _dealerOf = Enumerable.Range(0, Values).Select(_ => random.Next(Dealers)).ToArray();
        _sets = Enumerable.Range(0, Dealers).Select(_ => new DistinctValues()).ToArray();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Values)]
    public int AsStrings()
    {
        var texts = new Utf8StringCache();
        foreach (var set in _sets) set.Reset(months: 1);
        for (var i = 0; i < Values; i++) _sets[_dealerOf[i]].Add(0, Value.FromText(texts.GetString(_bytes[i])));
        return Count();
    }

    [Benchmark(OperationsPerInvoke = Values)]
    public int AsWords()
    {
        var texts = new Utf8StringCache();
        foreach (var set in _sets) set.Reset(months: 1);
        for (var i = 0; i < Values; i++) _sets[_dealerOf[i]].Add(0, AttributeParser.KeyText(_bytes[i], texts));
        return Count();
    }

    private int Count()
    {
        var total = 0;
        foreach (var set in _sets) total += set.CountIn(new MonthRange(0, 0));
        return total;
    }
}
