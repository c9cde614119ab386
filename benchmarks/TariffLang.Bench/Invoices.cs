using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TariffLang.Bench;

/// <summary>One invoice line as every contestant reports it.</summary>
public sealed record BenchLine(string Label, decimal Quantity, string Unit, decimal UnitPrice, decimal Amount);

/// <summary>One account's invoice for one month.</summary>
public sealed record BenchInvoice(string Account, DateOnly From, DateOnly To, string Currency, IReadOnlyList<BenchLine> Lines,
    decimal Total);

/// <summary>What happened to the ledger's rows; <c>Rows == Rated + Free + Rejected</c>.</summary>
public sealed record BenchAccounting(long Rows, long Rated, long Free, long Rejected);

/// <summary>
/// Writes invoices in the shape of <c>tariff rate --format json</c> (decimals as strings), so that the
/// baseline's and DuckDB's outputs go through the same <see cref="InvoiceNormalizer"/> as TariffLang's.
/// </summary>
public static class InvoiceJson
{
    public static string Write(IEnumerable<BenchInvoice> invoices, BenchAccounting accounting)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("invoices");
            foreach (var invoice in invoices)
            {
                json.WriteStartObject();
                json.WriteString("account", invoice.Account);
                json.WriteStartObject("period");
                json.WriteString("from", invoice.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                json.WriteString("to", invoice.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                json.WriteEndObject();
                json.WriteString("currency", invoice.Currency);
                json.WriteNull("plan");
                json.WriteStartArray("lines");
                foreach (var line in invoice.Lines)
                {
                    json.WriteStartObject();
                    json.WriteString("label", line.Label);
                    json.WriteString("quantity", Text(line.Quantity));
                    json.WriteString("unit", line.Unit);
                    json.WriteString("unitPrice", Text(line.UnitPrice));
                    json.WriteString("amount", line.Amount.ToString("0.00", CultureInfo.InvariantCulture));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteString("total", invoice.Total.ToString("0.00", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            // Only counts: the other contestants' reasons are worded differently and are not compared.
            json.WriteStartArray("rejected");
            json.WriteEndArray();
            json.WriteStartObject("accounting");
            json.WriteNumber("rows", accounting.Rows);
            json.WriteNumber("rated", accounting.Rated);
            json.WriteNumber("free", accounting.Free);
            json.WriteNumber("rejected", accounting.Rejected);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Turns any contestant's invoice JSON into canonical, sorted text lines — one per invoice line
/// (<c>account | period from | label | quantity | amount</c>), one per invoice total and one for the row
/// accounting — so that two outputs agree "to the cent" exactly when their lines are equal.
/// </summary>
public static class InvoiceNormalizer
{
    public static IReadOnlyList<string> Normalize(string invoiceJson)
    {
        using var document = JsonDocument.Parse(invoiceJson);
        var root = document.RootElement;
        var lines = new List<string>();
        foreach (var invoice in root.GetProperty("invoices").EnumerateArray())
        {
            var account = invoice.GetProperty("account").GetString() ?? "";
            var from = invoice.GetProperty("period").GetProperty("from").GetString() ?? "";
            foreach (var line in invoice.GetProperty("lines").EnumerateArray())
            {
                lines.Add(string.Join(" | ", account, from, line.GetProperty("label").GetString(),
                    Canonical(line.GetProperty("quantity")), Canonical(line.GetProperty("amount"), cents: true)));
            }
            lines.Add(string.Join(" | ", account, from, "(total)", "", Canonical(invoice.GetProperty("total"), cents: true)));
        }
        if (root.TryGetProperty("accounting", out var a))
        {
            lines.Add($"(accounting) | rows {a.GetProperty("rows")} | rated {a.GetProperty("rated")} | "
                + $"free {a.GetProperty("free")} | rejected {a.GetProperty("rejected")}");
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>
    /// The lines that differ, as "- expected" / "+ actual" pairs, at most <paramref name="max"/> of them;
    /// empty when the two agree.
    /// </summary>
    public static IReadOnlyList<string> Differences(IReadOnlyList<string> expected, IReadOnlyList<string> actual, int max = 10)
    {
        var missing = expected.Except(actual, StringComparer.Ordinal).Select(l => "- " + l);
        var extra = actual.Except(expected, StringComparer.Ordinal).Select(l => "+ " + l);
        var differences = missing.Concat(extra).ToList();
        // Duplicates are invisible to Except: equal sets but different multiplicities still differ.
        if (differences.Count == 0 && expected.Count != actual.Count)
            differences.Add($"! {expected.Count} lines expected, {actual.Count} found (a repeated line)");
        return differences.Take(max).ToList();
    }

    /// <summary>
    /// A decimal without its trailing zeros, so "5.10", "5.1" and 5.1 are the same figure; money keeps at least two
    /// decimals for the eye (5.10), and an unrounded 5.105 stays visible as such.
    /// </summary>
    private static string Canonical(JsonElement value, bool cents = false)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        if (!decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)) return text;
        // Decimal division returns the smallest scale that holds the exact quotient: dividing by one
        // keeps the value and drops the trailing zeros that the scale of "5.10" carries.
        var canonical = number / 1.0000000000000000000000000000m;
        return canonical.ToString(cents && canonical.Scale < 2 ? "0.00" : "G", CultureInfo.InvariantCulture);
    }
}
