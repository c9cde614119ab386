using System.Text;
using System.Text.Json;
using TariffLang.Invoicing;

namespace TariffLang.Service;

/// <summary>
/// Invoices as the service keeps and answers them: each written once by the batch path's invoice writer as its own JSON
/// object (a closed month's invoice is stored so), and a list of them composed into one JSON array with the same writer
/// options, so an answer is byte for byte what <c>tariff rate</c> writes for those invoices.
/// </summary>
internal static class InvoiceDocuments
{
    public static string Write(Invoice invoice)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, InvoiceJsonWriter.WriterOptions)) InvoiceJsonWriter.WriteInvoice(json, invoice);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The invoices (JSON objects from <see cref="Write"/>) as one indented JSON array.</summary>
    public static string Compose(IEnumerable<string> invoices)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, InvoiceJsonWriter.WriterOptions))
        {
            json.WriteStartArray();
            foreach (var invoice in invoices)
            {
                using var document = JsonDocument.Parse(invoice);
                document.RootElement.WriteTo(json);
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
