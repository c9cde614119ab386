using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace TariffLang.Bench;

/// <summary>The options of <c>tariff-bench run</c>.</summary>
public sealed record HarnessOptions(
    IReadOnlyList<long> Rows,
    IReadOnlyList<string> Tariffs,
    bool Shuffled,
    int Runs,
    string Threads,
    IReadOnlySet<string> Contestants,
    string DataDir,
    ulong Seed,
    string RepoRoot,
    string TariffDll,
    TimeSpan Timeout,
    long? RowsPerMonth)
{
    public static readonly string[] AllContestants = ["compiled", "interpreted", "threads", "baseline", "duckdb"];

    public static HarnessOptions From(CommandLine line)
    {
        var known = new HashSet<string>(["--rows", "--tariffs", "--shuffled", "--runs", "--threads", "--contestants", "--data", "--seed",
            "--tariff-dll", "--timeout-minutes", "--rows-per-month"], StringComparer.Ordinal);
        if (line.Names.FirstOrDefault(n => !known.Contains(n)) is { } unknown) throw new UsageException($"run: unknown option {unknown}");
        if (line.Positional.Count > 0) throw new UsageException($"run takes no positional argument ('{line.Positional[0]}')");

        var root = FindRepoRoot();
        var rows = List(line.Get("--rows") ?? "1M,5M,10M").Select(CommandLine.ParseCount).ToList();
        var tariffs = List(line.Get("--tariffs") ?? "calendoc,web1on1,aircall");
        foreach (var t in tariffs) LedgerGenerator.DefaultAccounts(t); // throws on an unknown name
        var contestants = List(line.Get("--contestants") ?? string.Join(',', AllContestants)).ToHashSet(StringComparer.Ordinal);
        if (contestants.FirstOrDefault(c => !AllContestants.Contains(c)) is { } bad)
            throw new UsageException($"--contestants: unknown '{bad}' (of {string.Join(", ", AllContestants)})");
        var runs = int.Parse(line.Get("--runs") ?? "3", CultureInfo.InvariantCulture);
        if (runs < 1) throw new UsageException("--runs must be at least 1");
        var threads = line.Get("--threads") ?? "auto";
        static bool Positive(string t) => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1;
        if (threads is not ("auto" or "none") && !List(threads).All(Positive))
            throw new UsageException("--threads is auto, none or a list of thread counts such as 1,2");
        var data = Path.GetFullPath(line.Get("--data") ?? Path.Combine(root, "benchmarks", "data"));
        // The tool as users get it: published ahead of time by run.sh (ReadyToRun); the build output otherwise.
        var published = Path.Combine(root, "benchmarks", "tool", "tariff.dll");
        var dll = Path.GetFullPath(line.Get("--tariff-dll")
            ?? (File.Exists(published) ? published
                : Path.Combine(root, "src", "TariffLang.Cli", "bin", "Release", "net10.0", "tariff.dll")));
        var seed = ulong.Parse(line.Get("--seed") ?? "42", CultureInfo.InvariantCulture);
        var timeout = TimeSpan.FromMinutes(double.Parse(line.Get("--timeout-minutes") ?? "60", CultureInfo.InvariantCulture));
        var perMonth = line.Get("--rows-per-month") is { } m ? CommandLine.ParseCount(m) : (long?)null;
        if (perMonth is < 1) throw new UsageException("--rows-per-month must be at least 1");
        return new HarnessOptions(rows, tariffs, line.Flag("--shuffled"), runs, threads, contestants, data, seed, root, dll, timeout,
            perMonth);
    }

    /// <summary>How the ledgers are laid out in time, for the report.</summary>
    public string Layout(long rows)
    {
        var order = Shuffled ? "shuffled" : "time-ordered";
        if (RowsPerMonth is not { } perMonth) return order;
        var months = new GenerateOptions("", rows, null, 0, false, "", perMonth).Months;
        return $"{order}, {months} month{(months == 1 ? "" : "s")}";
    }

    private static List<string> List(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "TariffLang.sln"))) return dir.FullName;
            }
        }
        throw new UsageException("run it from inside the TariffLang repository");
    }
}

