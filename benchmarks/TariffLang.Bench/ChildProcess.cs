using System.Diagnostics;
using System.Globalization;

namespace TariffLang.Bench;

/// <summary>What one run of a contestant cost.</summary>
/// <param name="PeakKb">Peak resident set size of the child, in KiB.</param>
/// <param name="PeakSampled">True when the peak was sampled from /proc (no /usr/bin/time): it may miss a last burst.</param>
public sealed record Measurement(double WallSeconds, long PeakKb, bool PeakSampled, int ExitCode, string Stderr);

/// <summary>
/// Runs one contestant as a child process and measures it from the outside, the same way for every contestant:
/// wall time with a Stopwatch around the whole process (start-up, reading the ledger, rating, writing the JSON),
/// and the peak RSS as the kernel reports it to <c>/usr/bin/time -f %M</c> (the maximum resident set size from
/// wait4's rusage). Without /usr/bin/time the peak is sampled from <c>/proc/PID/status</c> (VmHWM) instead.
/// </summary>
public static class ChildProcess
{
    private static readonly string? TimeCommand = File.Exists("/usr/bin/time") ? "/usr/bin/time" : null;

    public static bool HasTimeCommand => TimeCommand is not null;

    public static Measurement Run(IReadOnlyList<string> command, string stdoutPath, IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout)
    {
        var rssFile = Path.GetTempFileName();
        try
        {
            var info = new ProcessStartInfo
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (TimeCommand is not null)
            {
                info.FileName = TimeCommand;
                foreach (var a in new[] { "-f", "%M", "-o", rssFile }) info.ArgumentList.Add(a);
                foreach (var a in command) info.ArgumentList.Add(a);
            }
            else
            {
                info.FileName = command[0];
                foreach (var a in command.Skip(1)) info.ArgumentList.Add(a);
            }
            foreach (var (name, value) in environment) info.Environment[name] = value;

            var clock = Stopwatch.StartNew();
            using var process = Process.Start(info) ?? throw new IOException($"cannot start {command[0]}");
            using var output = File.Create(stdoutPath);
            var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
            var errors = process.StandardError.ReadToEndAsync();
            long sampledKb = 0;
            using var stopSampling = new CancellationTokenSource();
            var sampler = TimeCommand is null ? Task.Run(() => Sample(process.Id, stopSampling.Token, kb => sampledKb = kb))
                : Task.CompletedTask;
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                throw new TimeoutException($"{string.Join(' ', command)} did not finish within {timeout.TotalMinutes:F0} min");
            }
            process.WaitForExit(); // also waits for the redirected streams to close
            var wall = clock.Elapsed.TotalSeconds;
            copy.Wait();
            stopSampling.Cancel();
            sampler.Wait();

            var stderr = errors.Result;
            long peakKb = sampledKb;
            if (TimeCommand is not null)
            {
                // /usr/bin/time writes "Command exited with non-zero status N" before the figure when the child fails.
                var last = File.ReadAllLines(rssFile).LastOrDefault(l => l.Trim().Length > 0) ?? "0";
                peakKb = long.TryParse(last.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : 0;
            }
            return new Measurement(wall, peakKb, TimeCommand is null, process.ExitCode, stderr);
        }
        finally
        {
            File.Delete(rssFile);
        }
    }

    /// <summary>Polls VmHWM, the kernel's high-water mark of the process's RSS, until the process ends.</summary>
    private static void Sample(int pid, CancellationToken stop, Action<long> report)
    {
        var status = $"/proc/{pid}/status";
        while (!stop.IsCancellationRequested)
        {
            try
            {
                foreach (var line in File.ReadLines(status))
                {
                    if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                    var digits = new string(line.Where(char.IsAsciiDigit).ToArray());
                    if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var kb)) report(kb);
                }
            }
            catch (IOException)
            {
                return; // the process is gone
            }
            Thread.Sleep(10);
        }
    }
}
