using System.Globalization;

namespace TariffLang.Bench;

/// <summary>What to generate: one ledger (and its accounts file when the tariff needs contract values).</summary>
public sealed record GenerateOptions(string Tariff, long Rows, int? Accounts, ulong Seed, bool Shuffled, string OutDir,
    long? RowsPerMonth = null)
{
    /// <summary>
    /// How many calendar months the rows span: one unless <see cref="RowsPerMonth"/> is given, in which case a bigger
    /// ledger is a longer history of the same accounts at the same monthly activity (10 M rows at 1 M a month: ten months).
    /// </summary>
    public int Months => RowsPerMonth is { } perMonth ? (int)Math.Max(1, (Rows + perMonth - 1) / perMonth) : 1;
}

/// <summary>
/// Seeded, streaming generators of realistic ledgers for the three benchmarked tariffs. Every row lies in
/// January 2024 (Paris and Amsterdam are both at +01:00 then, and it is on/after calenDoc's effective date), or in the
/// months from January 2024 on when <see cref="GenerateOptions.RowsPerMonth"/> asks for a longer history;
/// rows are in time order with the accounts interleaved, as a month's export would be. The same options always
/// give the same bytes. <c>--shuffled</c> writes the same rows in a seeded random order: it keeps one offset per
/// row (8 bytes), never the rows.
/// </summary>
public static class LedgerGenerator
{
    public static readonly string[] Tariffs = ["calendoc", "web1on1", "aircall"];


    public static int DefaultAccounts(string tariff) => tariff switch
    {
        // The calenDoc figure: the Krys Group stores.
        "calendoc" => 1000,
        "web1on1" => 200,
        "aircall" => 100,
        _ => throw new ArgumentException($"unknown tariff '{tariff}' (calendoc, web1on1 or aircall)"),
    };

    /// <summary>calenDoc stores with this index modulo 25 send e-mail reminders only: invoices with a total of 0.</summary>
    public static bool IsEmailOnlyStore(int index) => index % 25 == 3;

    public static string CalendocStore(int index) => "krys-magasin-" + (index + 1).ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>Writes <c>ledger.csv</c> (and <c>accounts.csv</c>) into <see cref="GenerateOptions.OutDir"/>.</summary>
    public static void Generate(GenerateOptions o)
    {
        if (o.Rows < 1) throw new ArgumentException("--rows must be at least 1");
        if (o.RowsPerMonth is < 1) throw new ArgumentException("--rows-per-month must be at least 1");
        var accounts = o.Accounts ?? DefaultAccounts(o.Tariff);
        if (accounts < 1) throw new ArgumentException("--accounts must be at least 1");
        Directory.CreateDirectory(o.OutDir);
        var ledger = Path.Combine(o.OutDir, "ledger.csv");
        // Written under a temporary name and renamed at the end, so an interrupted run never leaves a
        // truncated ledger that a later `run` would reuse.
        var ordered = Path.Combine(o.OutDir, o.Shuffled ? "ledger.ordered.tmp" : "ledger.csv.tmp");
        using (var writer = new CsvRowWriter(ordered, rememberOffsets: o.Shuffled))
        {
            var random = new SeededRandom(o.Seed);
            var span = new Span(o.Rows, o.Months);
            switch (o.Tariff)
            {
                case "calendoc": Calendoc(writer, random, span, accounts); break;
                case "web1on1": Web1on1(writer, random, span, accounts); break;
                case "aircall": Aircall(writer, random, span, accounts); break;
                default: throw new ArgumentException($"unknown tariff '{o.Tariff}' (calendoc, web1on1 or aircall)");
            }
            if (o.Shuffled)
            {
                var offsets = writer.Offsets!;
                offsets.Add(writer.Position);
                writer.Dispose();
                Shuffle(ordered, Path.Combine(o.OutDir, "ledger.csv.tmp"), offsets, o.Seed);
                File.Delete(ordered);
            }
        }
        WriteAccounts(o.Tariff, accounts, o.OutDir);
        File.Move(Path.Combine(o.OutDir, "ledger.csv.tmp"), ledger, overwrite: true);
    }

    /// <summary>The rows and the calendar months they are spread over.</summary>
    private readonly record struct Span(long Rows, int Months)
    {
        // January alone is 31 days, as the first ledgers were; more months run to midnight in Paris on the first of
        // the month after them, so no row of the last month spills into the next one across a change of clock.
        private readonly double _seconds = CsvRowWriter.SecondsToMonthStart(Months);

        /// <summary>The time of row <paramref name="i"/>, in seconds from the start: spread evenly, never decreasing.</summary>
        public long TimeOf(long i) => (long)(i * _seconds / Rows);
    }

    /// <summary>A mildly skewed account choice: big stores and small ones, as in any real customer base.</summary>
    private static int PickAccount(SeededRandom random, int accounts) => (int)(accounts * Math.Pow(random.NextDouble(), 1.3));

