using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;

namespace TariffLang.Bench;

/// <summary>
/// The DuckDB contestant: the calenDoc invoices as one SQL query over the CSV file (DuckDB's own parallel CSV
/// reader, its time zone support for the Paris months, exact DECIMAL money). C# only opens the connection and
/// formats the result; every figure comes out of the query.
/// </summary>
/// <remarks>
/// It reads the columns of the generated ledgers (and <c>quantity</c> when present). A ledger with an
/// <c>id</c> column is refused rather than rated without de-duplication; a cell DuckDB cannot read fails the
/// query instead of rejecting the row, which is fine for the clean generated ledgers it is meant for.
/// </remarks>
public static class DuckDbCalendoc
{
    private static readonly Dictionary<string, string> Types = new(StringComparer.Ordinal)
    {
        ["time"] = "TIMESTAMPTZ",
        ["account"] = "VARCHAR",
        ["event"] = "VARCHAR",
        ["quantity"] = "DECIMAL(18,6)",
        ["source"] = "VARCHAR",
        ["starts_at"] = "TIMESTAMPTZ",
        ["cancelled_at"] = "TIMESTAMPTZ",
        ["length"] = "INTEGER",
    };

    public static (IReadOnlyList<BenchInvoice> Invoices, BenchAccounting Accounting, TimeSpan QueryTime) Rate(string ledgerPath)
    {
        var header = File.ReadLines(ledgerPath).FirstOrDefault() ?? throw new InvalidDataException($"{ledgerPath} is empty");
        var columns = header.Split(',').Select(c => c.Trim()).ToList();
        if (columns.Contains("id"))
            throw new InvalidDataException("the DuckDB contestant does not de-duplicate ids: use a ledger without an id column");
        foreach (var required in new[] { "time", "account", "event", "source", "starts_at", "cancelled_at", "length" })
        {
            if (!columns.Contains(required)) throw new InvalidDataException($"{ledgerPath}: no '{required}' column");
        }
        // Explicit types and no sniffing: DuckDB reads exactly what the ledger vocabulary says.
        var columnTypes = string.Join(", ", columns.Select(c => $"{Literal(c)}: {Literal(Types.GetValueOrDefault(c, "VARCHAR"))}"));
        var quantity = columns.Contains("quantity") ? "coalesce(quantity, 1)" : "1";
        // One scan of the file into one small aggregate per store and month (a few thousand rows); everything
        // after that works on the aggregate, which is materialized so that the CSV is never read twice.
        var sql = $$"""
            WITH raw AS (
                SELECT account, event, {{quantity}} AS qty, source, starts_at, cancelled_at, length,
                       -- The billing month is the calendar month of the row's time in Paris.
                       date_trunc('month', timezone('Europe/Paris', time)) AS month
                FROM read_csv({{Literal(ledgerPath)}}, header = true, auto_detect = false, delim = ',', quote = '"',
                              columns = {{{columnTypes}}})
            ),
            classified AS (
                SELECT account, month, event, qty, length,
                       event IN ('appointment', 'sms', 'email') AS known,
                       event IN ('appointment', 'sms', 'email') AND account IS NOT NULL
                           AND month >= TIMESTAMP '2024-01-01'   -- effective from 2024-01-01
                           AND NOT (event = 'appointment' AND (source IS NULL OR starts_at IS NULL))
                           AND NOT (event = 'sms' AND length IS NULL) AS accepted,
                       event = 'appointment' AND source <> 'google_sync'
                           AND NOT (cancelled_at IS NOT NULL AND cancelled_at < starts_at) AS billable_appointment
                FROM raw
            ),
            usage AS MATERIALIZED (
                SELECT account, month,
                       coalesce(sum(qty) FILTER (WHERE accepted AND billable_appointment), 0) AS appointments,
                       coalesce(sum(qty * greatest(CAST(ceil(length / 160) AS BIGINT), 1))
                           FILTER (WHERE accepted AND event = 'sms'), 0) AS sms,
                       count(*) FILTER (WHERE accepted AND (billable_appointment OR event = 'sms')) AS rated,
                       count(*) FILTER (WHERE accepted) AS accepted,
                       count(*) AS rows,
                       max(month) FILTER (WHERE known) AS last_known_month
                FROM classified GROUP BY account, month
            ),
            -- Like TariffLang: every month from the store's first accepted row to the ledger's last month is invoiced.
            months AS (
                SELECT account,
                       unnest(generate_series(min(month), (SELECT max(last_known_month) FROM usage), INTERVAL 1 MONTH)) AS month
                FROM usage WHERE accepted > 0 GROUP BY account
            ),
            invoices AS (
                SELECT m.account, m.month,
                       CAST(coalesce(u.appointments, 0) AS DECIMAL(18,6)) AS appointments,
                       CAST(greatest(coalesce(u.sms, 0) - coalesce(u.appointments, 0), 0) AS DECIMAL(18,6)) AS extra_sms
                FROM months m LEFT JOIN usage u ON u.account = m.account AND u.month = m.month
            )
            SELECT account, CAST(month AS DATE) AS month_start, appointments, extra_sms,
                   -- DuckDB rounds DECIMAL half away from zero, as the tariff does.
                   CAST(round(appointments * 0.106, 2) AS DECIMAL(18,2)) AS appointment_amount,
                   CAST(round(extra_sms * 0.0503, 2) AS DECIMAL(18,2)) AS extra_amount,
                   (SELECT sum(rows) FROM usage) AS rows,
                   (SELECT sum(rated) FROM usage) AS rated,
                   (SELECT sum(accepted) FROM usage) AS accepted
            FROM invoices
            ORDER BY account, month
            """;

        var clock = Stopwatch.StartNew();
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var invoices = new List<BenchInvoice>();
        long rows = 0, rated = 0, accepted = 0;
        var any = false;
        while (reader.Read())
        {
            any = true;
            var from = DateOnly.FromDateTime(reader.GetDateTime(1));
            var appointments = reader.GetDecimal(2);
            var extra = reader.GetDecimal(3);
            var lines = new List<BenchLine>();
            if (appointments > 0)
                lines.Add(new BenchLine(CalendocBaseline.AppointmentLabel, appointments, "appointment", 0.106m, reader.GetDecimal(4)));
            if (extra > 0)
                lines.Add(new BenchLine(CalendocBaseline.ExtraSmsLabel, extra, "sms", 0.0503m, reader.GetDecimal(5)));
            invoices.Add(
                new BenchInvoice(reader.GetString(0), from, from.AddMonths(1).AddDays(-1), "EUR", lines, lines.Sum(l => l.Amount)));
            (rows, rated, accepted) = (Count(reader.GetValue(6)), Count(reader.GetValue(7)), Count(reader.GetValue(8)));
        }
        if (!any)
        {
            // No invoice at all: the counts still matter (every row rejected).
            rows = File.ReadLines(ledgerPath).Skip(1).LongCount(l => l.Trim().Length > 0);
        }
        return (invoices, new BenchAccounting(rows, rated, accepted - rated, rows - accepted), clock.Elapsed);
    }

    private static long Count(object value) => value switch
    {
        DBNull => 0,
        BigInteger b => (long)b,
        _ => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
