using System.Diagnostics;
using System.Reflection;

namespace TariffLang.Tests.Cli;

/// <summary>Runs the <c>tariff</c> command line in-process (CliApp.Run, internal to the CLI assembly) or as a child process.</summary>
internal static class CliHarness
{
    public sealed record CliResult(int Exit, string Out, string Err)
    {
        public string[] OutLines => Out.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
        public override string ToString() => $"exit {Exit}\n--- stdout ---\n{Out}\n--- stderr ---\n{Err}";
    }

    private static readonly MethodInfo RunMethod = LoadRun();

    private static MethodInfo LoadRun()
    {
        // The CLI assembly is named 'tariff' and does not expose its internals to the tests: reach CliApp.Run by reflection.
        var assembly = Assembly.Load("tariff");
        var type = assembly.GetType("TariffLang.Cli.CliApp", throwOnError: true)!;
        return type.GetMethod("Run", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static,
            [typeof(string[]), typeof(TextWriter), typeof(TextWriter)])
               ?? throw new InvalidOperationException("CliApp.Run(string[], TextWriter, TextWriter) not found");
    }

    /// <summary>CliApp.Run(args, stdout, stderr), in this process.</summary>
    public static CliResult Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit;
        try
        {
            exit = (int)RunMethod.Invoke(null, [args, stdout, stderr])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new Xunit.Sdk.XunitException($"tariff {string.Join(' ', args)} threw {e.InnerException}");
        }
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The built CLI as a child process (for inputs that might take the whole process down).</summary>
    public static CliResult RunProcess(TimeSpan timeout, params string[] args) => RunProcessWithInput(timeout, null, args);

    /// <summary>The built CLI as a child process, <paramref name="input"/> (if any) written to its stdin.</summary>
    public static CliResult RunProcessWithInput(TimeSpan timeout, string? input, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "tariff.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"tariff {string.Join(' ', args)} did not finish within {timeout}");
        }
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>Paths of the repository and of the test data copied next to the test assembly.</summary>
internal static class TestPaths
{
    /// <summary>The folder holding TariffLang.sln, found by walking up from the test assembly.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Tariffs => Path.Combine(RepoRoot, "tariffs");

    public static string Cases => Path.Combine(AppContext.BaseDirectory, "Cases");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TariffLang.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("TariffLang.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A fresh temporary folder for one test's files.</summary>
    public static string TempDir()
    {
        return TestTemp.NewDirectory("tariff-tests-");
    }
}
