using System.Collections.Immutable;
using System.Globalization;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Rating;
using TariffLang.Runtime;
using TariffLang.Semantics;

namespace TariffLang.Examples;

/// <summary>
/// Runs an example block through the same path as a real ledger: its usage lines become ledger rows of one
/// account, rated with the example's contract values; then each expectation is compared.
/// </summary>
internal static class ExampleRunner
{
    public const string Account = "example";

    /// <summary>
    /// The rows shown for one failed outcome expectation: a repeated usage line fails on every row alike, and a report of
    /// thousands of identical lines hides the other failures.
    /// </summary>
    public const int MaxRowsShown = 20;

    public static ExampleResult Run(RatingPlan plan, RatingProgram program, CheckedExample example, Text.SourceText source)
    {
        var tariff = plan.Model;
        var (ledger, rowsByUsage) = BuildLedger(example);
        var accounts = new AccountTable(
            ImmutableDictionary<string, ImmutableDictionary<string, string>>.Empty.Add(Account, example.Params));
        var cellsRead = new bool[plan.CellCount];
        var result = new LedgerRater(plan, program) { CellsRead = cellsRead }.Rate(ledger, accounts, new RatingOptions(), explain: true);
        var failures = new List<string>();
        var disputes = new List<string>();
        var zone = plan.Zone;
        var defaultMonth = ledger.Rows.Length > 0 ? zone.LocalDate(ledger.Rows[0].Time) : tariff.EffectiveFrom ?? new DateOnly(2024, 1, 1);

        Invoice? InvoiceFor(string? month, out string where)
        {
            var date = month is null ? defaultMonth : DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
            where = month is null ? "" : $" in {month}";
            return result.Invoices.FirstOrDefault(i => i.Period.From <= date && date <= i.Period.To);
        }

        foreach (var expectation in example.Expectations)
        {
            // Each message names the line of the expectation it is about, so an editor can jump to it.
            var (failuresBefore, disputesBefore) = (failures.Count, disputes.Count);
            var invoice = InvoiceFor(expectation.Month, out var where);
            // Comparing with an invoice that does not exist would pass "total 0" by accident.
            if (invoice is null && expectation is ExpectTotal or ExpectBalance or ExpectLine { Absent: false })
            {
                failures.Add(
                    $"line {source.GetLineColumn(expectation.Span.Start).Line}: no invoice covers "
                    + $"{(expectation.Month ?? "the example's first month")}");
                continue;
            }
            switch (expectation)
            {
                case ExpectTotal t:
                {
                    var (what, actual) = t.Kind switch
                    {
                        Syntax.TotalKind.Tax => ("tax", invoice?.TotalTax ?? 0m),
                        Syntax.TotalKind.WithTax => ("total with tax", invoice?.TotalIncludingTax ?? 0m),
                        _ => ("total", invoice?.Total ?? 0m),
                    };
                    Compare($"{what}{where}", t.Total, actual, t.Disputed);
                    break;
                }
                case ExpectLine l:
                {
                    var lines = invoice?.Lines.Where(x => x.Label == l.Label).ToList() ?? [];
                    if (l.Absent)
                    {
                        if (lines.Count > 0) failures.Add(
                            $"expected no line \"{l.Label}\"{where}, but it is there ({Money(lines.Sum(x => x.Amount))})");
                        break;
                    }
                    if (lines.Count == 0)
                    {
                        var present = invoice is null ? "no invoice"
                            : "lines: " + string.Join(", ", invoice.Lines.Select(x => "\"" + x.Label + "\""));
                        failures.Add($"expected a line \"{l.Label}\"{where}, but there is none ({present})");
                        break;
                    }
                    // A disputed line is disputed as a whole: it is enough that one of its figures differs.
                    var figures = new List<(string What, decimal Expected, decimal Actual)>();
                    if (l.Quantity is { } q) figures.Add(($"quantity of \"{l.Label}\"{where}", q, lines.Sum(x => x.Quantity)));
                    if (l.Amount is { } a) figures.Add(($"amount of \"{l.Label}\"{where}", a, lines.Sum(x => x.Amount)));
                    var differing = figures.Where(f => f.Expected != f.Actual).ToList();
                    if (l.Disputed is not null && differing.Count > 0) figures = differing;
                    foreach (var (what, expected, actual) in figures) Compare(what, expected, actual, l.Disputed);
                    break;
                }
                case ExpectCount c:
                {
                    var kind = Enum.Parse<RowOutcomeKind>(c.Outcome, ignoreCase: true);
                    var outcomes = result.Outcomes.Where(o =>
                        o.Kind == kind && (c.Month is null || (o.Time is { } time && InPeriod(invoice, zone.LocalDate(time)))));
                    var count = outcomes.Count();
                    if (count != c.Count) failures.Add($"expected {c.Count} {c.Outcome} row(s){where}, got {count}");
                    break;
                }
                case ExpectBalance b:
                {
                    var wallet = invoice?.Wallets.FirstOrDefault(w => w.Wallet == b.Wallet);
                    var actual = wallet?.Closing ?? 0m;
                    if (actual != b.Balance) failures.Add($"expected balance of {b.Wallet}{where} {Num(b.Balance)}, got {Num(actual)}");
                    break;
                }
            }
            var expectationLine = source.GetLineColumn(expectation.Span.Start).Line;
            for (var f = failuresBefore; f < failures.Count; f++) failures[f] = $"line {expectationLine}: {failures[f]}";
            for (var d = disputesBefore; d < disputes.Count; d++) disputes[d] = $"line {expectationLine}: {disputes[d]}";
        }

        var outcomeByRow = result.Outcomes.ToDictionary(o => o.Row);
        foreach (var (usage, rows) in rowsByUsage)
        {
            if (usage.ExpectedOutcome is not { } expected) continue;
            var wrong = rows.Select(r => outcomeByRow[r])
                .Where(a => !string.Equals(a.Kind.ToString(), expected, StringComparison.OrdinalIgnoreCase)).ToList();
            var at = $"line {source.GetLineColumn(usage.Span.Start).Line}: '{usage.Event.Name}'";
            foreach (var actual in wrong.Take(MaxRowsShown))
                failures.Add($"{at} expected {expected}, got {actual.Kind.ToString().ToLowerInvariant()} ({actual.Detail})");
            if (wrong.Count > MaxRowsShown) failures.Add($"{at}: … and {wrong.Count - MaxRowsShown} more row(s) not {expected}");
        }

        var status = failures.Count > 0 ? ExampleStatus.Failed : disputes.Count > 0 ? ExampleStatus.Disputed : ExampleStatus.Passed;
        return new ExampleResult(tariff.Name, example.Name, source.GetLineColumn(example.Span.Start).Line, status,
            failures.Concat(disputes).ToImmutableArray(), result) { CellsRead = cellsRead };

        void Compare(string what, decimal expected, decimal actual, string? disputed)
        {
            if (disputed is null)
            {
                if (expected != actual) failures.Add($"expected {what} {Num(expected)}, got {Num(actual)}");
            }
            else if (expected == actual)
            {
                failures.Add($"{what} is marked disputed, but the tariff agrees with the document ({Num(actual)})");
            }
            else
            {
                disputes.Add(
                    $"{what}: the document says {Num(expected)}, the price list gives {Num(actual)} (difference "
                    + $"{Num(actual - expected)}): {disputed}");
            }
        }

        string Money(decimal amount) => Currencies.Format(amount, tariff.Currency);
    }

    private static bool InPeriod(Invoice? invoice, DateOnly date) =>
        invoice is not null && invoice.Period.From <= date && date <= invoice.Period.To;

    private static string Num(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    /// <summary>Example usage as ledger rows, at the times the checker laid out (it made sure they stay in the calendar).</summary>
    private static (Ledger, List<(ExampleUsage, List<int>)>) BuildLedger(CheckedExample example)
    {
        var rows = ImmutableArray.CreateBuilder<LedgerRow>();
        var byUsage = new List<(ExampleUsage, List<int>)>();
        foreach (var usage in example.Usages)
        {
            var numbers = new List<int>();
            for (var n = 1; n <= usage.Count; n++)
            {
                var time = usage.First.AddMinutes(n - 1);
                var attributes = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
                decimal quantity = 1m;
                string? id = null;
                foreach (var (name, value) in usage.Args)
                {
                    var text = value.Replace("{n}", n.ToString(CultureInfo.InvariantCulture));
                    if (name == "quantity") quantity = decimal.Parse(text, CultureInfo.InvariantCulture);
                    else if (name == "id") id = text;
                    else attributes[name] = text;
                }
                var row = rows.Count + 1;
                rows.Add(new LedgerRow(row, id, time, Account, usage.Event.Name, quantity, attributes.ToImmutable()));
                numbers.Add(row);
            }
            byUsage.Add((usage, numbers));
        }
        return (new Ledger("example", rows.ToImmutable(), ImmutableArray<LedgerError>.Empty), byUsage);
    }
}