/// <summary>
/// <c>tariff-bench run</c>: generates the missing ledgers, warms TariffLang's compiled-assembly cache, then runs
/// every contestant on every ledger, interleaved round by round (the machines are shared and noisy: a slow
/// minute then hurts every contestant alike), checks that all outputs agree to the cent, and prints medians,
/// rows/s, peak memory and the ratios the performance goals are stated in.
/// </summary>
public sealed class Harness
{
    /// <summary>One contestant: the command that runs it on a ledger, or null when it does not rate that tariff.</summary>
    private sealed record Contestant(string Key, string Name, Func<Ledger, IReadOnlyList<string>?> Command);

    /// <summary>A generated ledger of the run.</summary>
    private sealed record Ledger(string Tariff, long Rows, string Dir)
    {
        public string Csv => Path.Combine(Dir, "ledger.csv");
        public string? Accounts => File.Exists(Path.Combine(Dir, "accounts.csv")) ? Path.Combine(Dir, "accounts.csv") : null;
        public string Name => Path.GetFileName(Dir);
    }

    private sealed record Sample(long Rows, string Tariff, string Contestant, int Round, Measurement Measurement);

    /// <summary>A failure that ends the run: a contestant crashed or the outputs disagree.</summary>
    private sealed class RunFailed(string message, int exitCode) : Exception(message)
    {
        public int ExitCode { get; } = exitCode;
    }

    private readonly HarnessOptions _o;
    private readonly StringBuilder _report = new();
    private readonly Dictionary<string, string> _environment;
    private readonly string _scratch;
    private readonly List<Sample> _samples = new();

    private Harness(HarnessOptions o)
    {
        _o = o;
        // The cache lives in the data folder so that the run owns it: emptied at the start, then warmed.
        _environment = new() { ["TARIFFLANG_CACHE"] = Path.Combine(o.DataDir, "tarifflang-cache"), ["DOTNET_NOLOGO"] = "1" };
        _scratch = Path.Combine(o.DataDir, "out");
    }

    public static int Run(HarnessOptions o)
    {
        if (!File.Exists(o.TariffDll))
        {
            Console.Error.WriteLine($"tariff-bench: {o.TariffDll} does not exist: build first "
                + "(dotnet build TariffLang.sln -c Release), or use bash benchmarks/run.sh, which does");
            return 1;
        }
        Directory.CreateDirectory(o.DataDir);
        var harness = new Harness(o);
        var stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        try
        {
            harness.Execute();
            return 0;
        }
        catch (RunFailed failed)
        {
            harness.Say(failed.Message);
            return failed.ExitCode;
        }
        finally
        {
            var report = Path.Combine(o.DataDir, $"results-{stamp}.md");
            File.WriteAllText(report, harness._report.ToString());
            File.WriteAllText(Path.Combine(o.DataDir, $"results-{stamp}.csv"), harness.Csv());
            Console.Out.WriteLine($"(report: {report}; every measurement: results-{stamp}.csv beside it)");
        }
    }

    private void Say(string text = "")
    {
        Console.Out.WriteLine(text);
        Console.Out.Flush();
        _report.AppendLine(text);
    }

    private static void Progress(string text) => Console.Error.WriteLine("  " + text);

