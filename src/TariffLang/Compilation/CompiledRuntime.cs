using TariffLang.Evaluation;
using TariffLang.Semantics;
using TariffLang.Syntax;

namespace TariffLang.Compilation;

/// <summary>
/// Typed helpers that generated code calls where an operator has no direct C# equivalent with the
/// language's meaning (division by zero is a rating error, comparisons with none are none, a value typed
/// by the checker as a number is read back from an <see cref="object"/>). Each mirrors <see cref="RuntimeOps"/>
/// exactly; the differential tests hold both to the same invoices.
/// </summary>
internal static class CompiledRuntime
{
    /// <summary>A value the checker typed as a number: a decimal or none. Anything else means the model and the code disagree.</summary>
    public static decimal? Num(object? value) => value switch
    {
        null => null,
        decimal d => d,
        _ => throw new InvalidOperationException($"compiled code expected a number but found {value.GetType().Name}"),
    };

    /// <summary>A tariff's decimal literal, kept out of the C# compiler's constant folding.</summary>
    public static decimal Lit(decimal value) => value;

    public static decimal Div(decimal x, decimal y) => y == 0 ? throw new RatingException("division by zero") : x / y;

    // None first, as RuntimeOps.Arithmetic does: none / 0 is none, not an error.
    public static decimal? Div(decimal? x, decimal? y) => x is null || y is null ? null : Div(x.Value, y.Value);

    public static bool? Eq(decimal? x, decimal? y) => x is null || y is null ? null : x.Value == y.Value;

    public static bool? Ne(decimal? x, decimal? y) => x is null || y is null ? null : x.Value != y.Value;

    public static bool? Lt(decimal? x, decimal? y) => x is null || y is null ? null : x.Value < y.Value;

    public static bool? Le(decimal? x, decimal? y) => x is null || y is null ? null : x.Value <= y.Value;

    public static bool? Gt(decimal? x, decimal? y) => x is null || y is null ? null : x.Value > y.Value;

    public static bool? Ge(decimal? x, decimal? y) => x is null || y is null ? null : x.Value >= y.Value;

    /// <summary>Comparison of values that are not both numbers (text, dates, times, durations, booleans).</summary>
    public static bool? Compare(BinaryOp op, object? x, object? y) => (bool?)RuntimeOps.Compare(op, x, y);

    public static bool? Contains(object? x, object? y) => (bool?)RuntimeOps.Contains(x, y);

    public static bool? Not(object? value) => value is bool b ? !b : null;

    public static decimal? Ceil(decimal? x) => x is decimal v ? Math.Ceiling(v) : null;

    public static decimal? Floor(decimal? x) => x is decimal v ? Math.Floor(v) : null;

    public static decimal? Round(decimal? x) => x is decimal v ? Math.Round(v, MidpointRounding.AwayFromZero) : null;

    public static decimal? Abs(decimal? x) => x is decimal v ? Math.Abs(v) : null;

    // min/max keep the first of equal values, as Enumerable.Min/Max over the arguments do in RuntimeOps.Call:
    // 1.0 and 1.00 are equal but print differently, so which one wins shows on the invoice.
    public static decimal Min(decimal[] args)
    {
        var best = args[0];
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] < best) best = args[i];
        }
        return best;
    }

    public static decimal Max(decimal[] args)
    {
        var best = args[0];
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] > best) best = args[i];
        }
        return best;
    }

    public static decimal? Min(decimal?[] args)
    {
        foreach (var a in args)
        {
            if (a is null) return null;
        }
        return Min(Array.ConvertAll(args, a => a!.Value));
    }

    public static decimal? Max(decimal?[] args)
    {
        foreach (var a in args)
        {
            if (a is null) return null;
        }
        return Max(Array.ConvertAll(args, a => a!.Value));
    }

    /// <summary>The builtins without a typed form (years_since): the shared runtime, called as the interpreter calls it.</summary>
    public static object? Call(Builtin fn, object?[] args, EvalContext ctx) => RuntimeOps.Call(fn, args, ctx.Now, ctx.Zone);

    /// <summary>An event set has no value of its own; the interpreter refuses it the same way.</summary>
    public static object? NoValue(string kind) => throw new InvalidOperationException($"the interpreter cannot evaluate {kind}");
}
