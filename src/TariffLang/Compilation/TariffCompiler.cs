using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TariffLang.Diagnostics;
using TariffLang.Evaluation;
using TariffLang.Semantics;
using TariffLang.Text;
using Diagnostic = TariffLang.Diagnostics.Diagnostic;

namespace TariffLang.Compilation;

/// <summary>How one compiled backend is built. The defaults are what the facade uses.</summary>
internal sealed record CompilerOptions
{
    public static readonly CompilerOptions Default = new();

    /// <summary>Where compiled assemblies are cached; null means <see cref="AssemblyCache.DefaultDirectory"/>.</summary>
    public string? CacheDirectory { get; init; }

    public bool UseCache { get; init; } = true;

    /// <summary>Stands for the compiler's version in the cache key (tests use it to play a compiler upgrade).</summary>
    public string CompilerVersion { get; init; } = TariffCompiler.Version;

    /// <summary>Tests only: the root whose method is generated broken, to exercise the TL0090 path. Never cached.</summary>
    public int? FaultRoot { get; init; }
}

/// <summary>
/// The Roslyn backend: plans the tariff's root expressions, generates one C# class with the syntax factory,
/// compiles it (Release), and loads it into a collectible context, caching the assembly on disk by a hash of the
/// tariff text, this compiler's version and the assemblies that shape the generated code.
/// </summary>
internal static class TariffCompiler
{
    /// <summary>Every generated assembly has this name: TariffLang grants it access to its internals.</summary>
    public const string GeneratedAssemblyName = "TariffLang.Generated";

    /// <summary>Bump when the shape of generated code changes in a way the assembly identities below would not show.</summary>
    public const string Version = "tarifflang-roslyn-3";

    private static int s_compilations;

