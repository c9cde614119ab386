using System.Globalization;
using System.Text;

namespace TariffLang.Bench;

/// <summary>
/// The hand-written contestant: calenDoc's tariff (tariffs/calendoc.tariff) coded directly in C#, the way a
/// developer would write a one-off billing job in an afternoon. Single-threaded, one pass over the file,
/// a dictionary of running totals per store and month, its own ISO-8601 parsing, and nothing from TariffLang.
/// It is not tuned either way: plain lines from a StreamReader, span splitting, decimal money.
/// </summary>
/// <remarks>
/// The rules, from the tariff: an appointment is free when its source is "google_sync" or when it was
/// cancelled before its planned start (comparing instants); an SMS of n characters is max(ceil(n / 160), 1)
/// SMS; e-mails are free. Per store and Paris calendar month: "Rendez-vous (1 SMS inclus)" = appointments
/// × 0.106 and "SMS supplémentaires" = max(SMS − appointments, 0) × 0.0503, each rounded half away from zero
/// to the cent and left out when its quantity is zero. Rows before 2024-01-01 (Paris) are rejected, as are
/// unknown events, unreadable values and repeated ids. Like TariffLang, a store gets an invoice for every
/// month from its first accepted row to the ledger's last month, with no lines when it used nothing.
/// Not handled: quoted CSV fields (the exports have none; such a row is rejected).
/// </remarks>
public static class CalendocBaseline
{
    public const string AppointmentLabel = "Rendez-vous (1 SMS inclus)";
    public const string ExtraSmsLabel = "SMS supplémentaires";
    public const decimal AppointmentPrice = 0.106m;
    public const decimal ExtraSmsPrice = 0.0503m;

    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private static readonly long EffectiveFromUtc = TimeZoneInfo.ConvertTimeToUtc(new DateTime(2024, 1, 1), Paris).Ticks;

    /// <summary>Running totals of one store in one month.</summary>
    private sealed class Totals
    {
        public decimal Appointments;
        public decimal Sms;
    }

