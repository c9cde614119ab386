using System.Globalization;
using System.Text;

namespace TariffLang.Invoicing;

/// <summary>
/// Writes a <see cref="RatingResult"/> for people: one invoice block per account and period with
/// aligned columns, then the rejected rows, then the accounting line
/// (<c>rows: 12, rated: 9, free: 2, rejected: 1</c>) that proves no row was dropped.
/// </summary>
/// <remarks>Numbers use the same invariant formatting as <see cref="InvoiceJsonWriter"/>, so both
/// outputs of a run show the same figures. Lines end with <c>\n</c> on every OS.</remarks>
internal static class InvoiceTextWriter
{
    private const string Indent = "  ";
    private const string Gap = "  ";

    /// <summary>How many rows of a group of identically rejected rows the text shows.</summary>
    private const int RowsShown = 5;

    /// <summary>The text invoices of <paramref name="result"/>, in the order the invoices are given.</summary>
    public static string Write(RatingResult result)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        Write(result, text);
        return text.ToString();
    }

    /// <summary>Writes the text invoices to <paramref name="output"/> invoice by invoice, never as one string.</summary>
    public static void Write(RatingResult result, TextWriter output)
    {
        var block = new StringBuilder();
        var invoices = InvoiceJsonWriter.OrEmpty(result.Invoices);
        if (invoices.IsEmpty) output.Write("No invoices.\n\n");
        foreach (var invoice in invoices)
        {
            block.Clear();
            WriteInvoice(block, invoice);
            block.Append('\n');
            output.Write(block);
        }

        // Over several invoices, the grand total (a tariff has one currency).
        if (invoices.Length > 1)
        {
            var grand = 0m;
            var withTax = 0m;
            foreach (var invoice in invoices)
            {
                grand += invoice.Total;
                withTax += invoice.TotalIncludingTax;
            }
            var currency = invoices[0].Currency;
            var accounts = invoices.Select(i => i.Account).Distinct(StringComparer.Ordinal).Count();
            output.Write(string.Create(CultureInfo.InvariantCulture,
                $"Grand total: {Currencies.Format(grand, currency)} {currency} over {invoices.Length} invoices of {accounts} account(s)"));
            if (invoices[0].Taxes is not null)
                output.Write(
                    string.Create(CultureInfo.InvariantCulture, $"; including tax {Currencies.Format(withTax, currency)} {currency}"));
            output.Write("\n\n");
        }

        var rejected = result.Rejected;
        if (!rejected.IsEmpty)
        {
            // Identical reasons are grouped (an account without its contract rejects every one of its rows alike), with
            // the first rows of each; the JSON output and --rejects FILE have every row.
            output.Write("Rejected rows:\n");
            var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (var row in rejected)
            {
                if (!groups.TryGetValue(row.Reason, out var rows))
                {
                    groups[row.Reason] = rows = new List<int>();
                    order.Add(row.Reason);
                }
                rows.Add(row.Row);
            }
            foreach (var reason in order)
            {
                var rows = groups[reason];
                output.Write(Indent);
                if (rows.Count == 1) output.Write(string.Create(CultureInfo.InvariantCulture, $"row {rows[0]}: {reason}\n"));
                else
                {
                    var shown = string.Join(", ", rows.Take(RowsShown).Select(r => r.ToString(CultureInfo.InvariantCulture)));
                    var more = rows.Count > RowsShown ? string.Create(CultureInfo.InvariantCulture, $" and {rows.Count - RowsShown} more")
                        : "";
                    output.Write(
                        string.Create(CultureInfo.InvariantCulture, $"{rows.Count} rows: {reason}\n{Indent}{Indent}rows {shown}{more}\n"));
                }
            }
            output.Write('\n');
        }

        var accounting = result.Accounting;
        output.Write(string.Create(CultureInfo.InvariantCulture,
            $"rows: {accounting.Rows}, rated: {accounting.Rated}, free: {accounting.Free}, rejected: {accounting.Rejected}\n"));
        output.Flush();
    }

    private static void WriteInvoice(StringBuilder text, Invoice invoice)
    {
        text.Append("Account:  ").Append(invoice.Account).Append('\n');
        text.Append("Period:   ").Append(InvoiceJsonWriter.FormatDate(invoice.Period.From))
            .Append(" to ").Append(InvoiceJsonWriter.FormatDate(invoice.Period.To)).Append('\n');
        if (invoice.Plan is not null) text.Append("Plan:     ").Append(invoice.Plan).Append('\n');
        text.Append("Currency: ").Append(invoice.Currency).Append('\n');
        text.Append('\n');

        var lines = InvoiceJsonWriter.OrEmpty(invoice.Lines);
        var table = new List<string[]> { new[] { "Label", "Quantity", "Unit", "Unit price", "Amount" } };
        foreach (var line in lines)
        {
            table.Add([
                line.Label,
                InvoiceJsonWriter.FormatDecimal(line.Quantity),
                line.Unit,
                line.UnitPrice is { } price ? InvoiceJsonWriter.FormatUnitPrice(price, invoice.Currency) : "",
                Currencies.Format(line.Amount, invoice.Currency),
            ]);
        }
        var total = Currencies.Format(invoice.Total, invoice.Currency);
        // With taxes, the rows under the total: each tax on its base, then the totals without and with tax.
        var taxRows = new List<string[]>();
        if (invoice.Taxes is { } taxes)
        {
            foreach (var tax in taxes)
            {
                taxRows.Add([tax.Label + " " + InvoiceJsonWriter.FormatDecimal(tax.Rate * 100m) + " % on "
                        + Currencies.Format(tax.Base, invoice.Currency),
                    "", "", "", Currencies.Format(tax.Amount, invoice.Currency)]);
            }
            taxRows.Add(["Total excluding tax", "", "", "", Currencies.Format(invoice.TotalExcludingTax, invoice.Currency)]);
            taxRows.Add(["Total including tax", "", "", "", Currencies.Format(invoice.TotalIncludingTax, invoice.Currency)]);
        }

        // Text columns are left-aligned, numbers right-aligned so that decimal points line up.
        var rightAligned = new[] { false, true, false, true, true };
        var widths = new int[5];
        foreach (var cells in table)
        {
            for (var i = 0; i < cells.Length; i++) widths[i] = Math.Max(widths[i], cells[i].Length);
        }
        widths[0] = Math.Max(widths[0], "Total".Length);
        widths[4] = Math.Max(widths[4], total.Length);
        foreach (var cells in taxRows)
        {
            widths[0] = Math.Max(widths[0], cells[0].Length);
            widths[4] = Math.Max(widths[4], cells[4].Length);
        }
        var rule = widths.Select(w => new string('-', w)).ToArray();

        AppendRow(table[0]);
        AppendRow(rule);
        if (lines.IsEmpty) text.Append(Indent).Append("(no charges)").Append('\n');
        foreach (var cells in table.Skip(1)) AppendRow(cells);
        AppendRow(rule);
        AppendRow(["Total", "", "", "", total]);
        foreach (var cells in taxRows) AppendRow(cells);

        var wallets = InvoiceJsonWriter.OrEmpty(invoice.Wallets);
        if (!wallets.IsEmpty)
        {
            text.Append('\n').Append("Wallets:\n");
            foreach (var wallet in wallets)
            {
                text.Append(Indent).Append(wallet.Wallet).Append(" (").Append(wallet.Unit).Append("): ")
                    .Append("opening ").Append(InvoiceJsonWriter.FormatDecimal(wallet.Opening))
                    .Append(", grants ").Append(InvoiceJsonWriter.FormatDecimal(wallet.Grants))
                    .Append(", purchases ").Append(InvoiceJsonWriter.FormatDecimal(wallet.Purchases))
                    .Append(", debits ").Append(InvoiceJsonWriter.FormatDecimal(wallet.Debits));
                if (wallet.Expired is { } expired) text.Append(", expired ").Append(InvoiceJsonWriter.FormatDecimal(expired));
                text.Append(", closing ").Append(InvoiceJsonWriter.FormatDecimal(wallet.Closing)).Append('\n');
                foreach (var grant in InvoiceJsonWriter.OrEmpty(wallet.GrantItems))
                    text.Append(Indent).Append(Indent).Append("grant ").Append(grant.Label).Append(": ")
                        .Append(InvoiceJsonWriter.FormatDecimal(grant.Amount)).Append('\n');
            }
        }

        void AppendRow(string[] cells)
        {
            var row = new StringBuilder(Indent);
            for (var i = 0; i < cells.Length; i++)
            {
                if (i > 0) row.Append(Gap);
                row.Append(rightAligned[i] ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
            }
            text.Append(row.ToString().TrimEnd()).Append('\n');
        }
    }
}
