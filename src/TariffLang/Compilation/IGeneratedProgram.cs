using TariffLang.Evaluation;

namespace TariffLang.Compilation;

/// <summary>What every generated class implements: the plan it was generated from, and its root methods bound to a model's symbols.</summary>
internal interface IGeneratedProgram
{
    /// <summary>The <see cref="ProgramPlan.Layout"/> hash the class was generated for.</summary>
    string Layout { get; }

    /// <summary>Takes the model's symbols (by plan index) and returns one delegate per plan root, in plan order.</summary>
    Func<EvalContext, object?>[] Bind(object[] symbols);
}
