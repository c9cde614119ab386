using System.Collections.Immutable;
using TariffLang.Compilation;
using TariffLang.Diagnostics;
using TariffLang.Semantics;
using TariffLang.Text;

namespace TariffLang.Evaluation;

/// <summary>Chooses the backend that evaluates a checked tariff's expressions.</summary>
internal static class EvaluatorFactory
{
    /// <summary>
    /// The interpreter, or the Roslyn-compiled delegates (cached on disk by content hash). A compiled backend that
    /// cannot be built comes back as TL0090 diagnostics and no evaluator.
    /// </summary>
    public static (IEvaluator? Evaluator, ImmutableArray<Diagnostic> Diagnostics) Create(CheckedTariff model, SourceText source, TariffEngine engine)
    {
        if (engine == TariffEngine.Interpreted) return (Interpreter.Instance, ImmutableArray<Diagnostic>.Empty);
        var (evaluator, diagnostics) = TariffCompiler.Create(model, source);
        return (evaluator, diagnostics);
    }
}
