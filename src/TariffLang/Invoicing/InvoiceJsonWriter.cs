using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TariffLang.Invoicing;

/// <summary>
/// Writes a <see cref="RatingResult"/> as the invoice JSON of the design contract:
/// <c>{"invoices":[…],"rejected":[…],"accounting":{…}}</c>, indented by two spaces, keys in a fixed
/// order. Every decimal is written as a JSON string so that no consumer reads it as a binary float.
/// </summary>
internal static class InvoiceJsonWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        IndentCharacter = ' ',
        IndentSize = 2,
        // Labels are often French ("SMS supplémentaires"); keep them readable instead of \u-escaped.
        // The output is a data file, never embedded in HTML, so the relaxed encoder is safe here.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // Same bytes on every OS, so expected invoices can be compared as text.
        NewLine = "\n",
    };

    /// <summary>The invoice JSON of <paramref name="result"/>, in the order the invoices are given, ending with a newline.</summary>
    public static string Write(RatingResult result)
    {
        using var stream = new MemoryStream();
        Write(result, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// Writes the invoice JSON to <paramref name="output"/> as it goes, flushing every few hundred invoices or rejected
    /// rows, so a large result is never held as one string.
    /// </summary>
    public static void Write(RatingResult result, Stream output)
    {
        const int FlushEvery = 256;
        using (var json = new Utf8JsonWriter(output, Options))
        {
            json.WriteStartObject();

            json.WriteStartArray("invoices");
            var written = 0;
            foreach (var invoice in OrEmpty(result.Invoices))
            {
                WriteInvoice(json, invoice);
                if (++written % FlushEvery == 0) json.Flush();
            }
            json.WriteEndArray();

            json.WriteStartArray("rejected");
            foreach (var rejected in result.Rejected)
            {
                json.WriteStartObject();
                json.WriteNumber("row", rejected.Row);
                json.WriteString("reason", rejected.Reason);
                json.WriteEndObject();
                if (++written % FlushEvery == 0) json.Flush();
            }
            json.WriteEndArray();

            var accounting = result.Accounting;
            json.WriteStartObject("accounting");
            json.WriteNumber("rows", accounting.Rows);
            json.WriteNumber("rated", accounting.Rated);
            json.WriteNumber("free", accounting.Free);
            json.WriteNumber("rejected", accounting.Rejected);
            json.WriteEndObject();

            json.WriteEndObject();
        }
        // A final newline, like every text file the CLI writes, so `tariff rate … > out.json` diffs cleanly.
        output.WriteByte((byte)'\n');
        output.Flush();
    }

    /// <summary>
    /// A decimal without trailing fractional zeros, in invariant culture: <c>65</c>, <c>2.5</c>,
    /// <c>0.0503</c>. Used for quantities and wallet balances, whose scale carries no meaning.
    /// </summary>
    internal static string FormatDecimal(decimal value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (text.Contains('.', StringComparison.Ordinal)) text = text.TrimEnd('0').TrimEnd('.');
        return text == "-0" ? "0" : text;
    }

    /// <summary>
    /// A unit price as given, without trailing zeros but with at least the currency's minor digits:
    /// <c>0.106</c>, <c>0.0503</c>, <c>0.14</c>, <c>499.00</c> in EUR. Unit prices are not rounded,
    /// because a price of 0.0503 € per SMS is exact and only the line amount is rounded.
    /// </summary>
    internal static string FormatUnitPrice(decimal value, string currency)
    {
        var text = FormatDecimal(value);
        var minor = Currencies.MinorUnits(currency);
        if (minor == 0) return text;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? 0 : text.Length - dot - 1;
        if (digits >= minor) return text;
        return (dot < 0 ? text + "." : text) + new string('0', minor - digits);
    }

    /// <summary>Invoices as a JSON array, each exactly as in the invoice JSON of a rating (the service's answers).</summary>
    internal static void WriteInvoices(Utf8JsonWriter json, IEnumerable<Invoice> invoices)
    {
        json.WriteStartArray();
        foreach (var invoice in invoices) WriteInvoice(json, invoice);
        json.WriteEndArray();
    }

    /// <summary>The writer options of the invoice JSON, for a writer that embeds invoices in another document.</summary>
    internal static JsonWriterOptions WriterOptions => Options;

    internal static void WriteInvoice(Utf8JsonWriter json, Invoice invoice)
    {
        json.WriteStartObject();
        json.WriteString("account", invoice.Account);

        json.WriteStartObject("period");
        json.WriteString("from", FormatDate(invoice.Period.From));
        json.WriteString("to", FormatDate(invoice.Period.To));
        json.WriteEndObject();

        json.WriteString("currency", invoice.Currency);
        if (invoice.Plan is null) json.WriteNull("plan");
        else json.WriteString("plan", invoice.Plan);

        json.WriteStartArray("lines");
        foreach (var line in OrEmpty(invoice.Lines))
        {
            json.WriteStartObject();
            json.WriteString("label", line.Label);
            json.WriteString("quantity", FormatDecimal(line.Quantity));
            json.WriteString("unit", line.Unit);
            if (line.UnitPrice is { } unitPrice) json.WriteString("unitPrice", FormatUnitPrice(unitPrice, invoice.Currency));
            else json.WriteNull("unitPrice");
            json.WriteString("amount", Currencies.Format(line.Amount, invoice.Currency));
            if (line.Band is { } band)
            {
                json.WriteStartObject("band");
                json.WriteString("from", FormatDecimal(band.From));
                if (band.To is { } to) json.WriteString("to", FormatDecimal(to));
                else json.WriteNull("to");
                json.WriteString("flatFee", Currencies.Format(band.FlatFee, invoice.Currency));
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteString("total", Currencies.Format(invoice.Total, invoice.Currency));

        // Taxes are written only for a tariff that declares some, so that the others keep their shape.
        if (invoice.Taxes is { } taxes)
        {
            json.WriteStartArray("taxes");
            foreach (var tax in taxes)
            {
                json.WriteStartObject();
                json.WriteString("label", tax.Label);
                json.WriteString("rate", FormatDecimal(tax.Rate));
                json.WriteString("base", Currencies.Format(tax.Base, invoice.Currency));
                json.WriteString("amount", Currencies.Format(tax.Amount, invoice.Currency));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("totalExcludingTax", Currencies.Format(invoice.TotalExcludingTax, invoice.Currency));
            json.WriteString("tax", Currencies.Format(invoice.TotalTax, invoice.Currency));
            json.WriteString("totalIncludingTax", Currencies.Format(invoice.TotalIncludingTax, invoice.Currency));
        }

        // Wallets are omitted rather than written empty: most tariffs have none.
        if (!invoice.Wallets.IsDefaultOrEmpty)
        {
            json.WriteStartArray("wallets");
            foreach (var wallet in invoice.Wallets)
            {
                json.WriteStartObject();
                json.WriteString("wallet", wallet.Wallet);
                json.WriteString("unit", wallet.Unit);
                json.WriteString("opening", FormatDecimal(wallet.Opening));
                json.WriteString("grants", FormatDecimal(wallet.Grants));
                json.WriteString("purchases", FormatDecimal(wallet.Purchases));
                json.WriteString("debits", FormatDecimal(wallet.Debits));
                // Written only when there is something to say, so a wallet's statement keeps its shape otherwise.
                if (wallet.Expired is { } expired) json.WriteString("expired", FormatDecimal(expired));
                json.WriteString("closing", FormatDecimal(wallet.Closing));
                var grants = OrEmpty(wallet.GrantItems);
                if (!grants.IsEmpty)
                {
                    json.WriteStartArray("grantItems");
                    foreach (var grant in grants)
                    {
                        json.WriteStartObject();
                        json.WriteString("label", grant.Label);
                        json.WriteString("amount", FormatDecimal(grant.Amount));
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    internal static string FormatDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static ImmutableArray<T> OrEmpty<T>(ImmutableArray<T> items) => items.IsDefault ? ImmutableArray<T>.Empty : items;
}
