using System.Collections.Immutable;
using TariffLang.Diagnostics;
using TariffLang.Semantics;
using TariffLang.Text;

namespace TariffLang.Evaluation;

/// <summary>Chooses the backend that evaluates a checked tariff's expressions.</summary>
internal static class EvaluatorFactory
{
    public static (IEvaluator? Evaluator, ImmutableArray<Diagnostic> Diagnostics) Create(CheckedTariff model, SourceText source, TariffEngine engine)
    {
        if (engine == TariffEngine.Interpreted) return (Interpreter.Instance, ImmutableArray<Diagnostic>.Empty);
        var bag = new DiagnosticBag(source);
        bag.Report(DiagnosticCatalog.CompilerFailure, new TextSpan(0, 0), "the compiled backend is not available yet");
        return (null, bag.Items.ToImmutableArray());
    }
}