    private static void Calendoc(CsvRowWriter w, SeededRandom random, Span span, int accounts)
    {
        var rows = span.Rows;
        w.Header("time,account,event,source,starts_at,cancelled_at,length");
        var names = Enumerable.Range(0, accounts).Select(CalendocStore).ToArray();
        for (long i = 0; i < rows; i++)
        {
            var t = span.TimeOf(i);
            var store = PickAccount(random, accounts);
            w.Time(t).Comma().Text(names[store]).Comma();
            var kind = IsEmailOnlyStore(store) ? 1.0 : random.NextDouble();
            if (kind < 0.47)
            {
                // An appointment booked now for a quarter hour between 1 hour and 2 weeks ahead.
                var source = random.Chance(0.15) ? "google_sync" : "calendoc";
                var starts = (t + random.Next(3_600, 14 * 86_400)) / 900 * 900;
                if (starts <= t) starts += 900;
                w.Text("appointment").Comma().Text(source).Comma().Time(starts).Comma();
                var cancel = random.NextDouble();
                long? cancelled = cancel switch
                {
                    < 0.80 => null,
                    < 0.90 => t + random.NextLong(starts - t), // before its start: free
                    < 0.97 => starts + random.Next(60, 7_200), // after its start (a no-show): billed
                    _ => starts, // exactly at its start: not "before", so billed
                };
                // Some systems export the cancellation in UTC: a contestant that compares the text instead of
                // the instants gets those wrong (09:30Z is after 10:00+01:00).
                if (cancelled is { } c) w.Time(c, utc: random.Chance(0.3));
                w.Comma();
            }
            else if (kind < 0.90)
            {
                // Mostly one SMS, some two, a few three (1 to 480 characters).
                var size = random.NextDouble();
                var length = size < 0.7 ? random.Next(1, 160) : size < 0.9 ? random.Next(161, 320) : random.Next(321, 480);
                w.Text("sms").Comma().Comma().Comma().Comma().Int(length);
            }
            else
            {
                w.Text("email").Comma().Comma().Comma().Comma();
            }
            w.EndRow();
        }
    }

    // The cells of Web1on1's point table that exist, and two that do not (rejected rows, a few per 10 000).
    private static readonly (string Outcome, string HandledBy)[] Web1on1Cells =
    [
        ("test_drive", "agent"), ("video_call", "agent"), ("showroom_visit", "agent"), ("quote_request", "agent"),
        ("information_request", "agent"), ("trade_in_valuation", "agent"), ("workshop_appointment", "agent"),
        ("support_information", "agent"), ("intervention_request", "agent"),
        ("test_drive", "bot"), ("video_call", "bot"), ("showroom_visit", "bot"), ("trade_in_valuation", "bot"),
        ("workshop_appointment", "bot"), ("whatsapp_reminder", "bot"), ("crm_lead", "bot"), ("mql_to_sql", "bot"),
        ("whatsapp_concierge", "bot"), ("whatsapp_standard_reply", "bot"),
    ];

    private static readonly (string Outcome, string HandledBy)[] Web1on1MissingCells = [("quote_request", "bot"), ("crm_lead", "agent")];

    public static string Web1on1Dealer(int index) => "dealer-" + (index + 1).ToString("D4", CultureInfo.InvariantCulture);

    public static string Web1on1Plan(int index) => (index % 3) switch { 0 => "BASE", 1 => "GROW", _ => "SCALE" };

    private static void Web1on1(CsvRowWriter w, SeededRandom random, Span span, int accounts)
    {
        var rows = span.Rows;
        w.Header("time,account,event,contact,outcome,handled_by");
        var names = Enumerable.Range(0, accounts).Select(Web1on1Dealer).ToArray();
        // Each dealer's visitors: large enough that distinct() has real work at 10 M rows.
        const int ContactPool = 20_000;
        for (long i = 0; i < rows; i++)
        {
            w.Time(span.TimeOf(i)).Comma().Text(names[PickAccount(random, accounts)]).Comma();
            if (random.Chance(0.4))
            {
                w.Text("contact_engaged").Comma().Text("v").Padded(random.Next(ContactPool), 6).Comma().Comma();
            }
            else
            {
                var cell = random.Chance(0.0005)
                    ? Web1on1MissingCells[random.Next(Web1on1MissingCells.Length)]
                    : Web1on1Cells[random.Next(Web1on1Cells.Length)];
                w.Text("chat_completed").Comma().Comma().Text(cell.Outcome).Comma().Text(cell.HandledBy);
            }
            w.EndRow();
        }
    }

    public static string AircallCompany(int index) => "company-" + (index + 1).ToString("D4", CultureInfo.InvariantCulture);

