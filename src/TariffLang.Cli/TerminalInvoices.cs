using System.Globalization;
using Spectre.Console;
using TariffLang.Invoicing;

namespace TariffLang.Cli;

/// <summary>
/// The invoices of <c>tariff rate</c> drawn as tables on a terminal (Spectre.Console: colour only where the terminal has it,
/// never under NO_COLOR). Piped or redirected output keeps the plain text of <c>RatingResult.WriteText</c>, whose figures
/// these are.
/// </summary>
internal static class TerminalInvoices
{
    /// <summary>Whether stdout is a terminal the tables can be drawn on.</summary>
    public static bool Applies(TextWriter stdout) => ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;

    public static void Write(IAnsiConsole console, RatingResult result, CompiledTariff tariff)
    {
        foreach (var invoice in result.Invoices)
        {
            var table = new Table().Border(TableBorder.Rounded)
                .Title($"[bold]{Markup.Escape(invoice.Account)}[/] {invoice.Period.From:yyyy-MM-dd} to {invoice.Period.To:yyyy-MM-dd}"
                    + (invoice.Plan is null ? "" : $" · plan {Markup.Escape(invoice.Plan)}"));
            table.AddColumn("Label");
            table.AddColumn(new TableColumn("Quantity").RightAligned());
            table.AddColumn("Unit");
            table.AddColumn(new TableColumn("Unit price").RightAligned());
            table.AddColumn(new TableColumn($"Amount ({Markup.Escape(invoice.Currency)})").RightAligned());
            foreach (var line in invoice.Lines)
            {
                table.AddRow(Markup.Escape(line.Label), Number(line.Quantity), Markup.Escape(line.Unit),
                    line.UnitPrice is { } price ? Number(price) : "", Money(line.Amount, tariff));
            }
            table.AddEmptyRow();
            table.AddRow("[bold]Total[/]", "", "", "", $"[bold]{Money(invoice.Total, tariff)}[/]");
            foreach (var tax in invoice.Taxes ?? [])
                table.AddRow($"{Markup.Escape(tax.Label)} on {Money(tax.Base, tariff)}", "", "", "", Money(tax.Amount, tariff));
            if (invoice.Taxes is not null)
                table.AddRow("[bold]Total including tax[/]", "", "", "", $"[bold]{Money(invoice.TotalIncludingTax, tariff)}[/]");
            console.Write(table);
        }
        if (result.Invoices.Length > 1)
        {
            var grand = result.Invoices.Sum(i => i.Total);
            var currency = Markup.Escape(result.Invoices[0].Currency);
            console.MarkupLine($"[bold]Grand total:[/] {Money(grand, tariff)} {currency} over {result.Invoices.Length} invoices");
        }
        if (!result.Rejected.IsEmpty)
        {
            console.MarkupLine(
                $"[yellow]{result.Rejected.Length} row(s) rejected[/] (by reason, with their rows: --format json or --rejects FILE)");
            foreach (var group in result.Rejected.GroupBy(r => r.Reason).Take(10))
                console.MarkupLine(
                    $"  {group.Count()} × {Markup.Escape(group.Key)} (row {group.First().Row}{(group.Count() > 1 ? ", …" : "")})");
        }
        var a = result.Accounting;
        console.MarkupLine(
            string.Create(CultureInfo.InvariantCulture, $"rows: {a.Rows}, rated: {a.Rated}, free: {a.Free}, rejected: {a.Rejected}"));
    }

    private static string Number(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    private static string Money(decimal value, CompiledTariff tariff) => Markup.Escape(tariff.FormatMoney(value));
}