    private void Execute()
    {
        var o = _o;
        Say($"# TariffLang end-to-end benchmark, {DateTime.Now:yyyy-MM-dd HH:mm}");
        Say();
        foreach (var line in MachineInfo.Describe(o.RepoRoot)) Say("- " + line);
        Say($"- options: rows {string.Join(",", o.Rows.Select(CommandLine.FormatCount))}, tariffs {string.Join(",", o.Tariffs)}, "
            + $"{(o.Shuffled ? "shuffled" : "time-ordered")} ledgers, "
            + (o.RowsPerMonth is { } pm ? $"{CommandLine.FormatCount(pm)} rows a month, " : "one month, ")
            + $"{o.Runs} rounds, seed {o.Seed}, threads {o.Threads}, "
            + $"contestants {string.Join(",", o.Contestants)}");
        Say("- time: wall clock of the whole child process (start-up, reading, rating, writing the JSON), the ledger read "
            + "through just before, untimed, so that every run finds it in the page cache; peak memory: "
            + (ChildProcess.HasTimeCommand
                ? "max RSS of the child from /usr/bin/time -f %M"
                : "VmHWM sampled from /proc, marked ~ (install the Debian package 'time' for exact figures)"));

        // Ledgers are generated once and reused by later runs: the same seed and size give the same bytes.
        var ledgers = o.Rows.SelectMany(rows => o.Tariffs.Select(t => Ensure(t, rows, o.Shuffled))).ToList();
        var tiny = o.Tariffs.Union(["calendoc"]).ToDictionary(t => t, t => Ensure(t, 10, shuffled: false));
        Directory.CreateDirectory(_scratch);

        WarmCache(tiny);
        var threads = ThreadCounts(tiny["calendoc"]);
        MeasureStartup(tiny["calendoc"]);
        var contestants = Contestants(threads);

        foreach (var rows in o.Rows)
        {
            var sizeLedgers = ledgers.Where(l => l.Rows == rows).ToList();
            var agreement = Rounds(sizeLedgers, contestants);
            Say($"## {CommandLine.FormatCount(rows)} rows ({o.Layout(rows)}), "
                + $"medians of {o.Runs} interleaved rounds");
            Say();
            foreach (var line in agreement) Say(line);
            Say();
            foreach (var line in Table(_samples.Where(s => s.Rows == rows).ToList(), contestants, o.Tariffs)) Say(line);
            Say();
        }
        if (threads.Count > 0)
        {
            var largest = ledgers.Where(l => l.Rows == o.Rows.Max()).ToList();
            MeasureRatingSpeedUp(largest);
            MeasureMachineCeiling(largest);
        }
        Say(Goals());
    }

    private Ledger Ensure(string tariff, long rows, bool shuffled)
    {
        var perMonth = rows > 10 && _o.RowsPerMonth is { } pm ? $"-pm{CommandLine.FormatCount(pm)}" : "";
        var dir = Path.Combine(_o.DataDir, $"{tariff}-{CommandLine.FormatCount(rows)}-s{_o.Seed}{perMonth}{(shuffled ? "-shuffled" : "")}");
        var ledger = new Ledger(tariff, rows, dir);
        if (File.Exists(ledger.Csv)) return ledger;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        LedgerGenerator.Generate(new GenerateOptions(tariff, rows, null, _o.Seed, shuffled, dir, rows > 10 ? _o.RowsPerMonth : null));
        Progress(FormattableString.Invariant($"generated {ledger.Name} in {clock.Elapsed.TotalSeconds:F1} s"));
        return ledger;
    }

    /// <summary>
    /// Empties the compiled-assembly cache and rates each tariff's 10-row ledger once with the compiled engine: that
    /// compiles the tariff with Roslyn and stores the assembly, so every measured compiled run loads it from the cache.
    /// </summary>
    private void WarmCache(Dictionary<string, Ledger> tiny)
    {
        var cache = _environment["TARIFFLANG_CACHE"];
        if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
        Say();
        Say("## Warm-up and start-up");
        Say();
        foreach (var (tariff, ledger) in tiny)
        {
            var cold = Measure(TariffCommand(ledger, "compiled", null), "warmup.json");
            Say(FormattableString.Invariant(
                $"- {tariff}: cache emptied, first compiled `tariff rate` (Roslyn compiles, the cache is filled): {cold.WallSeconds:F2} s"));
        }
    }

    /// <summary>Whether this build of `tariff rate` takes --threads (the rebuilt engine adds it), and which counts to run.</summary>
    private List<int> ThreadCounts(Ledger tiny)
    {
        if (_o.Threads == "none" || !_o.Contestants.Contains("threads")) return [];
        var supported = Measure(TariffCommand(tiny, "compiled", 1), "probe.json").ExitCode == 0;
        List<int> counts = !supported ? []
            : _o.Threads == "auto" ? [1]
            : _o.Threads.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToList();
        Say(supported
            ? $"- `tariff rate` accepts --threads: the compiled engine also runs with --threads {string.Join(", ", counts)}"
            : "- `tariff rate` does not accept --threads yet: no --threads contestant");
        return counts;
    }

