using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TariffLang.Diagnostics;
using TariffLang.Runtime;
using TariffLang.Semantics;
using TariffLang.Text;
using Diagnostic = TariffLang.Diagnostics.Diagnostic;

namespace TariffLang.Emitter;

/// <summary>How one compiled backend is built. The defaults are what the facade uses.</summary>
internal sealed record CompilerOptions
{
    public static readonly CompilerOptions Default = new();

    /// <summary>Where compiled assemblies are cached; null means <see cref="AssemblyCache.DefaultDirectory()"/>.</summary>
    public string? CacheDirectory { get; init; }

    public bool UseCache { get; init; } = true;

    /// <summary>Who owns the cache's files; null means the operating system's answer (tests play another owner here).</summary>
    public ICacheOwnership? Ownership { get; init; }

    /// <summary>Stands for the compiler's version in the cache key (tests use it to play a compiler upgrade).</summary>
    public string CompilerVersion { get; init; } = TariffCompiler.Version;

    /// <summary>Tests only: the expression whose method is generated broken, to exercise the TL0090 path. Never cached.</summary>
    public int? FaultExpression { get; init; }
}

/// <summary>
/// The Roslyn backend: generates the C# of one <see cref="RatingProgram"/> for a tariff's <see cref="RatingPlan"/>,
/// compiles it (Release), and loads it into a collectible context, caching the assembly on disk by a hash of the
/// tariff text, this compiler's version and the assemblies that shape the generated code.
/// </summary>
internal static class TariffCompiler
{
    /// <summary>Every generated assembly has this name: TariffLang grants it access to its internals.</summary>
    public const string GeneratedAssemblyName = "TariffLang.Generated";

    /// <summary>Bump when the shape of generated code changes in a way the assembly identities below would not show.</summary>
    public const string Version = "tarifflang-roslyn-4";

    private static int s_compilations;

    /// <summary>How many Roslyn compilations this process has run (the cache's effect is visible here).</summary>
    public static int Compilations => Volatile.Read(ref s_compilations);

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    public static (CompiledProgram? Program, ImmutableArray<Diagnostic> Diagnostics) Create(RatingPlan plan, SourceText source,
        CompilerOptions? options = null)
    {
        options ??= CompilerOptions.Default;
        var bag = new DiagnosticBag(source);
        try
        {
            var key = CacheKey(source.Text, options.CompilerVersion);
            // The directory stays null (compile in memory, write nothing) unless the cache accepts it.
            string? directory = null, notice = null;
            if (options.UseCache && options.FaultExpression is null)
            {
                var ownership = options.Ownership ?? CacheOwnership.Native;
                var chosen = options.CacheDirectory ?? AssemblyCache.DefaultDirectory();
                if (chosen is null) notice = AssemblyCache.NoDirectoryNotice;
                else if ((notice = AssemblyCache.Refusal(chosen, ownership)) is null)
                {
                    directory = chosen;
                    if (AssemblyCache.TryRead(chosen, key, ownership, out notice) is { } cached)
                    {
                        if (Load(cached, plan, key, out _) is { } fromCache)
                            return (fromCache with { Origin = CompiledOrigin.Cache }, ImmutableArray<Diagnostic>.Empty);
                        // Sound on disk but built for another layout: compile again and replace it.
                        AssemblyCache.Discard(chosen, key);
                    }
                }
            }

            var image = Compile(plan, options.FaultExpression, bag);
            if (image is null) return (null, bag.Items.ToImmutableArray());
            if (Load(image, plan, key, out var error) is not { } program)
            {
                bag.Report(DiagnosticCatalog.CompilerFailure, new TextSpan(0, 0), "the generated assembly did not load: " + error);
                return (null, bag.Items.ToImmutableArray());
            }
            if (directory is not null) AssemblyCache.Write(directory, key, image);
            return (program with { CacheNotice = notice }, ImmutableArray<Diagnostic>.Empty);
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
    public static string GenerateSource(CheckedTariff model, int? faultExpression = null) =>
        ProgramEmitter.Emit(RatingPlan.Build(model), faultExpression).Source;

    /// <summary>
    /// SHA-256 of everything the assembly depends on: the tariff text, this compiler's version, the TariffLang build
    /// (checker, runtime and code generator), NodaTime (time zone rules decide the instants of local date-time literals), Roslyn.
    /// </summary>
    public static string CacheKey(string text, string compilerVersion = Version)
    {
        var material = string.Join('\n',
            "tarifflang compiled backend",
            compilerVersion,
            typeof(RatingContext).Assembly.ManifestModule.ModuleVersionId.ToString("N"),
            typeof(NodaTime.Instant).Assembly.ManifestModule.ModuleVersionId.ToString("N"),
            typeof(CSharpCompilation).Assembly.GetName().Version?.ToString() ?? "",
            text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)));
    }