    /// <summary>How many Roslyn compilations this process has run (the cache's effect is visible here).</summary>
    public static int Compilations => Volatile.Read(ref s_compilations);

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    public static (CompiledEvaluator? Evaluator, ImmutableArray<Diagnostic> Diagnostics) Create(CheckedTariff model, SourceText source, CompilerOptions? options = null)
    {
        options ??= CompilerOptions.Default;
        var bag = new DiagnosticBag(source);
        try
        {
            var plan = ProgramPlan.Build(model);
            var key = CacheKey(source.Text, options.CompilerVersion);
            var directory = options.UseCache && options.FaultRoot is null ? options.CacheDirectory ?? AssemblyCache.DefaultDirectory() : null;
            if (directory is not null && !AssemblyCache.IsTrusted(directory)) directory = null;

            if (directory is not null && AssemblyCache.TryRead(directory, key) is { } cached)
            {
                if (Load(cached, plan, key, out _) is { } fromCache) return (Evaluator(plan, fromCache, CompiledOrigin.Cache, key), ImmutableArray<Diagnostic>.Empty);
                // Damaged, partial, or built for another layout: compile again and replace it.
                AssemblyCache.Discard(directory, key);
            }

            var image = Compile(plan, options.FaultRoot, bag);
            if (image is null) return (null, bag.Items.ToImmutableArray());
            if (Load(image, plan, key, out var error) is not { } delegates)
            {
                bag.Report(DiagnosticCatalog.CompilerFailure, new TextSpan(0, 0), "the generated assembly did not load: " + error);
                return (null, bag.Items.ToImmutableArray());
            }
            if (directory is not null) AssemblyCache.Write(directory, key, image);
            return (Evaluator(plan, delegates, CompiledOrigin.Compiled, key), ImmutableArray<Diagnostic>.Empty);
        }
        catch (CompilerLimitationException e)
        {
            bag.Report(DiagnosticCatalog.CompilerFailure, e.Expr.Span, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A backend failure is reported like any other problem with the tariff: the caller gets diagnostics, not a crash.
            bag.Report(DiagnosticCatalog.CompilerFailure, new TextSpan(0, 0), $"{e.GetType().Name}: {e.Message}");
        }
        return (null, bag.Items.ToImmutableArray());
    }

    /// <summary>The C# the backend generates for a tariff (for inspection and tests).</summary>
    public static string GenerateSource(CheckedTariff model, int? faultRoot = null) =>
        CSharpEmitter.Emit(ProgramPlan.Build(model), faultRoot).NormalizeWhitespace().ToFullString();

    /// <summary>
    /// SHA-256 of everything the assembly depends on: the tariff text, this compiler's version, the TariffLang build
    /// (checker and code generator), NodaTime (time zone rules decide the instants of local date-time literals), Roslyn.
    /// </summary>
    public static string CacheKey(string text, string compilerVersion = Version)
    {
        var material = string.Join('\n',
            "tarifflang compiled backend",
            compilerVersion,
            typeof(EvalContext).Assembly.ManifestModule.ModuleVersionId.ToString("N"),
            typeof(NodaTime.Instant).Assembly.ManifestModule.ModuleVersionId.ToString("N"),
            typeof(CSharpCompilation).Assembly.GetName().Version?.ToString() ?? "",
            text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)));
    }

    private static CompiledEvaluator Evaluator(ProgramPlan plan, Loaded loaded, CompiledOrigin origin, string key)
    {
        var map = new Dictionary<BoundExpr, Func<EvalContext, object?>>(plan.Roots.Count, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < plan.Roots.Count; i++) map[plan.Roots[i]] = loaded.Delegates[i];
        return new CompiledEvaluator(map, loaded.Rater, loaded.Context, origin, key);
    }

    /// <summary>A generated program bound to a model: its root delegates, its pipeline, and the context that holds them.</summary>
    private sealed record Loaded(Func<EvalContext, object?>[] Delegates, IEventRater Rater, GeneratedLoadContext Context);

    /// <summary>Generates and compiles; null (with TL0090 at the offending root) when Roslyn refuses the code.</summary>
    private static byte[]? Compile(ProgramPlan plan, int? faultRoot, DiagnosticBag bag)
    {
        var text = CSharpEmitter.Emit(plan, faultRoot).NormalizeWhitespace().ToFullString();
        // Parsing Roslyn's own rendering (rather than compiling the factory tree) proves the tree round-trips
        // and gives diagnostics real positions.
        var tree = CSharpSyntaxTree.ParseText(text, ParseOptions);
        var compilation = CSharpCompilation.Create(
            GeneratedAssemblyName,
            [tree],
            References.Value,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                optimizationLevel: OptimizationLevel.Release,
                deterministic: true,
                nullableContextOptions: NullableContextOptions.Disable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Interlocked.Increment(ref s_compilations);
        if (result.Success) return stream.ToArray();

        var reported = new HashSet<int>();
        foreach (var d in result.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error))
        {
            var root = RootOf(d, tree, plan);
            if (!reported.Add(root ?? -1)) continue;
            var span = root is { } r ? plan.Roots[r].Span : new TextSpan(0, 0);
            bag.Report(DiagnosticCatalog.CompilerFailure, span, $"{d.Id} {d.GetMessage(CultureInfo.InvariantCulture)}");
        }
        if (reported.Count == 0) bag.Report(DiagnosticCatalog.CompilerFailure, new TextSpan(0, 0), "Roslyn refused the generated code without an error");
        return null;
    }

    /// <summary>The root expression whose generated method holds a Roslyn diagnostic, if any.</summary>
    private static int? RootOf(Microsoft.CodeAnalysis.Diagnostic d, SyntaxTree tree, ProgramPlan plan)
    {
        if (!d.Location.IsInSource || d.Location.SourceTree != tree) return null;
        var token = tree.GetRoot().FindToken(d.Location.SourceSpan.Start);
        var method = token.Parent?.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
        var name = method?.Identifier.ValueText;
        if (name is null || name.Length < 2 || !int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)) return null;
        return name[0] switch
        {
            'E' when index < plan.Roots.Count => index,
            'A' when index < plan.Aggregates.Count => plan.AggregateOwner(plan.Aggregates[index]),
            _ => null,
        };
    }

    /// <summary>Loads an image into its own collectible context and binds it to the model's symbols; null when it does not fit.</summary>
    private static Loaded? Load(byte[] image, ProgramPlan plan, string key, out string? error)
    {
        var context = new GeneratedLoadContext(key);
        try
        {
            var assembly = context.LoadFromStream(new MemoryStream(image, writable: false));
            var type = assembly.GetType(CSharpEmitter.Namespace + "." + CSharpEmitter.ClassName, throwOnError: false);
            if (type is null || Activator.CreateInstance(type, nonPublic: true) is not IGeneratedProgram program)
            {
                error = "no generated program in the assembly";
            }
            else if (program.Layout != plan.Layout)
            {
                error = "the assembly was generated for another layout";
            }
            else if (program is not IEventRater rater)
            {
                error = "the generated program has no per-event pipeline";
            }
            else
            {
                var delegates = program.Bind(plan.Symbols.ToArray());
                if (delegates.Length == plan.Roots.Count)
                {
                    error = null;
                    return new Loaded(delegates, rater, context);
                }
                error = $"the assembly has {delegates.Length} roots, the tariff {plan.Roots.Count}";
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = $"{e.GetType().Name}: {e.Message}";
        }
        context.Unload();
        return null;
    }

    /// <summary>The platform's assemblies and the ones generated code names (TariffLang, NodaTime), once per process.</summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var trusted = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        foreach (var path in trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            paths[Path.GetFileNameWithoutExtension(path)] = path;
        }
        // The assemblies actually loaded win over same-named platform entries: the generated code must bind to them.
        foreach (var assembly in new[] { typeof(EvalContext).Assembly, typeof(NodaTime.Instant).Assembly })
        {
            if (!string.IsNullOrEmpty(assembly.Location)) paths[assembly.GetName().Name!] = assembly.Location;
        }
        return paths.Values.OrderBy(p => p, StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }
}