    public static (IReadOnlyList<BenchInvoice> Invoices, BenchAccounting Accounting) Rate(string ledgerPath)
    {
        using var reader = new StreamReader(ledgerPath, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var header = reader.ReadLine() ?? throw new InvalidDataException($"{ledgerPath} is empty");
        var columns = header.Split(',').Select(c => c.Trim()).ToArray();
        int Column(string name) => Array.IndexOf(columns, name);
        int time = Column("time"), account = Column("account"), @event = Column("event"), id = Column("id");
        int quantity = Column("quantity"), source = Column("source"), startsAt = Column("starts_at");
        int cancelledAt = Column("cancelled_at"), length = Column("length");
        if (time < 0 || account < 0 || @event < 0)
            throw new InvalidDataException($"{ledgerPath}: the header needs time, account and event");

        var totals = new Dictionary<(string Account, int Month), Totals>();
        var firstMonth = new Dictionary<string, int>(StringComparer.Ordinal);
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var months = new ParisMonths();
        var lastMonth = int.MinValue;
        long rows = 0, rated = 0, free = 0, rejected = 0;
        Span<Range> fields = stackalloc Range[columns.Length + 1];

        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            rows++;
            var text = line.AsSpan();
            if (text.Contains('"') || text.Split(fields, ',') != columns.Length)
            {
                rejected++;
                continue;
            }
            if (!Iso8601.TryParseUtcTicks(Cell(text, fields, time), out var utcTicks) || Cell(text, fields, account).IsEmpty)
            {
                rejected++;
                continue;
            }
            var eventName = Cell(text, fields, @event);
            var known = eventName is "appointment" or "sms" or "email";
            // TariffLang bills every month up to the last one of any row it can place in time.
            if (known) lastMonth = Math.Max(lastMonth, months.MonthOf(utcTicks));
            if (!known || utcTicks < EffectiveFromUtc)
            {
                rejected++;
                continue;
            }

            var count = 1m;
            var quantityText = Cell(text, fields, quantity);
            if (!quantityText.IsEmpty
                && (!decimal.TryParse(quantityText, NumberStyles.Number, CultureInfo.InvariantCulture, out count) || count <= 0))
            {
                rejected++;
                continue;
            }

            // Decide the row's fate before remembering its id: an unreadable row does not claim it.
            decimal appointments = 0, sms = 0;
            var billed = false;
            if (eventName is "appointment")
            {
                var sourceText = Cell(text, fields, source);
                if (sourceText.IsEmpty || !Iso8601.TryParseUtcTicks(Cell(text, fields, startsAt), out var starts))
                {
                    rejected++;
                    continue;
                }
                long? cancelled = null;
                if (!Cell(text, fields, cancelledAt).IsEmpty)
                {
                    if (!Iso8601.TryParseUtcTicks(Cell(text, fields, cancelledAt), out var c))
                    {
                        rejected++;
                        continue;
                    }
                    cancelled = c;
                }
                billed = sourceText is not "google_sync" && !(cancelled < starts);
                if (billed) appointments = count;
            }
            else if (eventName is "sms")
            {
                if (!int.TryParse(Cell(text, fields, length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
                    out var characters))
                {
                    rejected++;
                    continue;
                }
                billed = true;
                sms = (characters <= 0 ? 1 : (characters + 159) / 160) * count;
            }

            var idText = Cell(text, fields, id);
            if (!idText.IsEmpty && !seenIds.Add(idText.ToString()))
            {
                rejected++;
                continue;
            }

            var store = Cell(text, fields, account).ToString();
            var month = months.MonthOf(utcTicks);
            if (!totals.TryGetValue((store, month), out var t)) totals[(store, month)] = t = new Totals();
            t.Appointments += appointments;
            t.Sms += sms;
            if (!firstMonth.TryGetValue(store, out var first) || month < first) firstMonth[store] = month;
            if (billed) rated++;
            else free++;
        }

        var invoices = new List<BenchInvoice>();
        foreach (var (store, first) in firstMonth.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            for (var month = first; month <= lastMonth; month++)
            {
                totals.TryGetValue((store, month), out var t);
                invoices.Add(Invoice(store, month, t?.Appointments ?? 0, t?.Sms ?? 0));
            }
        }
        return (invoices, new BenchAccounting(rows, rated, free, rejected));
    }

    /// <summary>The trimmed text of a column, or empty when the ledger has no such column.</summary>
    private static ReadOnlySpan<char> Cell(ReadOnlySpan<char> line, Span<Range> fields, int column) =>
        column < 0 ? default : line[fields[column]].Trim();

    private static BenchInvoice Invoice(string store, int month, decimal appointments, decimal sms)
    {
        var lines = new List<BenchLine>();
        if (appointments > 0)
            lines.Add(
                new BenchLine(AppointmentLabel, appointments, "appointment", AppointmentPrice, Cents(appointments * AppointmentPrice)));
        var extra = Math.Max(sms - appointments, 0);
        if (extra > 0)
            lines.Add(new BenchLine(ExtraSmsLabel, extra, "sms", ExtraSmsPrice, Cents(extra * ExtraSmsPrice)));
        var from = new DateOnly(month / 12, month % 12 + 1, 1);
        return new BenchInvoice(store, from, from.AddMonths(1).AddDays(-1), "EUR", lines, lines.Sum(l => l.Amount));
    }

    private static decimal Cents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The Paris calendar month of an instant, as year × 12 + (month − 1). Rows come in time order, so the bounds
    /// of the last month found are kept and most rows cost two comparisons instead of a time-zone conversion.
    /// </summary>
    private sealed class ParisMonths
    {
        private long _startUtc = long.MaxValue, _endUtc = long.MinValue;
        private int _month;

        public int MonthOf(long utcTicks)
        {
            if (utcTicks >= _startUtc && utcTicks < _endUtc) return _month;
            var local = TimeZoneInfo.ConvertTimeFromUtc(new DateTime(utcTicks, DateTimeKind.Utc), Paris);
            var start = new DateTime(local.Year, local.Month, 1);
            // Paris changes its clocks at 02:00 or 03:00, never at midnight: month starts are unambiguous.
            _startUtc = TimeZoneInfo.ConvertTimeToUtc(start, Paris).Ticks;
            _endUtc = TimeZoneInfo.ConvertTimeToUtc(start.AddMonths(1), Paris).Ticks;
            _month = local.Year * 12 + local.Month - 1;
            return _month;
        }
    }
}

/// <summary>
/// ISO-8601 date-times with a mandatory offset, as the ledgers write them: <c>2024-01-03T09:15:00+01:00</c>,
/// <c>2024-01-03T08:15:00Z</c>; seconds and a fraction are optional, the offset is <c>Z</c>, <c>±HH:MM</c>,
/// <c>±HHMM</c> or <c>±HH</c>. A time without an offset is refused: it names no instant.
/// </summary>
public static class Iso8601
{
    public static bool TryParseUtcTicks(ReadOnlySpan<char> s, out long utcTicks)
    {
        utcTicks = 0;
        // yyyy-MM-ddTHH:mm is the shortest form, and an offset must follow.
        if (s.Length < 17 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':') return false;
        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute)) return false;
        var i = 16;
        int second = 0;
        long fraction = 0;
        if (i < s.Length && s[i] == ':')
        {
            if (!Digits(s, i + 1, 2, out second)) return false;
            i += 3;
            if (i < s.Length && s[i] == '.')
            {
                var digits = 0;
                for (i++; i < s.Length && char.IsAsciiDigit(s[i]); i++, digits++)
                {
                    if (digits < 7) fraction = fraction * 10 + (s[i] - '0');
                }
                if (digits == 0) return false;
                for (; digits < 7; digits++) fraction *= 10;
            }
        }
        if (i >= s.Length) return false;

        long offsetTicks = 0;
        if (s[i] == 'Z')
        {
            if (i + 1 != s.Length) return false;
        }
        else if (s[i] is '+' or '-')
        {
            // ±HH, ±HHMM or ±HH:MM
            var rest = s[(i + 1)..];
            if (rest.Length is not (2 or 4 or 5) || !Digits(rest, 0, 2, out var offsetHours)) return false;
            if (rest.Length == 5 && rest[2] != ':') return false;
            var offsetMinutes = 0;
            if (rest.Length > 2 && !Digits(rest, rest.Length - 2, 2, out offsetMinutes)) return false;
            if (offsetHours > 14 || offsetMinutes > 59) return false;
            offsetTicks = (offsetHours * 60L + offsetMinutes) * TimeSpan.TicksPerMinute * (s[i] == '-' ? -1 : 1);
        }
        else return false;

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59) return false;
        utcTicks = new DateTime(year, month, day, hour, minute, second).Ticks + fraction - offsetTicks;
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length) return false;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i])) return false;
            value = value * 10 + (s[i] - '0');
        }
        return true;
    }
}
