using System.Globalization;
using System.Text;

namespace TariffLang.Tests.Ledgers;

/// <summary>
/// Seeded generators of hostile ledgers: every quoting fault, blank and whitespace-only lines, mixed line breaks, edge
/// times, offsets, quantities and ids, non-ASCII text, JSON escapes, duplicates, nesting and broken syntax. The same
/// seed always gives the same ledger, so a failing case can be replayed from its seed.
/// </summary>
internal static class LedgerCorpus
{
    private static readonly string[] Times =
    [
        "2024-01-03T09:15:00+01:00", "2024-01-03T09:15+01:00", "2024-01-03T09:15:30.250-05:00", "2024-01-03T09:15:30+0530",
        "2024-01-03T09:15:30z", "2024-01-03t09:15:30Z", "2024-01-03T09:15:30,5+00:00", "2024-01-03T09:15:30.1234567Z",
        "2024-01-03T09:15:30.12345678Z", "2024-01-03T09:15:30.Z", "2024-02-29T23:59:59.9999999+14:00", "2023-02-29T10:00:00Z",
        "2024-01-03T09:15:00+14:00", "2024-01-03T09:15:00-14:00", "2024-01-03T09:15:00+14:01", "2024-01-03T09:15:00+15:00",
        "2024-01-03T09:15:00+05", "2024-01-03T09:15:00-0000", "2024-01-03T09:15:00+01:60", "2024-01-03T09:15:00",
        "2024-01-03 09:15:00Z", "2024-01-03", "yesterday", "2024-13-03T09:15:00Z", "2024-01-32T09:15:00Z", "2024-01-03T24:00:00Z",
        "2024-01-03T23:60:00Z", "2024-01-03T23:59:60Z", "0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00-01:00",
        "9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59+01:00", "0000-01-01T00:00:00Z", "2024-1-03T09:15:00Z",
        "2024-01-03T09:15:00+1:00", "2024-01-03T09:15:00+01:0", "2024-01-03T09:15:00Z ", " 2024-01-03T09:15:00Z",
        "\u00A02024-01-03T09:15:00Z\u3000", "２０２４-01-03T09:15:00Z", "\u0662\u0660\u0662\u0664-01-03T09:15:00Z",
        "2024-01-03T09:15:00ZZ",
        "2024-01-03T09:15:00+01:00:00", "2024-01-03T09:15:00.5", "2024-01-03T09:15:00\u2028Z", "2024-01-20T10:00:00+01:00",
        "1999-12-31T23:59:59.9999999-12:00", "2000-02-29T00:00Z", "1900-02-29T00:00Z", "2024-01-03T09:15:00Ｚ",
        "2024-01-03T09:15:00+\u0661\u0662:00",
    ];

    private static readonly string[] Accounts =
    [
        "acme", "store-0042", " acme ", "", "   ", "\u00A0acme\u3000", "café", "acme, inc", "日本", "\t", "a\"b", "\u2003x\u2003",
        "\uFEFFbom",
    ];

    private static readonly string[] Events = ["sms", "appointment", " sms", "", "chat\u00A0", "événement", "\u3000", "s\nms"];

    private static readonly string[] Quantities =
    [
        "", "1", "2.5", "1e3", "1E-2", "-2", "0", "+3", "1,5", " 4 ", ".5", "5.", "-0", "abc", "1.50", "0.0000000000000000000001",
        "79228162514264337593543950336", "79228162514264337593543950335", "12345678901234567890", "1234567890123456789",
        "0.1000000000000000000001", "+.5", "-.5", ".", "+", "1..2", "1.2.3", "\u00A05", "٣", "1_000", "0x10", "3 ", "00012.3400",
    ];

    private static readonly string[] Ids = ["", " ", "x-1", " x ", "ü", "a,b", "\u3000"];

    private static readonly string[] Texts =
    [
        "calendoc", "2024-01-20T10:00:00+01:00", "161", " hello ", "a,b", "say \"hi\"", "line one\nline two", "cr\rlf\r\n",
        "é", "😀", "\u00A0", "", "  ", "\"", "x\"y", "tab\there", "\u2028", "1.50", "true", "\\", "{}",
    ];

    // The last two are not whitespace: lines of them are not blank.
    private static readonly string[] Blanks = ["", " ", "  \t", "\u00A0", "\u3000", "\u2028", "\u0085", " \u00A0 ", "\u200B", "\uFEFF"];

    private static readonly string[] Terminators = ["\n", "\r\n", "\r"];

    private static readonly string[] OptionalColumns = ["id", "quantity", "source", "length", "note", "kind"];