    /// <summary>The start-up goal: `tariff rate` of a 10-row ledger with a warm cache, in under 0.5 s of wall time.</summary>
    private void MeasureStartup(Ledger tiny)
    {
        var walls = Enumerable.Range(0, Math.Max(_o.Runs, 5))
            .Select(_ => Measure(TariffCommand(tiny, "compiled", null), "startup.json").WallSeconds).ToList();
        var median = Median(walls);
        _samples.Add(new Sample(10, "calendoc", "startup", 0, new Measurement(median, 0, false, 0, "")));
        Say(FormattableString.Invariant($"- `tariff rate` of a 10-row calenDoc ledger, warm cache: median {median:F3} s over ")
            + FormattableString.Invariant($"{walls.Count} runs (min {walls.Min():F3}, max {walls.Max():F3}); ")
            + $"goal < 0.5 s: {(median < 0.5 ? "met" : "NOT met")}");
        Say();
    }

    /// <summary>
    /// The speed-up of all cores over one thread on rating alone: `tariff bench --threads 1,N` rates the ledger in one
    /// process, the two counts interleaved, after a warm-up. The end-to-end figures above also hold the process
    /// start-up and the tariff's loading, which one thread or many do alike.
    /// </summary>
    private void MeasureRatingSpeedUp(List<Ledger> ledgers)
    {
        var cores = Environment.ProcessorCount;
        if (cores < 2) return;
        Say($"## Rating alone, 1 thread against {cores} (`tariff bench --threads 1,{cores}`, {_o.Runs} interleaved rounds)");
        Say();
        foreach (var ledger in ledgers)
        {
            var command = TariffCommand(ledger, "compiled", null).ToList();
            command[2] = "bench";
            command.RemoveRange(command.IndexOf("--format"), 2);
            command.AddRange(["--threads", $"1,{cores}", "--iterations", _o.Runs.ToString(CultureInfo.InvariantCulture)]);
            var output = $"{ledger.Name}.bench.txt";
            var m = Measure(command, output);
            if (m.ExitCode != 0)
                throw new RunFailed($"FAILED: tariff bench on {ledger.Name} exited with {m.ExitCode}:\n{m.Stderr}", 1);
            var text = File.ReadAllText(Path.Combine(_scratch, output));
            var match = System.Text.RegularExpressions.Regex.Match(text, @"speed-up of \d+ threads over 1: (\d+\.\d+)");
            if (!match.Success) throw new RunFailed($"FAILED: tariff bench on {ledger.Name} printed no speed-up:\n{text}", 1);
            var ratio = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            _speedUps[ledger.Tariff] = ratio;
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                         .Where(l => l.StartsWith("--threads", StringComparison.Ordinal)
                             || l.StartsWith("speed-up", StringComparison.Ordinal)))
                Say($"- {ledger.Name}: {line}");
        }
        Say();
    }

    private readonly Dictionary<string, double> _speedUps = new(StringComparer.Ordinal);

    /// <summary>
    /// What all cores can give at best on this machine: as many independent `tariff rate --threads 1` processes at once
    /// as there are cores, against one alone, alternating round by round. Nothing is shared between them but the
    /// machine (its caches, memory bandwidth, and on a virtual machine whatever the host runs beside it), so cores × the
    /// time of one alone ÷ the time from their start until the last of them ends is how much more work the cores do
    /// together than one, at that moment. A reference for the in-process speed-up, not a bound: each process also starts
    /// .NET, writes its JSON and runs its own collector.
    /// </summary>
    private void MeasureMachineCeiling(List<Ledger> ledgers)
    {
        var cores = Environment.ProcessorCount;
        if (cores < 2) return;
        Say($"## The machine's ceiling: {cores} independent `tariff rate --threads 1` processes at once against one alone "
            + $"({_o.Runs} alternating rounds)");
        Say();
        foreach (var ledger in ledgers)
        {
            var command = TariffCommand(ledger, "compiled", 1);
            var (alone, together, ratios) = (new List<double>(), new List<double>(), new List<double>());
            for (var round = 0; round < _o.Runs; round++)
            {
                WarmPageCache(ledger);
                // Both timed the same way, from before the first start to after the last end.
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var one = Measure(command, $"{ledger.Name}.alone.json");
                var oneSeconds = clock.Elapsed.TotalSeconds;
                clock.Restart();
                var copies = Enumerable.Range(0, cores)
                    .Select(c => Task.Run(() => Measure(command, $"{ledger.Name}.together{c}.json"))).ToArray();
                Task.WaitAll(copies);
                var last = clock.Elapsed.TotalSeconds;
                foreach (var m in copies.Select(t => t.Result).Prepend(one))
                {
                    if (m.ExitCode != 0)
                        throw new RunFailed($"FAILED: tariff rate --threads 1 on {ledger.Name} exited with {m.ExitCode}:\n{m.Stderr}", 1);
                }
                alone.Add(oneSeconds);
                together.Add(last);
                ratios.Add(cores * oneSeconds / last);
            }
            var ceiling = Median(ratios);
            _ceilings[ledger.Tariff] = ceiling;
            Say(FormattableString.Invariant($"- {ledger.Name}: one alone {Median(alone):F2} s, {cores} at once {Median(together):F2} s ")
                + FormattableString.Invariant($"(until the last ends); {cores} × alone ÷ together: {ceiling:F2} ")
                + FormattableString.Invariant($"(median of {ratios.Count} rounds, {ratios.Min():F2} to {ratios.Max():F2})"));
        }
        Say();
    }

    private readonly Dictionary<string, double> _ceilings = new(StringComparer.Ordinal);

    private List<Contestant> Contestants(List<int> threads)
    {
        var list = new List<Contestant>();
        var wanted = _o.Contestants;
        if (wanted.Contains("compiled")) list.Add(new("compiled", "TariffLang compiled", l => TariffCommand(l, "compiled", null)));
        if (wanted.Contains("threads"))
        {
            foreach (var n in threads)
                list.Add(new($"threads{n}", $"TariffLang compiled --threads {n}", l => TariffCommand(l, "compiled", n)));
        }
        if (wanted.Contains("interpreted"))
            list.Add(new("interpreted", "TariffLang interpreted", l => TariffCommand(l, "interpreted", null)));
        // The baseline and DuckDB run from this very program, started afresh like the others.
        var self = typeof(Harness).Assembly.Location;
        if (wanted.Contains("baseline"))
            list.Add(new("baseline", "hand-written C#", l => l.Tariff == "calendoc" ? ["dotnet", self, "baseline", l.Csv] : null));
        if (wanted.Contains("duckdb"))
            list.Add(new("duckdb", "DuckDB", l => l.Tariff == "calendoc" ? ["dotnet", self, "duckdb", l.Csv] : null));
        return list;
    }

    /// <summary>Runs the rounds of one size; returns the agreement lines. Throws <see cref="RunFailed"/> on a crash or a
    /// disagreement.</summary>
    private List<string> Rounds(List<Ledger> ledgers, List<Contestant> contestants)
    {
        var references = new Dictionary<string, (string Contestant, IReadOnlyList<string> Lines)>();
        var agreeing = new Dictionary<string, HashSet<string>>();
        for (var round = 0; round < _o.Runs; round++)
        {
            foreach (var ledger in ledgers)
            {
                var applicable = contestants.Where(c => c.Command(ledger) is not null).ToList();
                // The order rotates each round, so no contestant always runs first (cold page cache, turbo) or last.
                var shift = applicable.Count == 0 ? 0 : round % applicable.Count;
                foreach (var contestant in applicable.Skip(shift).Concat(applicable.Take(shift)))
                {
                    var output = $"{ledger.Name}.{contestant.Key}.json";
                    WarmPageCache(ledger);
                    var m = Measure(contestant.Command(ledger)!, output);
                    Progress(FormattableString.Invariant(
                        $"[{ledger.Name} round {round + 1}/{_o.Runs}] {contestant.Name}: {m.WallSeconds:F2} s, {m.PeakKb / 1024.0:F0} MB"));
                    if (m.ExitCode != 0)
                    {
                        throw new RunFailed($"FAILED: {contestant.Name} on {ledger.Name} exited with {m.ExitCode}:\n"
                            + string.Join("\n", m.Stderr.Split('\n').TakeLast(15)), 1);
                    }
                    CheckAgreement(ledger, contestant, Path.Combine(_scratch, output), references);
                    agreeing.TryAdd(ledger.Name, new HashSet<string>());
                    agreeing[ledger.Name].Add(contestant.Name);
                    _samples.Add(new Sample(ledger.Rows, ledger.Tariff, contestant.Key, round, m));
                }
            }
        }
        return references.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r =>
            $"- agreement on {r.Key}: {string.Join(", ", agreeing[r.Key])} × {_o.Runs} rounds: the same {r.Value.Lines.Count} "
            + "canonical lines (invoice lines, totals, row accounting) to the cent").ToList();
    }

    private IReadOnlyList<string> TariffCommand(Ledger ledger, string engine, int? threads)
    {
        var tariff = Path.Combine(_o.RepoRoot, "tariffs", ledger.Tariff + ".tariff");
        var command = new List<string> { "dotnet", _o.TariffDll, "rate", tariff, ledger.Csv };
        if (ledger.Accounts is { } accounts) command.AddRange(["--accounts", accounts]);
        command.AddRange(["--format", "json", "--engine", engine]);
        if (threads is { } n) command.AddRange(["--threads", n.ToString(CultureInfo.InvariantCulture)]);
        return command;
    }

    /// <summary>
    /// Reads the ledger (and its accounts file) through once, untimed, so that the run measured next finds it in the
    /// page cache like every other. Without it the first run on a ledger after other large files reads it from disk: on
    /// this machine that cost a 10 M-row ledger 0.4–0.7 s on all cores and 0.2–0.9 s on one, and since the rounds start
    /// with a different contestant each time, the cost fell on the all-cores run of round 1 and skewed that round's
    /// ratios.
    /// </summary>
    private static void WarmPageCache(Ledger ledger)
    {
        var buffer = new byte[1 << 20];
        foreach (var path in new[] { ledger.Csv, ledger.Accounts })
        {
            if (path is null) continue;
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            while (file.Read(buffer, 0, buffer.Length) > 0)
            {
            }
        }
    }

    private Measurement Measure(IReadOnlyList<string> command, string outputName) =>
        ChildProcess.Run(command, Path.Combine(_scratch, outputName), _environment, _o.Timeout);

    /// <summary>Compares a contestant's output with the first output of the same ledger (any contestant, any round).</summary>
    private static void CheckAgreement(Ledger ledger, Contestant contestant, string output,
        Dictionary<string, (string Contestant, IReadOnlyList<string> Lines)> references)
    {
        IReadOnlyList<string> lines;
        try
        {
            lines = InvoiceNormalizer.Normalize(File.ReadAllText(output));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new RunFailed($"DISAGREEMENT: {contestant.Name} on {ledger.Name} printed no invoice JSON ({e.Message}); see {output}", 3);
        }
        if (!references.TryGetValue(ledger.Name, out var reference))
        {
            references[ledger.Name] = (contestant.Name, lines);
            return;
        }
        var differences = InvoiceNormalizer.Differences(reference.Lines, lines, max: 20);
        if (differences.Count == 0) return;
        throw new RunFailed($"DISAGREEMENT on {ledger.Name}: {contestant.Name} (+) differs from {reference.Contestant} (-); "
            + $"its output is kept at {output}:\n" + string.Join("\n", differences.Select(d => "    " + d)), 3);
    }

    private static IEnumerable<string> Table(List<Sample> samples, List<Contestant> contestants, IReadOnlyList<string> tariffs)
    {
        yield return "| tariff | contestant | rows | median wall s | rows/s | peak MB | vs DuckDB | vs baseline | rows/s vs calenDoc |";
        yield return "|---|---|--:|--:|--:|--:|--:|--:|--:|";
        foreach (var tariff in tariffs)
        {
            foreach (var contestant in contestants)
            {
                var mine = samples.Where(s => s.Tariff == tariff && s.Contestant == contestant.Key).ToList();
                if (mine.Count == 0) continue;
                var rows = mine[0].Rows;
                var wall = Median(mine.Select(s => s.Measurement.WallSeconds));
                var peak = Median(mine.Select(s => (double)s.Measurement.PeakKb)) / 1024;
                var sampled = mine.Any(s => s.Measurement.PeakSampled) ? "~" : "";
                string Ratio(string otherTariff, string other, bool throughput = false) =>
                    RoundRatio(samples, tariff, contestant.Key, otherTariff, other, throughput) is { } v
                        ? v.ToString("F2", CultureInfo.InvariantCulture) : "";
                var calendoc = tariff == "calendoc";
                var vsDuck = calendoc && contestant.Key != "duckdb" ? Ratio("calendoc", "duckdb") : "";
                var vsBase = calendoc && contestant.Key != "baseline" ? Ratio("calendoc", "baseline") : "";
                var vsCal = calendoc ? "" : Ratio("calendoc", contestant.Key, throughput: true);
                yield return FormattableString.Invariant(
                    $"| {tariff} | {contestant.Name} | {rows:N0} | {wall:F2} | {rows / wall:N0} | {sampled}{peak:F0} ")
                    + $"| {vsDuck} | {vsBase} | {vsCal} |";
            }
        }
        yield return "";
        yield return "vs DuckDB, vs baseline: median over the rounds of (this wall time ÷ theirs in the same round); below 1 is faster.";
        yield return "rows/s vs calenDoc: median over the rounds of (rows/s here ÷ rows/s of the same contestant on calenDoc, same size); "
            + "0.5 is the \"within 2×\" bar.";
    }

    /// <summary>
    /// The median over rounds of wall(tariff, contestant) ÷ wall(otherTariff, other) of the same round and size, or its
    /// inverse for throughput (the ledgers compared have the same number of rows); null when either is missing.
    /// </summary>
    private static double? RoundRatio(List<Sample> samples, string tariff, string contestant, string otherTariff, string other,
        bool throughput)
    {
        var ratios = new List<double>();
        foreach (var mine in samples.Where(s => s.Tariff == tariff && s.Contestant == contestant))
        {
            var theirs = samples.FirstOrDefault(s =>
                s.Tariff == otherTariff && s.Contestant == other && s.Round == mine.Round && s.Rows == mine.Rows);
            if (theirs is null) continue;
            var ratio = mine.Measurement.WallSeconds / theirs.Measurement.WallSeconds;
            ratios.Add(throughput ? 1 / ratio : ratio);
        }
        return ratios.Count == 0 ? null : Median(ratios);
    }

    private string Goals()
    {
        var text = new StringBuilder("## The goals, size by size (compiled engine, default threads)\n\n");
        foreach (var rows in _o.Rows)
        {
            var mine = _samples.Where(s => s.Rows == rows).ToList();
            var parts = new List<string>();
            void Check(string what, double? value, Func<double, bool> met, string bar)
            {
                if (value is { } v) parts.Add(FormattableString.Invariant($"{what} {v:F2} ({bar}: {(met(v) ? "met" : "NOT met")})"));
            }
            Check("compiled ÷ DuckDB", RoundRatio(mine, "calendoc", "compiled", "calendoc", "duckdb", false), v => v < 1.0, "< 1.0");
            Check("compiled ÷ baseline", RoundRatio(mine, "calendoc", "compiled", "calendoc", "baseline", false), v => v <= 1.5,
                "≤ 1.5");
            Check("Web1on1 rows/s ÷ calenDoc's", RoundRatio(mine, "web1on1", "compiled", "calendoc", "compiled", true), v => v >= 0.5,
                "≥ 0.5");
            Check("Aircall rows/s ÷ calenDoc's", RoundRatio(mine, "aircall", "compiled", "calendoc", "compiled", true), v => v >= 0.5,
                "≥ 0.5");
            foreach (var tariff in _o.Tariffs)
                Check($"{tariff} --threads 1 ÷ all cores", RoundRatio(mine, tariff, "threads1", tariff, "compiled", false),
                    v => v >= 1.7, "≥ 1.7");
            if (parts.Count > 0) text.AppendLine($"- {CommandLine.FormatCount(rows)} rows: {string.Join("; ", parts)}");
        }
        foreach (var (tariff, ratio) in _speedUps)
        {
            text.AppendLine(FormattableString.Invariant($"- {tariff} rating alone ({CommandLine.FormatCount(_o.Rows.Max())} rows), ")
                + FormattableString.Invariant(
                    $"{Environment.ProcessorCount} threads ÷ 1: {ratio:F2} (≥ 1.7: {(ratio >= 1.7 ? "met" : "NOT met")})")
                + (_ceilings.TryGetValue(tariff, out var ceiling)
                    ? FormattableString.Invariant($"; the machine's ceiling, independent processes at once: {ceiling:F2}")
                    : ""));
        }
        // Memory must follow the accounts and their open state, not the rows: the largest ledger against the smallest.
        if (_o.Rows.Count > 1 && !_o.Shuffled)
        {
            var (small, large) = (_o.Rows.Min(), _o.Rows.Max());
            foreach (var tariff in _o.Tariffs)
            {
                double? Peak(long rows)
                {
                    var peaks = _samples.Where(x => x.Rows == rows && x.Tariff == tariff && x.Contestant == "compiled")
                        .Select(x => (double)x.Measurement.PeakKb).ToList();
                    return peaks.Count == 0 ? null : Median(peaks);
                }
                if (Peak(small) is not > 0 || Peak(large) is not > 0) continue;
                var ratio = Peak(large)!.Value / Peak(small)!.Value;
                text.AppendLine(FormattableString.Invariant(
                    $"- {tariff} peak memory, {CommandLine.FormatCount(large)} rows ({_o.Layout(large)}) ÷ ")
                    + FormattableString.Invariant($"{CommandLine.FormatCount(small)} rows ({_o.Layout(small)}): {ratio:F2} ")
                    + $"(≤ 1.5: {(ratio <= 1.5 ? "met" : "NOT met")})");
            }
        }
        if (_samples.FirstOrDefault(s => s.Contestant == "startup") is { } startup)
        {
            var wall = startup.Measurement.WallSeconds;
            text.AppendLine(FormattableString.Invariant($"- 10-row `tariff rate`, warm cache: {wall:F3} s ")
                + $"(< 0.5 s: {(wall < 0.5 ? "met" : "NOT met")})");
        }
        return text.ToString();
    }

    private string Csv()
    {
        var csv = new StringBuilder("rows,tariff,contestant,round,wall_s,peak_kb\n");
        foreach (var s in _samples)
        {
            csv.AppendLine(FormattableString.Invariant(
                $"{s.Rows},{s.Tariff},{s.Contestant},{s.Round + 1},{s.Measurement.WallSeconds:F3},{s.Measurement.PeakKb}"));
        }
        return csv.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) return double.NaN;
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

