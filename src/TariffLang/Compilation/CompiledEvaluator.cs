using System.Runtime.Loader;
using TariffLang.Evaluation;
using TariffLang.Semantics;

namespace TariffLang.Compilation;

/// <summary>Where a compiled evaluator's code came from.</summary>
internal enum CompiledOrigin
{
    /// <summary>Roslyn compiled it in this call.</summary>
    Compiled,

    /// <summary>The assembly was found in the disk cache: nothing was compiled.</summary>
    Cache,
}

/// <summary>
/// The compiled backend: each root expression of the tariff runs as a delegate of generated code, and each event
/// through the generated per-event pipeline (<see cref="Rater"/>). Expressions are
/// found by reference, never by value (bound nodes are records, and two equal-looking expressions at different places
/// are different roots). An expression the compiler did not see is a bug, so it throws rather than falling back to
/// the interpreter, which would hide it.
/// </summary>
internal sealed class CompiledEvaluator : IEvaluator
{
    private readonly Dictionary<BoundExpr, Func<EvalContext, object?>> _delegates;
    private readonly AssemblyLoadContext _context;

    public CompiledEvaluator(Dictionary<BoundExpr, Func<EvalContext, object?>> delegates, IEventRater rater, AssemblyLoadContext context,
        CompiledOrigin origin, string cacheKey)
    {
        _delegates = delegates;
        Rater = rater;
        _context = context;
        Origin = origin;
        CacheKey = cacheKey;
    }

    /// <summary>
    /// The collectible context the generated assembly lives in. The generated code is reachable only through this
    /// evaluator's delegates and rater: once both are garbage, the context is unloaded and collected with them.
    /// </summary>
    public AssemblyLoadContext LoadContext => _context;

    public CompiledOrigin Origin { get; }

    /// <summary>The generated per-event pipeline of the same program: always paired with these delegates, never the interpreted one.</summary>
    public IEventRater Rater { get; }

    /// <summary>The content hash the assembly is cached under.</summary>
    public string CacheKey { get; }

    public int Count => _delegates.Count;

    public bool Handles(BoundExpr expr) => _delegates.ContainsKey(expr);

    public object? Evaluate(BoundExpr expr, EvalContext context) =>
        _delegates.TryGetValue(expr, out var compiled)
            ? compiled(context)
            : throw new InvalidOperationException(
                $"the compiled backend has no code for this {expr.GetType().Name} (at {expr.Span.Start}); it is not one of the tariff's root expressions");
}
