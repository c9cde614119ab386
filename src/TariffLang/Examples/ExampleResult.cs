using System.Collections.Immutable;
using TariffLang.Invoicing;

namespace TariffLang;

/// <summary>How an example ended.</summary>
public enum ExampleStatus
{
    Passed,
    Failed,
    /// <summary>The document's own figure disagrees with its price list; the tariff keeps the price list.</summary>
    Disputed,
}

/// <summary>The result of one <c>example</c> block: its status and, for each expectation that did not hold, what differed.</summary>
public sealed record ExampleResult(string Tariff, string Name, int Line, ExampleStatus Status, ImmutableArray<string> Messages,
    RatingResult Rating)
{
    /// <summary>Which table cells (by their index in the rating plan) the example's rating read: for the coverage.</summary>
    internal bool[]? CellsRead { get; init; }
}