    public static string Csv(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        var columns = Header(random);
        // Blank lines before the header (U+200B and U+FEFF are not blank: such a line is the header).
        if (random.Next(3) == 0) AppendBlankLines(random, text, random.Next(10) == 0 ? Blanks.Length : Blanks.Length - 2);

        var header = columns.Select((c, i) =>
            Render(random, i == 0 && random.Next(8) == 0 ? "\uFEFF" + c : Pad(random, c), faults: random.Next(80) == 0));
        text.Append(string.Join(',', header)).Append(Terminator(random));

        var rows = random.Next(0, 14);
        for (var r = 0; r < rows; r++)
        {
            AppendBlankLines(random, text);
            var count = random.Next(12) switch
            {
                0 => columns.Count + 1,
                1 => Math.Max(1, columns.Count - 1),
                _ => columns.Count,
            };
            var fields = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var column = i < columns.Count ? columns[i].Trim() : "";
                fields.Add(Render(random, Value(random, column), faults: random.Next(30) == 0));
            }
            text.Append(string.Join(',', fields));
            if (r < rows - 1 || random.Next(3) > 0) text.Append(Terminator(random));
        }
        if (random.Next(6) == 0) AppendBlankLines(random, text);
        if (random.Next(40) == 0) text.Append("2024-01-03T09:15:00Z,\"unclosed,sms");
        return text.ToString();
    }

    private static List<string> Header(Random random)
    {
        var columns = new List<string> { "time", "account", "event" };
        foreach (var optional in OptionalColumns)
        {
            if (random.Next(3) == 0) columns.Insert(random.Next(columns.Count + 1), optional);
        }
        switch (random.Next(24))
        {
            case 0: columns.RemoveAt(random.Next(3)); break;
            case 1: columns.Add(columns[random.Next(columns.Count)]); break;
            case 2: columns.Add(""); break;
            case 3: columns.Add(" "); columns.Add(""); break;
            case 4: columns[random.Next(columns.Count)] = "Time"; break;
            case 5: columns.Clear(); columns.Add("time"); break;
            default:
                if (random.Next(3) == 0)
                {
                    // Shuffle so that reserved columns appear anywhere.
                    columns = [.. columns.OrderBy(_ => random.Next())];
                }
                break;
        }
        return columns;
    }

    private static string Pad(Random random, string name) => random.Next(6) switch
    {
        0 => " " + name,
        1 => name + "\u00A0",
        _ => name,
    };

    private static string Value(Random random, string column) => column switch
    {
        "time" => random.Next(5) == 0 ? Pick(random, Times) : Time(random),
        "account" => random.Next(3) == 0
            ? Pick(random, Accounts)
            : "store-" + random.Next(100).ToString("D4", CultureInfo.InvariantCulture),
        "event" => random.Next(4) == 0 ? Pick(random, Events) : "appointment",
        "quantity" => Pick(random, Quantities),
        "id" => Pick(random, Ids),
        _ => random.Next(4) == 0 ? Pick(random, Texts) : random.Next(2) == 0 ? "" : "v" + random.Next(1000),
    };

    private static string Time(Random random)
    {
        var time = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(1)).AddSeconds(random.Next(0, 60 * 60 * 24 * 366));
        return time.ToString(random.Next(3) == 0 ? "yyyy-MM-ddTHH:mm:ss.fffzzz" : "yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
    }

    /// <summary>One CSV field: plain when it can be, quoted otherwise or at random, and now and then broken.</summary>
    private static string Render(Random random, string value, bool faults)
    {
        if (faults)
        {
            return random.Next(5) switch
            {
                0 => value + "\"x",
                1 => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"tail",
                2 => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\" \u00A0",
                3 => " \u3000\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
                _ => "\"\"" + value,
            };
        }
        var needsQuotes = value.AsSpan().IndexOfAny(",\"\r\n") >= 0;
        if (needsQuotes || random.Next(8) == 0)
        {
            var quoted = "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            return random.Next(10) == 0 ? " " + quoted + "\t" : quoted;
        }
        return value;
    }

    private static void AppendBlankLines(Random random, StringBuilder text, int kinds = int.MaxValue)
    {
        while (random.Next(5) == 0) text.Append(Blanks[random.Next(Math.Min(kinds, Blanks.Length))]).Append(Terminator(random));
    }

    private static string Terminator(Random random) => random.Next(4) == 0 ? Pick(random, Terminators) : "\n";

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    // ---- JSON ----

    private static readonly string[] Keys = ["time", "account", "event", "id", "quantity", "source", "length", "note", "k\u00e9y", ""];

    public static string JsonLines(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        if (random.Next(6) == 0) text.Append('\uFEFF');
        var lines = random.Next(0, 12);
        for (var i = 0; i < lines; i++)
        {
            if (random.Next(5) == 0) text.Append(Pick(random, Blanks)).Append(Terminator(random));
            text.Append(random.Next(10) == 0 ? BrokenJson(random) : Element(random, compact: true));
            if (i < lines - 1 || random.Next(3) > 0) text.Append(Terminator(random));
        }
        return text.ToString();
    }

    public static string JsonArray(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        if (random.Next(6) == 0) text.Append('\uFEFF');
        if (random.Next(4) == 0) text.Append(" \r\n\t");
        if (random.Next(30) == 0) text.Append(" \uFEFF");
        text.Append('[');
        var count = random.Next(0, 10);
        var pretty = random.Next(2) == 0;
        for (var i = 0; i < count; i++)
        {
            if (pretty) text.Append("\n  ");
            text.Append(random.Next(12) == 0 ? Pick(random, NonObjects) : Element(random, compact: !pretty));
            if (i < count - 1) text.Append(pretty ? ", " : ",");
        }
        switch (random.Next(30))
        {
            case 0: text.Append(",]"); break;
            case 1: break;
            case 2: text.Append("] x"); break;
            case 3: text.Append("][]"); break;
            case 4: text.Append(']').Append(new string('[', 70)).Append(new string(']', 70)); break;
            case 5: text.Append(", ").Append(new string('[', 70)).Append(new string(']', 70)).Append(']'); break;
            default: text.Append(pretty ? "\n]\n" : "]"); break;
        }
        return text.ToString();
    }

    private static readonly string[] NonObjects = ["[1,2]", "42", "\"text\"", "null", "true", "[]", "{\"a\":[{}]}"];

    private static string Element(Random random, bool compact)
    {
        var members = new List<string>();
        var keys = new List<string> { "time", "account", "event" };
        foreach (var key in Keys.Skip(3))
        {
            if (random.Next(3) == 0) keys.Add(key);
        }
        if (random.Next(6) == 0) keys.RemoveAt(random.Next(keys.Count));
        if (random.Next(12) == 0) keys.Add(keys[random.Next(keys.Count)]);
        foreach (var key in keys.OrderBy(_ => random.Next(4) == 0 ? random.Next() : 0))
        {
            var name = random.Next(15) == 0 ? EscapeAll(key) : Escape(key);
            members.Add($"\"{name}\":{(compact ? "" : " ")}{JsonValue(random, key)}");
        }
        return "{" + string.Join(compact ? "," : ", ", members) + "}";
    }

    private static string JsonValue(Random random, string key)
    {
        switch (random.Next(16))
        {
            case 0: return "null";
            case 1: return random.Next(2) == 0 ? "true" : "false";
            case 2: return Pick(random, (string[])["1", "1.50", "-0", "1e3", "0", "12345678901234567890123", "-2.5E-3", "3"]);
            case 3: return random.Next(2) == 0 ? "{\"k\":1}" : "[\"x\"]";
            case 4 when random.Next(40) == 0: return "\"\\ud800\"";
        }
        var value = key switch
        {
            "time" => random.Next(4) == 0 ? Pick(random, Times) : Time(random),
            "account" => random.Next(3) == 0 ? Pick(random, Accounts) : "store-" + random.Next(100),
            "event" => random.Next(4) == 0 ? Pick(random, Events) : "sms",
            "quantity" => Pick(random, Quantities),
            "id" => Pick(random, Ids),
            _ => Pick(random, Texts),
        };
        return "\"" + (random.Next(10) == 0 ? EscapeAll(value) : Escape(value)) + "\"";
    }

    private static string BrokenJson(Random random) => Pick(random, (string[])
    [
        "{\"time\":\"2024-01-03T09:16:00Z\",\"account\":\"b\",", "{\"a\":1,}", "{\"a\":1} x", "{\"a\":1}{}", "[1,2]", "42", "\"text\"",
        "null", "{'a':1}", "{\"a\":1 // c\n}", "\u00A0{\"a\":1}", "{\"a\":\"\\x\"}", "{\"a\":01}", "{\"a\":tru}", "]", "{\"a\":\"\u0001\"}",
        "{" + string.Concat(Enumerable.Repeat("\"a\":{", 70)) + "}",
    ]);

    private static string Escape(string value)
    {
        var text = new StringBuilder();
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return text.ToString();
    }

    private static string EscapeAll(string value) => string.Concat(value.Select(c => $"\\u{(int)c:X4}"));

    // ---- bytes ----

    /// <summary>The text as a file's bytes: plain UTF-8, with one or two BOMs, UTF-16/32, or damaged by invalid bytes.</summary>
    public static byte[] Encode(string text, int seed)
    {
        var random = new Random(seed * 7919 + 1);
        var utf8 = Encoding.UTF8.GetBytes(text);
        byte[] bom = [0xEF, 0xBB, 0xBF];
        switch (random.Next(14))
        {
            case 0: return [.. bom, .. utf8];
            case 1: return [.. bom, .. bom, .. utf8];
            case 2: return [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)];
            case 3: return [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)];
            case 4: return [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(text)];
            case 5: return Damage(random, utf8);
            case 6: return [.. bom, .. Damage(random, utf8)];
            case 7: return [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text), 0x41];
            default: return utf8;
        }
    }

    private static byte[] Damage(Random random, byte[] utf8)
    {
        byte[][] faults = [[0xE9], [0xC3], [0xFF], [0xE2, 0x82], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80]];
        var at = utf8.Length == 0 ? 0 : random.Next(utf8.Length + 1);
        // Never inside a character: a cut multi-byte character would just be one more kind of damage, but keep it apart.
        while (at < utf8.Length && (utf8[at] & 0xC0) == 0x80) at++;
        return [.. utf8.AsSpan(0, at), .. faults[random.Next(faults.Length)], .. utf8.AsSpan(at)];
    }
}
