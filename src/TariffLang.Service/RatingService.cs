using System.Text;
using System.Text.Json;
using TariffLang.Ledgers;
using TariffLang.Service.Grains;

namespace TariffLang.Service;

/// <summary>
/// What the HTTP endpoints do, apart from HTTP: read a request's events with the ledger reader of the batch path, send
/// each account's events to its grain (accounts in parallel), and answer each event; read invoices; close a month.
/// </summary>
public sealed class RatingService(IGrainFactory grains, ServiceTariff host)
{
    /// <summary>The tariff rated with.</summary>
    public ServiceTariff Host => host;

    /// <summary>
    /// Rates the events of a request body: a JSON array of flat objects or JSON Lines, with the ledger's fields (time,
    /// account, event, id, quantity, attributes). A body that is not such a document is one answer of row 0, status 400.
    /// </summary>
    public async Task<IReadOnlyList<IngestAnswer>> IngestAsync(string body, CancellationToken cancel = default)
    {
        var ledger = LedgerReader.ReadJson(new StringReader(body), "request");
        if (ledger.Problem is { } problem) return [new IngestAnswer(0, null, null, 400, "rejected", problem, false)];
        var answers = new List<IngestAnswer>();
        foreach (var error in ledger.Errors) answers.Add(new IngestAnswer(error.Row, null, null, 400, "rejected", error.Message, false));
        var byAccount = ledger.Rows.GroupBy(r => r.Account, StringComparer.Ordinal).ToList();
        var calls = byAccount.Select(async group =>
        {
            var rows = group.ToArray();
            var messages = rows.Select(r => new EventMessage
            {
                Id = r.Id, Time = r.Time, Event = r.Event, Quantity = r.Quantity,
                Attributes = new Dictionary<string, string>(r.Attributes, StringComparer.Ordinal),
            }).ToArray();
            var replies = await grains.GetGrain<IAccountGrain>(group.Key).Ingest(messages).WaitAsync(cancel);
            return rows.Select((r, i) => new IngestAnswer(r.Row, r.Account, r.Id, replies[i].Outcome == "conflict" ? 409 : 200,
                replies[i].Outcome, replies[i].Reason, replies[i].Repeated));
        });
        foreach (var answered in await Task.WhenAll(calls)) answers.AddRange(answered);
        answers.Sort((a, b) => a.Row.CompareTo(b.Row));
        return answers;
    }

    /// <summary>An account's invoices for one month (<c>YYYY-MM</c>) or all its months.</summary>
    public Task<InvoicesAnswer> InvoicesAsync(string account, string? month) => grains.GetGrain<IAccountGrain>(account).Invoices(month);

    /// <summary>Closes <paramref name="month"/> (and every month before it) for every account; returns how many accounts.</summary>
    public async Task<int> CloseAsync(string month)
    {
        var accounts = await grains.GetGrain<IAccountDirectoryGrain>(0).All();
        await Task.WhenAll(accounts.Select(a => grains.GetGrain<IAccountGrain>(a).Close(month)));
        return accounts.Length;
    }

    /// <summary>Ledger rows as a request body for <c>POST /events</c>: a JSON array of flat objects with the ledger's fields.</summary>
    public static string Body(IEnumerable<LedgerRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                json.WriteStartObject();
                json.WriteString("time", row.Time.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteString("account", row.Account);
                json.WriteString("event", row.Event);
                if (row.Id is { } id) json.WriteString("id", id);
                json.WriteNumber("quantity", row.Quantity);
                foreach (var (name, value) in row.Attributes) json.WriteString(name, value);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// An invoices answer as the endpoint returns it: the account, the month asked (or null), whether final, the tariff's
    /// hash, why periods or the account could not be billed, and the invoices, each as the invoice writer wrote it.
    /// </summary>
    public static string InvoicesJson(string account, string? month, string tariff, InvoicesAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Invoicing.InvoiceJsonWriter.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("account", account);
            if (month is null) json.WriteNull("period");
            else json.WriteString("period", month);
            json.WriteBoolean("final", answer.Final);
            json.WriteString("tariff", tariff);
            if (answer.Failure is { } failure) json.WriteString("failure", failure);
            if (answer.RejectedPeriods.Length > 0)
            {
                json.WriteStartArray("rejectedPeriods");
                foreach (var rejected in answer.RejectedPeriods)
                {
                    json.WriteStartObject();
                    json.WriteString("period", rejected.Month);
                    json.WriteString("reason", rejected.Reason);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WritePropertyName("invoices");
            // Re-written through the same writer options, so the answer is one consistently indented document.
            using (var invoices = JsonDocument.Parse(answer.InvoicesJson)) invoices.RootElement.WriteTo(json);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The answers to a request's events as the JSON the endpoint returns.</summary>
    public static string ToJson(IReadOnlyList<IngestAnswer> answers)
    {
        using var buffer = new MemoryStream();
        var options = new JsonWriterOptions { Indented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            json.WriteStartObject();
            json.WriteStartArray("events");
            foreach (var a in answers)
            {
                json.WriteStartObject();
                json.WriteNumber("row", a.Row);
                if (a.Account is null) json.WriteNull("account");
                else json.WriteString("account", a.Account);
                if (a.Id is null) json.WriteNull("id");
                else json.WriteString("id", a.Id);
                json.WriteNumber("status", a.Status);
                json.WriteString("outcome", a.Outcome);
                if (a.Reason is null) json.WriteNull("reason");
                else json.WriteString("reason", a.Reason);
                if (a.Repeated) json.WriteBoolean("repeated", true);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>The answer to one event of a request.</summary>
/// <param name="Row">Its place in the request: the line of JSON Lines, the position in an array (from 1).</param>
/// <param name="Account">Its account (null when the row could not be read).</param>
/// <param name="Id">Its id, if it has one.</param>
/// <param name="Status">200 answered, 409 a conflicting id, 400 a row that could not be read.</param>
/// <param name="Outcome"><c>rated</c>, <c>free</c>, <c>rejected</c> or <c>conflict</c>.</param>
/// <param name="Reason">The free rule's reason, or why it was rejected.</param>
/// <param name="Repeated">A re-send of an event already answered: the first answer, counted once.</param>
public sealed record IngestAnswer(int Row, string? Account, string? Id, int Status, string Outcome, string? Reason, bool Repeated);
