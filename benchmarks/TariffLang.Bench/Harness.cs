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
    TimeSpan Timeout)
{
    public static readonly string[] AllContestants = ["compiled", "interpreted", "threads", "baseline", "duckdb"];

    public static HarnessOptions From(CommandLine line)
    {
        var known = new HashSet<string>(["--rows", "--tariffs", "--shuffled", "--runs", "--threads", "--contestants", "--data", "--seed",
            "--tariff-dll", "--timeout-minutes"], StringComparer.Ordinal);
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
        if (threads is not ("auto" or "none") && List(threads).Any(t => !int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1))
            throw new UsageException("--threads is auto, none or a list of thread counts such as 1,2");
        var data = Path.GetFullPath(line.Get("--data") ?? Path.Combine(root, "benchmarks", "data"));
        var dll = Path.GetFullPath(line.Get("--tariff-dll") ?? Path.Combine(root, "src", "TariffLang.Cli", "bin", "Release", "net10.0", "tariff.dll"));
        var seed = ulong.Parse(line.Get("--seed") ?? "42", CultureInfo.InvariantCulture);
        var timeout = TimeSpan.FromMinutes(double.Parse(line.Get("--timeout-minutes") ?? "60", CultureInfo.InvariantCulture));
        return new HarnessOptions(rows, tariffs, line.Flag("--shuffled"), runs, threads, contestants, data, seed, root, dll, timeout);
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
public static class Harness
{
    /// <summary>One contestant: how to run it on a ledger of a tariff.</summary>
    private sealed record Contestant(string Key, string Name, Func<Ledger, IReadOnlyList<string>?> Command);

    /// <summary>A generated ledger of the run.</summary>
    private sealed record Ledger(string Tariff, long Rows, string Dir)
    {
        public string Csv => Path.Combine(Dir, "ledger.csv");
        public string? Accounts => File.Exists(Path.Combine(Dir, "accounts.csv")) ? Path.Combine(Dir, "accounts.csv") : null;
        public string Name => Path.GetFileName(Dir);
    }

    private sealed record Sample(long Rows, string Tariff, string Contestant, int Round, Measurement Measurement);

    public static int Run(HarnessOptions o)
    {
        if (!File.Exists(o.TariffDll))
        {
            Console.Error.WriteLine($"tariff-bench: {o.TariffDll} does not exist: build first (dotnet build TariffLang.sln -c Release), "
                + "or use bash benchmarks/run.sh, which does");
            return 1;
        }
        Directory.CreateDirectory(o.DataDir);
        var stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var report = new StringBuilder();
        void Say(string text = "")
        {
            Console.Out.WriteLine(text);
            Console.Out.Flush();
            report.AppendLine(text);
        }

        Say($"# TariffLang end-to-end benchmark, {DateTime.Now:yyyy-MM-dd HH:mm}");
        Say();
        foreach (var line in MachineInfo.Describe(o.RepoRoot)) Say("- " + line);
        Say($"- options: rows {string.Join(",", o.Rows.Select(CommandLine.FormatCount))}, tariffs {string.Join(",", o.Tariffs)}, "
            + $"{(o.Shuffled ? "shuffled" : "time-ordered")} ledgers, {o.Runs} rounds, seed {o.Seed}, threads {o.Threads}, "
            + $"contestants {string.Join(",", o.Contestants)}");
        Say($"- peak memory: {(ChildProcess.HasTimeCommand ? "/usr/bin/time -f %M (max RSS from wait4)" : "sampled VmHWM from /proc (install the Debian package 'time' for exact figures)")}");
        Say();

        // 1. Ledgers: generated once, reused by later runs (same seed and size give the same bytes).
        var ledgers = new List<Ledger>();
        foreach (var rows in o.Rows)
        {
            foreach (var tariff in o.Tariffs) ledgers.Add(Ensure(o, tariff, rows, o.Shuffled));
        }
        var tiny = o.Tariffs.Union(["calendoc"]).ToDictionary(t => t, t => Ensure(o, t, 10, shuffled: false));

        // 2. The compiled-assembly cache: emptied, then warmed by one run per tariff, so that every measured
        //    compiled run loads its tariff's assembly from the cache instead of compiling it with Roslyn.
        var cache = Path.Combine(o.DataDir, "tarifflang-cache");
        if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
        var environment = new Dictionary<string, string> { ["TARIFFLANG_CACHE"] = cache, ["DOTNET_NOLOGO"] = "1" };
        var scratch = Path.Combine(o.DataDir, "out");
        Directory.CreateDirectory(scratch);
        Say("## Compiled-assembly cache");
        Say();
        foreach (var (tariff, ledger) in tiny)
        {
            var cold = Measure(o, TariffCommand(o, ledger, "compiled", null), Path.Combine(scratch, "warmup.json"), environment);
            Say(FormattableString.Invariant($"- {tariff}: cache emptied; first `tariff rate` (compiles with Roslyn, fills the cache) {cold.WallSeconds:F2} s"));
        }

        // 3. Does this build of `tariff rate` take --threads? (The rebuilt engine adds it.)
        var threadCounts = ThreadCounts(o, tiny["calendoc"], environment, scratch, Say);

        // 4. Start-up: `tariff rate` of a 10-row ledger with a warm cache.
        var startup = new List<double>();
        for (var i = 0; i < Math.Max(o.Runs, 5); i++)
            startup.Add(Measure(o, TariffCommand(o, tiny["calendoc"], "compiled", null), Path.Combine(scratch, "startup.json"), environment).WallSeconds);
        var startupMedian = Median(startup);
        Say(FormattableString.Invariant(
            $"- `tariff rate` of a 10-row calenDoc ledger, warm cache: median {startupMedian:F3} s over {startup.Count} runs (goal < 0.5 s)"));
        Say();

        // 5. The contestants.
        var contestants = new List<Contestant>();
        if (o.Contestants.Contains("compiled")) contestants.Add(new("compiled", "TariffLang compiled", l => TariffCommand(o, l, "compiled", null)));
        if (o.Contestants.Contains("threads"))
        {
            foreach (var n in threadCounts)
                contestants.Add(new($"threads{n}", $"TariffLang compiled --threads {n}", l => TariffCommand(o, l, "compiled", n)));
        }
        if (o.Contestants.Contains("interpreted")) contestants.Add(new("interpreted", "TariffLang interpreted", l => TariffCommand(o, l, "interpreted", null)));
        var bench = typeof(Harness).Assembly.Location;
        if (o.Contestants.Contains("baseline"))
            contestants.Add(new("baseline", "hand-written C#", l => l.Tariff == "calendoc" ? ["dotnet", bench, "baseline", l.Csv] : null));
        if (o.Contestants.Contains("duckdb"))
            contestants.Add(new("duckdb", "DuckDB", l => l.Tariff == "calendoc" ? ["dotnet", bench, "duckdb", l.Csv] : null));

        var samples = new List<Sample>();
        var csv = new StringBuilder("rows,tariff,contestant,round,wall_s,peak_kb\n");
        foreach (var rows in o.Rows)
        {
            var sizeLedgers = ledgers.Where(l => l.Rows == rows).ToList();
            var references = new Dictionary<string, (string Contestant, IReadOnlyList<string> Lines)>();
            for (var round = 0; round < o.Runs; round++)
            {
                foreach (var ledger in sizeLedgers)
                {
                    var applicable = contestants.Where(c => c.Command(ledger) is not null).ToList();
                    // Rotate the order each round, so that no contestant always runs right after the same other one.
                    var ordered = applicable.Skip(round % Math.Max(1, applicable.Count)).Concat(applicable.Take(round % Math.Max(1, applicable.Count)));
                    foreach (var contestant in ordered)
                    {
                        var output = Path.Combine(scratch, $"{ledger.Name}.{contestant.Key}.json");
                        var m = Measure(o, contestant.Command(ledger)!, output, environment);
                        Console.Error.WriteLine(FormattableString.Invariant(
                            $"  [{ledger.Name} round {round + 1}/{o.Runs}] {contestant.Name}: {m.WallSeconds:F2} s, {m.PeakKb / 1024.0:F0} MB"));
                        if (m.ExitCode != 0)
                        {
                            Say($"FAILED: {contestant.Name} on {ledger.Name} exited with {m.ExitCode}:");
                            Say(string.Join("\n", m.Stderr.Split('\n').TakeLast(15)));
                            return 1;
                        }
                        if (!Agrees(ledger, contestant, output, references, Say)) return 3;
                        samples.Add(new Sample(rows, ledger.Tariff, contestant.Key, round, m));
                        csv.AppendLine(FormattableString.Invariant($"{rows},{ledger.Tariff},{contestant.Key},{round + 1},{m.WallSeconds:F3},{m.PeakKb}"));
                    }
                }
            }
            Say($"## {CommandLine.FormatCount(rows)} rows ({(o.Shuffled ? "shuffled" : "time-ordered")}), median of {o.Runs} interleaved rounds");
            Say();
            foreach (var (ledger, reference) in references.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                var agreeing = samples.Where(s => s.Rows == rows && sizeLedgers.First(l => l.Name == ledger).Tariff == s.Tariff)
                    .Select(s => s.Contestant).Distinct().Count();
                Say($"- agreement: {ledger}: {agreeing} contestants × {o.Runs} rounds give the same {reference.Lines.Count} "
                    + "canonical lines (invoice lines, totals, row accounting) to the cent");
            }
            Say();
            foreach (var line in Table(samples.Where(s => s.Rows == rows).ToList(), contestants, o.Tariffs)) Say(line);
            Say();
        }
        Say(Goals(samples, o));

        var reportPath = Path.Combine(o.DataDir, $"results-{stamp}.md");
        File.WriteAllText(reportPath, report.ToString());
        File.WriteAllText(Path.Combine(o.DataDir, $"results-{stamp}.csv"), csv.ToString());
        Console.Out.WriteLine($"(report: {reportPath}; every measurement: results-{stamp}.csv beside it)");
        return 0;
    }

    private static Ledger Ensure(HarnessOptions o, string tariff, long rows, bool shuffled)
    {
        var dir = Path.Combine(o.DataDir, $"{tariff}-{CommandLine.FormatCount(rows)}-s{o.Seed}{(shuffled ? "-shuffled" : "")}");
        var ledger = new Ledger(tariff, rows, dir);
        if (!File.Exists(ledger.Csv))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            LedgerGenerator.Generate(new GenerateOptions(tariff, rows, null, o.Seed, shuffled, dir));
            if (rows > 10)
                Console.Error.WriteLine(FormattableString.Invariant($"  generated {ledger.Name} in {clock.Elapsed.TotalSeconds:F1} s"));
        }
        return ledger;
    }

    private static IReadOnlyList<string> TariffCommand(HarnessOptions o, Ledger ledger, string engine, int? threads)
    {
        var command = new List<string> { "dotnet", o.TariffDll, "rate", Path.Combine(o.RepoRoot, "tariffs", ledger.Tariff + ".tariff"), ledger.Csv };
        if (ledger.Accounts is { } accounts) command.AddRange(["--accounts", accounts]);
        command.AddRange(["--format", "json", "--engine", engine]);
        if (threads is { } n) command.AddRange(["--threads", n.ToString(CultureInfo.InvariantCulture)]);
        return command;
    }

    private static Measurement Measure(HarnessOptions o, IReadOnlyList<string> command, string output, Dictionary<string, string> environment) =>
        ChildProcess.Run(command, output, environment, o.Timeout);

    private static List<int> ThreadCounts(HarnessOptions o, Ledger tiny, Dictionary<string, string> environment, string scratch, Action<string> say)
    {
        if (o.Threads == "none" || !o.Contestants.Contains("threads")) return [];
        var probe = Measure(o, TariffCommand(o, tiny, "compiled", 1), Path.Combine(scratch, "probe.json"), environment);
        var supported = probe.ExitCode == 0;
        say(supported
            ? "- `tariff rate` accepts --threads: the compiled engine also runs with --threads " + (o.Threads == "auto" ? "1" : o.Threads)
            : "- `tariff rate` does not accept --threads yet: the --threads contestants are left out");
        if (!supported) return [];
        return o.Threads == "auto" ? [1] : o.Threads.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>Compares a contestant's output with the first output of the same ledger; prints the differences when not equal.</summary>
    private static bool Agrees(Ledger ledger, Contestant contestant, string output,
        Dictionary<string, (string Contestant, IReadOnlyList<string> Lines)> references, Action<string> say)
    {
        IReadOnlyList<string> lines;
        try
        {
            lines = InvoiceNormalizer.Normalize(File.ReadAllText(output));
        }
        catch (System.Text.Json.JsonException e)
        {
            say($"DISAGREEMENT: {contestant.Name} on {ledger.Name} printed no invoice JSON ({e.Message}); output: {output}");
            return false;
        }
        if (!references.TryGetValue(ledger.Name, out var reference))
        {
            references[ledger.Name] = (contestant.Name, lines);
            return true;
        }
        var differences = InvoiceNormalizer.Differences(reference.Lines, lines, max: 20);
        if (differences.Count == 0) return true;
        say($"DISAGREEMENT on {ledger.Name}: {contestant.Name} (+) differs from {reference.Contestant} (-); output kept at {output}:");
        foreach (var d in differences) say("    " + d);
        return false;
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
                string Ratio(string tariffOf, string other, bool inverse = false)
                {
                    var value = RoundRatio(samples, tariff, contestant.Key, tariffOf, other, inverse);
                    return value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "";
                }
                var vsDuck = tariff == "calendoc" && contestant.Key != "duckdb" ? Ratio("calendoc", "duckdb") : "";
                var vsBase = tariff == "calendoc" && contestant.Key != "baseline" ? Ratio("calendoc", "baseline") : "";
                // Throughput relative to the same contestant on calenDoc: > 0.5 means "within 2× of calenDoc's rows/s".
                var vsCal = tariff != "calendoc" ? Ratio("calendoc", contestant.Key, inverse: true) : "";
                yield return FormattableString.Invariant(
                    $"| {tariff} | {contestant.Name} | {rows:N0} | {wall:F2} | {rows / wall:N0} | {sampled}{peak:F0} | {vsDuck} | {vsBase} | {vsCal} |");
            }
        }
        yield return "";
        yield return "vs DuckDB, vs baseline: median over the rounds of (this wall time / theirs in the same round); below 1 is faster.";
        yield return "rows/s vs calenDoc: median over the rounds of (rows/s here / rows/s of the same contestant on calenDoc); "
            + "0.5 is the \"within 2×\" bar.";
    }

    /// <summary>
    /// The median over rounds of wall(tariff, contestant) / wall(otherTariff, other) measured in the same round,
    /// or its inverse for throughput (both ledgers have the same number of rows); null when either is missing.
    /// </summary>
    private static double? RoundRatio(List<Sample> samples, string tariff, string contestant, string otherTariff, string other, bool inverse)
    {
        var ratios = new List<double>();
        foreach (var mine in samples.Where(s => s.Tariff == tariff && s.Contestant == contestant))
        {
            var theirs = samples.FirstOrDefault(s => s.Tariff == otherTariff && s.Contestant == other && s.Round == mine.Round && s.Rows == mine.Rows);
            if (theirs is null) continue;
            var ratio = mine.Measurement.WallSeconds / theirs.Measurement.WallSeconds;
            ratios.Add(inverse ? 1 / ratio : ratio);
        }
        return ratios.Count == 0 ? null : Median(ratios);
    }

    private static string Goals(List<Sample> samples, HarnessOptions o)
    {
        var text = new StringBuilder("## The goals, size by size\n\n");
        foreach (var rows in o.Rows)
        {
            var mine = samples.Where(s => s.Rows == rows).ToList();
            var parts = new List<string>();
            void Check(string what, double? value, Func<double, bool> met, string bar)
            {
                if (value is { } v) parts.Add(FormattableString.Invariant($"{what} {v:F2} ({bar}: {(met(v) ? "met" : "NOT met")})"));
            }
            Check("compiled/DuckDB", RoundRatio(mine, "calendoc", "compiled", "calendoc", "duckdb", false), v => v < 1.0, "< 1.0");
            Check("compiled/baseline", RoundRatio(mine, "calendoc", "compiled", "calendoc", "baseline", false), v => v <= 1.5, "≤ 1.5");
            Check("Web1on1 rows/s ÷ calenDoc's", RoundRatio(mine, "web1on1", "compiled", "calendoc", "compiled", true), v => v >= 0.5, "≥ 0.5");
            Check("Aircall rows/s ÷ calenDoc's", RoundRatio(mine, "aircall", "compiled", "calendoc", "compiled", true), v => v >= 0.5, "≥ 0.5");
            if (parts.Count > 0) text.AppendLine($"- {CommandLine.FormatCount(rows)} rows: {string.Join("; ", parts)}");
        }
        return text.ToString();
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
        var os = Read("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"')
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
