using System.Collections.Immutable;
using TariffLang.Compilation;
using TariffLang.Diagnostics;
using TariffLang.Evaluation;
using TariffLang.Semantics;
using TariffLang.Text;

namespace TariffLang.Tests.Compilation;

/// <summary>Shared helpers of the compiled-backend tests: the repository's tariffs, and both engines side by side.</summary>
internal static class CompilerTestSupport
{
    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TariffLang.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    public static string TariffsDir => Path.Combine(RepoRoot, "tariffs");

    /// <summary>Every tariff file present right now (vendors are added over time; tests pick them up).</summary>
    public static IEnumerable<string> TariffFiles() =>
        Directory.Exists(TariffsDir) ? Directory.GetFiles(TariffsDir, "*.tariff").OrderBy(f => f, StringComparer.Ordinal) : [];

    public static TheoryData<string> TariffNames()
    {
        var data = new TheoryData<string>();
        foreach (var file in TariffFiles()) data.Add(Path.GetFileName(file));
        return data;
    }

    /// <summary>A fresh, private cache directory (tests never share the user's cache when they count compilations).</summary>
    public static string NewCacheDir()
    {
        return TestTemp.NewDirectory("tarifflang-test-cache-");
    }

    /// <summary>Both engines on the same text; the compiled one built with the given options.</summary>
    public static (CompiledTariff Interpreted, CompiledTariff Compiled) Both(string text, string path = "<memory>")
    {
        var interpreted = Tariff.Compile(text, path, TariffEngine.Interpreted);
        var compiled = Tariff.Compile(text, path, TariffEngine.Compiled);
        interpreted.Diagnostics.Where(d => d.IsError).ShouldBeEmpty();
        compiled.Diagnostics.Where(d => d.IsError).ShouldBeEmpty();
        return (interpreted, compiled);
    }

    /// <summary>The compiled evaluator for a text, through the internal API (options: cache directory, faults).</summary>
    public static (CompiledEvaluator? Evaluator, ImmutableArray<Diagnostic> Diagnostics, CheckedTariff Model)
        CompileInternal(string text, CompilerOptions options, string path = "<memory>")
    {
        var checkedTariff = Tariff.Compile(text, path, TariffEngine.Interpreted);
        checkedTariff.Diagnostics.Where(d => d.IsError).ShouldBeEmpty();
        var (evaluator, diagnostics) = TariffCompiler.Create(checkedTariff.Model!, new SourceText(text, path), options);
        return (evaluator, diagnostics, checkedTariff.Model!);
    }
}
