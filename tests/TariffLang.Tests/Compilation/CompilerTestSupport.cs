using System.Collections.Immutable;
using TariffLang.Diagnostics;
using TariffLang.Emitter;
using TariffLang.Runtime;
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

    /// <summary>The name that stands for <see cref="TestTariffs.Everything"/> among the repository's tariff files.</summary>
    public const string EverythingName = "(everything)";

    /// <summary>Every tariff of the repository, and the everything tariff.</summary>
    public static TheoryData<string> TariffNamesAndEverything()
    {
        var data = TariffNames();
        data.Add(EverythingName);
        return data;
    }

    public static string TextOf(string name) =>
        name == EverythingName ? TestTariffs.Everything : File.ReadAllText(Path.Combine(TariffsDir, name));

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

    /// <summary>The checked model and its rating plan for a text that has no errors.</summary>
    public static (CheckedTariff Model, RatingPlan Plan) Check(string text, string path = "<memory>")
    {
        var checkedTariff = Tariff.Compile(text, path, TariffEngine.Interpreted);
        checkedTariff.Diagnostics.Where(d => d.IsError).ShouldBeEmpty();
        return (checkedTariff.Model!, RatingPlan.Build(checkedTariff.Model!));
    }

    /// <summary>The compiled program for a text, through the internal API (options: cache directory, faults).</summary>
    public static (CompiledProgram? Program, ImmutableArray<Diagnostic> Diagnostics, RatingPlan Plan)
        CompileInternal(string text, CompilerOptions options, string path = "<memory>")
    {
        var (_, plan) = Check(text, path);
        var (program, diagnostics) = TariffCompiler.Create(plan, new SourceText(text, path), options);
        return (program, diagnostics, plan);
    }

    /// <summary>
    /// Every expression of a checked model, and everything below them, found by walking the model's declarations (not
    /// the plan nor the emitter, so that tests can hold those two to it): parameter defaults, plan fields, table cells,
    /// window conditions, states' initial values and operations, lets, rules, per-event and period charges, grants.
    /// </summary>
    public static List<BoundExpr> ModelExpressions(CheckedTariff model)
    {
        var top = new List<BoundExpr?>();
        top.AddRange(model.Params.Select(p => p.Default));
        foreach (var plan in model.Plans) top.AddRange([plan.Fee, plan.Includes, plan.Extra]);
        top.AddRange(model.Tables.SelectMany(t => t.Cells.Values));
        top.AddRange(model.Windows.Select(w => w.Condition));
        foreach (var state in model.States)
        {
            top.Add(state.Initial);
            foreach (var op in state.Ops) top.AddRange([op.Condition, op.Value]);
        }
        top.AddRange(model.Lets.Select(l => l.Value));
        top.AddRange(model.Rules.Select(r => r.Condition));
        foreach (var charge in model.EventCharges) top.AddRange([charge.Condition, charge.Price]);
        foreach (var charge in model.AggregateCharges) top.AddRange([charge.Amount, charge.Price]);
        top.AddRange(model.Grants.Select(g => g.Amount));

        var seen = new HashSet<BoundExpr>(ReferenceEqualityComparer.Instance);
        var all = new List<BoundExpr>();
        var stack = new Stack<BoundExpr>(top.OfType<BoundExpr>().Reverse());
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!seen.Add(node)) continue;
            all.Add(node);
            foreach (var child in Dependencies.Children(node).Reverse()) stack.Push(child);
        }
        return all;
    }

    /// <summary>Every concrete type of bound expression the checker can produce, found by reflection.</summary>
    public static HashSet<Type> BoundExpressionTypes() =>
        typeof(BoundExpr).Assembly.GetTypes().Where(t => !t.IsAbstract && typeof(BoundExpr).IsAssignableFrom(t)).ToHashSet();
}
