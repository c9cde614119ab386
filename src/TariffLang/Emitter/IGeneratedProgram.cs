namespace TariffLang.Emitter;

/// <summary>What every generated program says of itself: the <see cref="Runtime.RatingPlan.Layout"/> it was generated for.</summary>
internal interface IGeneratedProgram
{
    string Layout { get; }
}