    private static void Aircall(CsvRowWriter w, SeededRandom random, Span span, int accounts)
    {
        var rows = span.Rows;
        w.Header("time,account,event,user,contact,direction,kind,delivered");
        var names = Enumerable.Range(0, accounts).Select(AircallCompany).ToArray();
        const int Users = 8, LicensedAtStart = 6, ContactPool = 50_000;
        var userNames = Enumerable.Range(1, Users).Select(u => "agent-" + u.ToString(CultureInfo.InvariantCulture)).ToArray();
        var licensed = new bool[accounts, Users];
        var lastInbound = new int[accounts];
        Array.Fill(lastInbound, -1);
        for (long i = 0; i < rows; i++)
        {
            var t = span.TimeOf(i);
            // The month opens with the licences: six users per company; agents 7 and 8 have none.
            if (i < (long)accounts * LicensedAtStart)
            {
                var (company, user) = ((int)(i / LicensedAtStart), (int)(i % LicensedAtStart));
                licensed[company, user] = true;
                w.Time(t).Comma().Text(names[company]).Comma().Text("licence_assigned").Comma().Text(userNames[user]);
                w.Comma().Comma().Comma().Comma().EndRow();
                continue;
            }
            var a = PickAccount(random, accounts);
            w.Time(t).Comma().Text(names[a]).Comma();
            if (random.Chance(0.0005) && i + 1 < rows)
            {
                // Now and then a licence changes hands: one agent's is taken back, another agent gets it (the counter
                // and peak() have work to do), so the company keeps as many licences as it pays for.
                var leaving = PickUser(random, licensed, a, Users, holding: true);
                var joining = PickUser(random, licensed, a, Users, holding: false);
                licensed[a, leaving] = false;
                licensed[a, joining] = true;
                w.Text("licence_removed").Comma().Text(userNames[leaving]).Comma().Comma().Comma().Comma();
                w.EndRow();
                w.Time(t).Comma().Text(names[a]).Comma().Text("licence_assigned").Comma().Text(userNames[joining]).Comma().Comma().Comma()
                    .Comma();
                w.EndRow();
                i++;
                continue;
            }
            if (random.Chance(0.35))
            {
                // A customer writes: that contact's 24 h service window opens or restarts.
                var contact = random.Next(ContactPool);
                lastInbound[a] = contact;
                w.Text("message").Comma().Comma().Text("+336").Padded(contact, 8).Comma().Text("inbound").Comma().Comma();
                w.EndRow();
                continue;
            }
            var k = random.NextDouble();
            var kind = k < 0.45 ? "marketing" : k < 0.70 ? "utility" : "free_form";
            // Free-form messages answer the last customer who wrote (inside the window, unless it has lapsed);
            // half the utility templates do too (free inside the window), the rest go to anyone (billed).
            var replies = kind == "free_form" || (kind == "utility" && random.Chance(0.5));
            var to = replies && lastInbound[a] >= 0 ? lastInbound[a] : random.Next(ContactPool);
            // Mostly an agent who holds a licence; now and then one without tries, and is rejected.
            var sender = PickUser(random, licensed, a, Users, holding: random.Chance(0.98));
            var d = random.NextDouble();
            var delivered = d < 0.95 ? "true" : d < 0.98 ? "false" : "";
            w.Text("message").Comma().Text(userNames[sender]).Comma().Text("+336").Padded(to, 8).Comma();
            w.Text("outbound").Comma().Text(kind).Comma().Text(delivered);
            w.EndRow();
        }
    }

    /// <summary>A random agent of the company who holds a licence (or who does not).</summary>
    private static int PickUser(SeededRandom random, bool[,] licensed, int company, int users, bool holding)
    {
        var start = random.Next(users);
        for (var k = 0; k < users; k++)
        {
            var u = (start + k) % users;
            if (licensed[company, u] == holding) return u;
        }
        return start;
    }

    private static void WriteAccounts(string tariff, int accounts, string dir)
    {
        var path = Path.Combine(dir, "accounts.csv");
        switch (tariff)
        {
            case "web1on1":
                File.WriteAllLines(path, Enumerable.Range(0, accounts)
                    .Select(i => $"{Web1on1Dealer(i)},{Web1on1Plan(i)}").Prepend("account,plan"));
                break;
            case "aircall":
                // Two contracts, alternating: prices with four decimals make the rounding to the cent matter.
                File.WriteAllLines(path, Enumerable.Range(0, accounts)
                    .Select(i => AircallCompany(i) + (i % 2 == 0 ? ",15.00,0.0850,0.0400" : ",12.50,0.0731,0.0355"))
                    .Prepend("account,licence_price,marketing_price,utility_price"));
                break;
            default:
                // calenDoc has no contract values; a stale file from another tariff must not be left behind.
                File.Delete(path);
                break;
        }
    }

    /// <summary>Writes the rows of <paramref name="source"/> in a seeded random order (Fisher-Yates on the row indexes).</summary>
    private static void Shuffle(string source, string target, List<long> offsets, ulong seed)
    {
        var rows = offsets.Count - 1;
        var order = new int[rows];
        for (var i = 0; i < rows; i++) order[i] = i;
        // A different stream from the one that made the rows, so the order does not echo their content.
        var random = new SeededRandom(seed ^ 0x5DEECE66DUL);
        for (var i = rows - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        using var input = File.OpenHandle(source);
        using var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var header = new byte[offsets[0]];
        RandomAccess.Read(input, header, 0);
        output.Write(header);
        var buffer = new byte[4096];
        foreach (var row in order)
        {
            var length = (int)(offsets[row + 1] - offsets[row]);
            var span = buffer.AsSpan(0, length);
            if (RandomAccess.Read(input, span, offsets[row]) != length) throw new IOException("short read while shuffling");
            output.Write(span);
        }
    }
}
