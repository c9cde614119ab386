using System.Collections.Immutable;
using TariffLang.Invoicing;
using TariffLang.Semantics;
using TariffLang.Syntax;
using TariffLang.Text;

namespace TariffLang;

/// <summary>
/// What a tariff's examples exercised: its rules (a row rejected or made free by each), charges (a line from each), plans
/// (an invoice on each) and versions (a row dated in each), with the ones no example reached.
/// </summary>
/// <param name="Covered">How many of the items an example reached.</param>
/// <param name="Total">How many items the tariff has.</param>
/// <param name="Uncovered">The items no example reached, each with its line in the tariff: <c>line 12: charge "SMS"</c>.</param>
public sealed record ExampleCoverage(int Covered, int Total, ImmutableArray<string> Uncovered)
{
    /// <summary>The share reached, in percent (100 for a tariff with nothing to cover).</summary>
    public decimal Percent => Total == 0 ? 100m : Math.Round(100m * Covered / Total, 1);

    internal static ExampleCoverage Of(CheckedTariff model, SourceText source, IReadOnlyList<ExampleResult> results)
    {
        var outcomes = results.SelectMany(r => r.Rating.Outcomes).ToList();
        var lines = results.SelectMany(r => r.Rating.Invoices).SelectMany(i => i.Lines).Select(l => l.Label)
            .ToHashSet(StringComparer.Ordinal);
        var plans = results.SelectMany(r => r.Rating.Invoices).Select(i => i.Plan).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var dates = outcomes.Where(o => o.Time is not null)
            .Select(o => DateOnly.FromDateTime(NodaTime.Instant.FromDateTimeOffset(o.Time!.Value).InZone(model.Period.Zone)
                .ToDateTimeUnspecified()))
            .ToList();

        var items = new List<(TextSpan Span, string What, bool Covered)>();
        foreach (var rule in model.Rules)
        {
            var kind = rule.Kind == RuleKind.Reject ? RowOutcomeKind.Rejected : RowOutcomeKind.Free;
            items.Add((rule.Span, $"{(rule.Kind == RuleKind.Reject ? "reject" : "free")} {rule.Event.Name} \"{rule.Reason}\"",
                outcomes.Any(o => o.Kind == kind && o.Detail.Contains(rule.Reason, StringComparison.Ordinal))));
        }
        foreach (var charge in model.EventCharges) items.Add((charge.Span, $"charge \"{charge.Label}\"", Billed(charge.Label)));
        foreach (var charge in model.AggregateCharges) items.Add((charge.Span, $"charge \"{charge.Label}\"", Billed(charge.Label)));
        foreach (var plan in model.Plans) items.Add((plan.Span, $"plan {plan.Name}", plans.Contains(plan.Name)));
        // Table cells are numbered as the rating plan lays them out: table by table, each table's cells by key.
        var cell = 0;
        foreach (var table in model.Tables)
        {
            foreach (var (key, value) in table.Cells.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                var index = cell++;
                items.Add((value.Span,
                        $"table {table.Name} cell {string.Join(", ", key.Split(TableSymbol.KeySeparator).Select(k => "\"" + k + "\""))}",
                    results.Any(r => r.CellsRead is { } read && index < read.Length && read[index])));
            }
        }
        // A version is the dates its items apply between; it is reached when an example has a row dated inside it.
        foreach (var (validity, span) in model.Rules.Select(r => (r.Validity, r.Span))
                     .Concat(model.EventCharges.Select(c => (c.Validity, c.Span)))
                     .Concat(model.AggregateCharges.Select(c => (c.Validity, c.Span)))
                     .Where(x => x.Validity != Validity.Always).GroupBy(x => x.Validity)
                     .Select(g => (g.Key, g.MinBy(x => x.Span.Start).Span)))
        {
            items.Add(
                (span, $"version {validity.From?.ToString("yyyy-MM-dd") ?? "…"} to {validity.Until?.ToString("yyyy-MM-dd") ?? "…"}",
                dates.Any(validity.Contains)));
        }
        var uncovered = items.Where(i => !i.Covered).OrderBy(i => i.Span.Start)
            .Select(i => $"line {source.GetLineColumn(i.Span.Start).Line}: {i.What}").ToImmutableArray();
        return new ExampleCoverage(items.Count(i => i.Covered), items.Count, uncovered);

        // A charge's lines keep its label, or extend it: a band of tiers ("SMS (up to 1000)"), a plan in braces.
        bool Billed(string label)
        {
            var stem = label.Contains('{') ? label[..label.IndexOf('{')] : label;
            return lines.Any(l => l == label || l.StartsWith(label + " (", StringComparison.Ordinal)
                || (stem.Length < label.Length && l.StartsWith(stem, StringComparison.Ordinal)));
        }
    }
}
