namespace TariffLang.Runtime;

/// <summary>
/// A backend: how the expressions of one tariff are evaluated and how each event's pipeline runs. The interpreter walks
/// the checked model; the compiled program is generated C# with every step inlined and typed. Both follow the
/// <see cref="RatingPlan"/>'s pipelines step by step and change the account only through <see cref="RatingContext"/>'s
/// steps, so the rating engine around them, and what each step means, is the same.
/// </summary>
internal abstract class RatingProgram
{
    /// <summary>
    /// Table cells (<c>for EVENT</c>), reject rules, free rules and per-event charges of the event in hand, seen from the
    /// state before it. Returns the rejection reason, or null; marks a free event with <c>MarkFree</c>;
    /// adds per-event lines with <see cref="RatingContext.AddEventLine"/>.
    /// </summary>
    public abstract string? Classify(RatingContext context);

    /// <summary>The event's state operations and the windows it opens or refreshes.</summary>
    public abstract void Apply(RatingContext context);

    /// <summary>Folds the billable event in hand into one period aggregate of its kind, if its conditions hold.</summary>
    public abstract void Fold(RatingContext context, int aggregate);

    /// <summary>Evaluates one root of the plan (a charge, a let, a plan field, a cell, a default, an initial value, a grant).</summary>
    public abstract Value Evaluate(RatingContext context, int root);
}
