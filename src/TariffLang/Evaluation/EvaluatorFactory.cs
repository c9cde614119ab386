using System.Collections.Immutable;
using TariffLang.Compilation;
using TariffLang.Diagnostics;
using TariffLang.Semantics;
using TariffLang.Text;

namespace TariffLang.Evaluation;

/// <summary>
/// The two halves of a backend, always chosen together: how expressions are evaluated, and how each event is
/// classified and applied. Mixing an interpreted pipeline with compiled expressions would hide pipeline bugs.
/// </summary>
internal sealed record RatingBackend(IEvaluator Evaluator, IEventRater Rater);

/// <summary>Chooses the backend that rates a checked tariff.</summary>
internal static class EvaluatorFactory
{
    /// <summary>
    /// The interpreter and the model-walking pipeline, or the Roslyn-compiled delegates and pipeline (cached on disk
    /// by content hash). A compiled backend that cannot be built comes back as TL0090 diagnostics and no backend.
    /// </summary>
    public static (RatingBackend? Backend, ImmutableArray<Diagnostic> Diagnostics) Create(CheckedTariff model, SourceText source, TariffEngine engine)
    {
        if (engine == TariffEngine.Interpreted) return (Interpreted(model), ImmutableArray<Diagnostic>.Empty);
        var (evaluator, diagnostics) = TariffCompiler.Create(model, source);
        return (evaluator is null ? null : new RatingBackend(evaluator, evaluator.Rater), diagnostics);
    }

    /// <summary>The reference backend.</summary>
    public static RatingBackend Interpreted(CheckedTariff model) => new(Interpreter.Instance, new InterpretedEventRater(model));
}
