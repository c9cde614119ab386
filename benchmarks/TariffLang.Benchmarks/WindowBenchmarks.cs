using BenchmarkDotNet.Attributes;
using TariffLang.Runtime;

namespace TariffLang.Benchmarks;

/// <summary>
/// A 24-hour window per contact, as Aircall's customer-service window: 1 M events of one account in time order, a few
/// seconds apart, over 50 000 contacts; each event asks whether its contact's window is open and a third of them open
/// or refresh it. Per event (OperationsPerInvoke). The window table drops closed openings a generation at a time.
/// </summary>
/// <remarks>
/// dotnet run -c Release --project benchmarks/TariffLang.Benchmarks -- --filter '*WindowBenchmarks*'
/// <para>
/// Measured 2026-12-04 on the 2-vCPU build VM (shared, noisy), each event with a string of its own: 46–48 ns per event
/// with a dictionary of strings per generation, 62–65 ns with the packed keys of <c>TextKeyTable</c> (71 ns when they
/// were hashed by their characters). The packed table is slower here and faster in whole-ledger rating, where it no
/// longer keeps the ledger's strings alive for the collector (docs/performance.md, "Packed text keys").
/// Then the same day, one after the other: 69 ns with <c>TextKeyTable</c>; 86 ns with a phone number as one word
/// (<c>WordKeyTable</c>, 16-byte slots) made from the <c>TextKey</c>; 59 ns with the word read straight from the characters.
/// </para>
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class WindowBenchmarks
{
    private const int Events = 1_000_000;

    private Value[] _contacts = [];
    private DateTimeOffset[] _times = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        // A string of its own for every event, as the ledger reader makes them when its text cache misses.
        _contacts = Enumerable.Range(0, Events)
            .Select(_ => Value.FromText("+336" + random.Next(50_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture)))
            .ToArray();
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(1));
        _times = Enumerable.Range(0, Events).Select(i => start.AddSeconds(i * 3)).ToArray();
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public int WithinAndOpen()
    {
        var table = new WindowTable(TimeSpan.FromHours(24), tracksStart: false);
        var open = 0;
        for (var i = 0; i < Events; i++)
        {
            var contact = _contacts[i];
            if (table.Within(contact, _times[i])) open++;
            if (i % 3 == 0) table.Open(contact, _times[i], out _, out _);
        }
        return open;
    }
}