/// <summary>The machine a run was made on, read from the machine itself.</summary>
public static class MachineInfo
{
    public static IEnumerable<string> Describe(string repoRoot)
    {
        var cpu = Read("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        var memKb = Read("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } m
            ? long.Parse(new string(m.Where(char.IsAsciiDigit).ToArray()), CultureInfo.InvariantCulture) : 0;
        var os = Read("/etc/os-release")
            .FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"')
            ?? RuntimeInformation.OSDescription;
        yield return $"machine: {Environment.ProcessorCount} cores{(cpu is null ? "" : $" ({cpu})")}, "
            + FormattableString.Invariant($"{memKb / 1024.0 / 1024.0:F1} GiB memory, {os}, kernel {Environment.OSVersion.Version}");
        yield return $"runtime: {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.ProcessArchitecture})";
        if (Git(repoRoot) is { } commit) yield return $"commit: {commit}";
    }

    private static IEnumerable<string> Read(string path) => File.Exists(path) ? File.ReadLines(path) : [];

    private static string? Git(string repoRoot)
    {
        try
        {
            var info = new System.Diagnostics.ProcessStartInfo("git", ["-C", repoRoot, "log", "-1", "--format=%h %s"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var git = System.Diagnostics.Process.Start(info);
            if (git is null) return null;
            var text = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && text.Length > 0 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine
        }
    }
}