    /// <summary>Generates and compiles; null (with TL0090 at the offending expression) when Roslyn refuses the code.</summary>
    private static byte[]? Compile(RatingPlan plan, int? fault, DiagnosticBag bag)
    {
        var (text, expressions) = ProgramEmitter.Emit(plan, fault);
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
            var expression = ExpressionOf(d, tree, expressions.Count);
            if (!reported.Add(expression ?? -1)) continue;
            var span = expression is { } e ? expressions[e].Span : new TextSpan(0, 0);
            bag.Report(DiagnosticCatalog.CompilerFailure, span, $"{d.Id} {d.GetMessage(CultureInfo.InvariantCulture)}");
        }
        if (reported.Count == 0) bag.Report(DiagnosticCatalog.CompilerFailure, new TextSpan(0, 0),
            "Roslyn refused the generated code without an error");
        return null;
    }

    /// <summary>The expression whose generated method holds a Roslyn diagnostic, if any.</summary>
    private static int? ExpressionOf(Microsoft.CodeAnalysis.Diagnostic d, SyntaxTree tree, int count)
    {
        if (!d.Location.IsInSource || d.Location.SourceTree != tree) return null;
        var token = tree.GetRoot().FindToken(d.Location.SourceSpan.Start);
        var method = token.Parent?.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
        var name = method?.Identifier.ValueText;
        if (name is null || name.Length < 2 || name[0] != 'E'
            || !int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= count) return null;
        return index;
    }

    /// <summary>Loads an image into its own collectible context and checks it was generated for this plan; null when it does not
    /// fit.</summary>
    private static CompiledProgram? Load(byte[] image, RatingPlan plan, string key, out string? error)
    {
        var context = new GeneratedLoadContext(key);
        try
        {
            var assembly = context.LoadFromStream(new MemoryStream(image, writable: false));
            var type = assembly.GetType(ProgramEmitter.Namespace + "." + ProgramEmitter.ClassName, throwOnError: false);
            if (type is null || Activator.CreateInstance(type, nonPublic: true) is not RatingProgram program
                || program is not IGeneratedProgram generated)
            {
                error = "no generated program in the assembly";
            }
            else if (generated.Layout != plan.Layout)
            {
                error = "the assembly was generated for another layout";
            }
            else
            {
                error = null;
                return new CompiledProgram(program, context, CompiledOrigin.Compiled, key);
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
        foreach (var assembly in new[] { typeof(RatingContext).Assembly, typeof(NodaTime.Instant).Assembly })
        {
            if (!string.IsNullOrEmpty(assembly.Location)) paths[assembly.GetName().Name!] = assembly.Location;
        }
        return paths.Values.OrderBy(p => p, StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }
}

/// <summary>Where a compiled program's code came from.</summary>
internal enum CompiledOrigin
{
    /// <summary>Roslyn compiled it in this call.</summary>
    Compiled,

    /// <summary>The assembly was found in the disk cache: nothing was compiled.</summary>
    Cache,
}

/// <summary>
/// A compiled program and the collectible context its assembly lives in. The generated code is reachable only through
/// <see cref="Program"/>: once it is garbage, the context is unloaded and collected with it.
/// </summary>
internal sealed record CompiledProgram(RatingProgram Program, System.Runtime.Loader.AssemblyLoadContext LoadContext, CompiledOrigin Origin,
    string CacheKey)
{
    /// <summary>Why the disk cache was not used, or a cached file not loaded; null when nothing is wrong with the cache.</summary>
    public string? CacheNotice { get; init; }
}
