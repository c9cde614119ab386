using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TariffLang.Ledgers;

namespace TariffLang.Tests.Ledgers;

/// <summary>
/// The oracle: the ledger reader as it was before the streaming record layer, kept verbatim (only renamed) so that
/// differential tests can check that the new reader gives exactly the same ledgers, errors and problems.
/// Original summary:
/// Reads usage ledgers (CSV or JSON Lines) into <see cref="Ledger"/>s. Bad input is data, not an
/// exception: every row that cannot be read becomes a <see cref="LedgerError"/> with its row number,
/// so that the rating can account for every row of the file.
/// </summary>
/// <remarks>
/// Row numbers. CSV: the header is row 1 and the first data record is row 2. A row number counts
/// <em>records</em>, not physical lines: a quoted field that spans several lines is still one row, and
/// blank lines are skipped without taking a number. For a file without multi-line fields and blank
/// lines, the row number is the line number (and the row a spreadsheet shows). JSON Lines: the row
/// number is the 1-based line number; blank lines are skipped but still count as lines, so that the
/// number always points at the line in an editor.
/// </remarks>
internal static class ReferenceLedgerReader
{
    internal const string TimeColumn = "time";
    internal const string AccountColumn = "account";
    internal const string EventColumn = "event";
    internal const string IdColumn = "id";
    internal const string QuantityColumn = "quantity";

    private static readonly string[] RequiredColumns = [TimeColumn, AccountColumn, EventColumn];

    /// <summary>
    /// Reads the ledger at <paramref name="path"/>, choosing the format by extension (<c>.csv</c>;
    /// <c>.jsonl</c>, <c>.ndjson</c> or <c>.json</c> for JSON Lines). Never throws on bad input: a
    /// missing, unreadable or unrecognised file gives a ledger with a single error on row 0.
    /// </summary>
    public static Ledger Read(string path)
    {
        var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        Func<TextReader, string, Ledger>? read = extension switch
        {
            ".csv" => ReadCsv,
            ".jsonl" or ".ndjson" => ReadJsonLines,
            ".json" => ReadJson,
            _ => null,
        };
        if (read is null)
        {
            return FileError(path, $"cannot tell the format of ledger '{path}': use a .csv, .jsonl, .ndjson or .json file");
        }

        try
        {
            // detectEncodingFromByteOrderMarks drops a UTF-8 BOM, which spreadsheet exports often add.
            // Strict UTF-8: a Latin-1 export would otherwise turn 'é' into U+FFFD and misname accounts silently.
            using var reader = new StreamReader(path, StrictUtf8, detectEncodingFromByteOrderMarks: true);
            return read(reader, path);
        }
        catch (Exception ex) when (IsFileProblem(ex))
        {
            return FileError(path, $"cannot read ledger '{path}': {FileProblem(ex)}");
        }
    }

    /// <summary>Whether an exception from opening or decoding a file is the file's fault (shown to the user), not a bug.</summary>
    internal static bool IsFileProblem(Exception ex) =>
        ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException;

    /// <summary>What is wrong with a file that could not be read, in words a user can act on.</summary>
    internal static string FileProblem(Exception ex) => ex switch
    {
        DecoderFallbackException => "the file is not valid UTF-8 (save it as UTF-8 and try again)",
        FileNotFoundException or DirectoryNotFoundException => "file not found",
        UnauthorizedAccessException => "access denied",
        _ => ex.Message,
    };

    /// <summary>Reads a CSV ledger (RFC 4180 quoting, header row required).</summary>
    /// <param name="path">Only used to name the ledger; nothing is opened.</param>
    public static Ledger ReadCsv(TextReader reader, string path)
    {
        var rows = ImmutableArray.CreateBuilder<LedgerRow>();
        var errors = ImmutableArray.CreateBuilder<LedgerError>();
        var records = new ReferenceCsvRecordReader(reader);

        if (!records.TryReadNonBlank(out var header))
        {
            return new Ledger(path, rows.ToImmutable(), errors.ToImmutable(),
                $"ledger '{path}' is empty: a header row with the columns {JoinQuoted(RequiredColumns)} is required");
        }

        var columns = header.Fields.Select(f => f.Trim()).ToArray();
        if (columns.Length > 0) columns[0] = columns[0].TrimStart('\uFEFF');
        var headerProblem = HeaderProblem(header, columns);

        var row = 1;
        while (records.TryReadNonBlank(out var record))
        {
            row++;
            if (headerProblem is not null)
            {
                // Every data row is still accounted for, each pointing at the header's fault.
                errors.Add(new LedgerError(row, headerProblem));
                continue;
            }
            if (record.Error is not null)
            {
                errors.Add(new LedgerError(row, record.Error));
                continue;
            }
            if (record.Fields.Count != columns.Length)
            {
                errors.Add(new LedgerError(row, $"row has {record.Fields.Count} fields but the header has {columns.Length} columns"));
                continue;
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            string? nameless = null;
            for (var i = 0; i < columns.Length; i++)
            {
                if (record.Fields[i].Length == 0) continue;
                if (columns[i].Length == 0)
                {
                    // A trailing comma in the header is harmless while its cells stay empty.
                    nameless ??= $"column {i + 1} has no name in the header but holds '{record.Fields[i]}'";
                    continue;
                }
                values[columns[i]] = record.Fields[i];
            }
            if (nameless is not null)
            {
                errors.Add(new LedgerError(row, nameless));
                continue;
            }

            AddRow(row, values, static column => $"'{column}' is empty", rows, errors);
        }

        return new Ledger(path, rows.ToImmutable(), errors.ToImmutable(),
            headerProblem is null ? null : $"ledger '{path}': {headerProblem}");
    }

    /// <summary>Reads a JSON Lines ledger: one flat JSON object per line.</summary>
    /// <param name="path">Only used to name the ledger; nothing is opened.</param>
    public static Ledger ReadJsonLines(TextReader reader, string path)
    {
        var rows = ImmutableArray.CreateBuilder<LedgerRow>();
        var errors = ImmutableArray.CreateBuilder<LedgerError>();

        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (lineNumber == 1) line = line.TrimStart('\uFEFF');
            if (string.IsNullOrWhiteSpace(line)) continue;

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var problem = ParseJsonLine(line, values);
            if (problem is not null)
            {
                errors.Add(new LedgerError(lineNumber, problem));
                continue;
            }
            AddRow(lineNumber, values, static key => $"'{key}' is missing or null", rows, errors);
        }

        return new Ledger(path, rows.ToImmutable(), errors.ToImmutable());
    }

    /// <summary>
    /// Reads a <c>.json</c> ledger: either JSON Lines, or one JSON array of flat objects (as many exports write),
    /// whose rows are numbered by their position in the array, from 1.
    /// </summary>
    public static Ledger ReadJson(TextReader reader, string path)
    {
        var text = reader.ReadToEnd();
        if (!text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n').StartsWith('[')) return ReadJsonLines(new StringReader(text), path);

        var rows = ImmutableArray.CreateBuilder<LedgerRow>();
        var errors = ImmutableArray.CreateBuilder<LedgerError>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text.TrimStart('\uFEFF'));
        }
        catch (JsonException ex)
        {
            return new Ledger(path, rows.ToImmutable(), errors.ToImmutable(), $"ledger '{path}': {DescribeJsonError(ex)}");
        }
        using (document)
        {
            var row = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                row++;
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                if (ReadFlatObject(element, values) is { } problem)
                {
                    errors.Add(new LedgerError(row, problem));
                    continue;
                }
                AddRow(row, values, static key => $"'{key}' is missing or null", rows, errors);
            }
        }
        return new Ledger(path, rows.ToImmutable(), errors.ToImmutable());
    }

    /// <summary>
    /// Copies the members of a flat JSON object into <paramref name="values"/> as text: strings as
    /// they are, numbers as their raw text (so no precision is lost to binary floating point),
    /// booleans as <c>true</c>/<c>false</c>; <c>null</c> leaves the key absent.
    /// </summary>
    /// <returns>Why the object cannot be read, or null.</returns>
    internal static string? ReadFlatObject(JsonElement element, Dictionary<string, string> values)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return $"expected a JSON object but found {Describe(element.ValueKind)}";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name)) return $"key '{property.Name}' appears more than once";
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String:
                    values[property.Name] = property.Value.GetString()!;
                    break;
                case JsonValueKind.Number:
                    values[property.Name] = property.Value.GetRawText();
                    break;
                case JsonValueKind.True:
                    values[property.Name] = "true";
                    break;
                case JsonValueKind.False:
                    values[property.Name] = "false";
                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    return $"key '{property.Name}' holds {Describe(property.Value.ValueKind)}; values must be "
                        + $"strings, numbers, booleans or null";
            }
        }
        return null;
    }

    /// <summary>A JSON parse failure in a form that fits after a row or line number.</summary>
    internal static string DescribeJsonError(JsonException ex)
    {
        // The runtime appends its own 0-based "LineNumber: | BytePositionInLine:" suffix; our caller
        // already names the row, so keep only the reason and a 1-based position.
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0) message = message[..cut];
        return ex.BytePositionInLine is { } position
            ? $"invalid JSON at byte {position + 1}: {message}"
            : $"invalid JSON: {message}";
    }

    private static string? ParseJsonLine(string line, Dictionary<string, string> values)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return ReadFlatObject(document.RootElement, values);
        }
        catch (JsonException ex)
        {
            return DescribeJsonError(ex);
        }
    }

    private static string? HeaderProblem(ReferenceCsvRecord header, string[] columns)
    {
        if (header.Error is not null) return $"header: {header.Error}";

        var duplicates = columns.Where(c => c.Length > 0).GroupBy(c => c, StringComparer.Ordinal)
            .Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (duplicates.Length > 0)
        {
            return $"header names {JoinQuoted(duplicates)} more than once";
        }

        var missing = RequiredColumns.Where(r => !columns.Contains(r, StringComparer.Ordinal)).ToArray();
        return missing.Length switch
        {
            0 => null,
            1 => $"ledger has no '{missing[0]}' column",
            _ => $"ledger has no {JoinQuoted(missing)} columns",
        };
    }

    /// <summary>Validates one row's values (format-independent) and adds a row or an error.</summary>
    /// <param name="absent">How to say that a required value is absent, in the words of the format.</param>
    private static void AddRow(
        int row,
        Dictionary<string, string> values,
        Func<string, string> absent,
        ImmutableArray<LedgerRow>.Builder rows,
        ImmutableArray<LedgerError>.Builder errors)
    {
        // All problems of the row are reported together so that one fix pass is enough.
        var problems = new List<string>();

        DateTimeOffset time = default;
        if (Required(TimeColumn) is { } timeText)
        {
            if (ParseTime(timeText, out time) is { } timeProblem) problems.Add(timeProblem);
        }
        var account = Required(AccountColumn);
        var @event = Required(EventColumn);

        var quantity = 1m;
        if (values.TryGetValue(QuantityColumn, out var quantityText) && quantityText.Trim() is var q && q.Length > 0)
        {
            if (!decimal.TryParse(q, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                    CultureInfo.InvariantCulture, out quantity))
            {
                problems.Add($"quantity '{quantityText}' is not a number (write e.g. 3 or 2.5, with a dot)");
            }
            else if (quantity <= 0)
            {
                problems.Add($"quantity '{quantityText}' must be greater than 0");
            }
        }

        if (problems.Count > 0)
        {
            errors.Add(new LedgerError(row, string.Join("; ", problems)));
            return;
        }

        string? id = values.TryGetValue(IdColumn, out var idText) && idText.Trim().Length > 0 ? idText.Trim() : null;
        // Deliberate change: attribute values are trimmed like the reserved ones, and one that is empty once trimmed is
        // no value (the reader kept them as written).
        var attributes = values
            .Where(kv => kv.Key is not (TimeColumn or AccountColumn or EventColumn or IdColumn or QuantityColumn)
                && kv.Value.Trim().Length > 0)
            .ToImmutableDictionary(kv => kv.Key, kv => kv.Value.Trim(), StringComparer.Ordinal);
        rows.Add(new LedgerRow(row, id, time, account!, @event!, quantity, attributes));

        string? Required(string column)
        {
            if (values.TryGetValue(column, out var text) && text.Trim().Length > 0) return text.Trim();
            problems.Add(absent(column));
            return null;
        }
    }

    // ISO 8601 extended format with a mandatory offset; seconds and fractions optional.
    private static readonly Regex IsoTime = new(
        @"^(?<local>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,7})?)?)(?<offset>Z|[+-]\d{2}(?::?\d{2})?)?$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    private static readonly string[] LocalFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF"];

    /// <returns>Why <paramref name="text"/> is not a time with offset, or null.</returns>
    private static string? ParseTime(string text, out DateTimeOffset time)
    {
        time = default;
        const string Example = "e.g. 2024-01-03T09:15:00+01:00 or 2024-01-03T08:15:00Z";
        var match = IsoTime.Match(text);
        if (!match.Success)
        {
            return $"time '{text}' is not an ISO-8601 date-time ({Example})";
        }
        var local = match.Groups["local"].Value.ToUpperInvariant().Replace(',', '.');
        if (!DateTime.TryParseExact(local, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dateTime))
        {
            return $"time '{text}' is not a valid date-time ({Example})";
        }
        if (!match.Groups["offset"].Success)
        {
            // Without an offset the instant is ambiguous, and periods are cut in the tariff's zone.
            return $"time '{text}' has no UTC offset ({Example})";
        }

        var offsetText = match.Groups["offset"].Value;
        var offset = TimeSpan.Zero;
        if (!offsetText.Equals("Z", StringComparison.OrdinalIgnoreCase))
        {
            var digits = offsetText[1..].Replace(":", "", StringComparison.Ordinal);
            var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
            var minutes = digits.Length > 2 ? int.Parse(digits[2..], CultureInfo.InvariantCulture) : 0;
            if (hours > 14 || minutes > 59 || (hours == 14 && minutes > 0))
            {
                return $"time '{text}' has an offset out of range (-14:00 to +14:00)";
            }
            offset = new TimeSpan(hours, minutes, 0);
            if (offsetText[0] == '-') offset = -offset;
        }

        var utcTicks = dateTime.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return $"time '{text}' is out of range";
        }
        time = new DateTimeOffset(dateTime, offset);
        return null;
    }

    private static Ledger FileError(string path, string message) =>
        new(path, ImmutableArray<LedgerRow>.Empty, ImmutableArray<LedgerError>.Empty, message);

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string JoinQuoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}

/// <summary>One CSV record: its fields, and why it is malformed if it is.</summary>
/// <param name="IsBlank">True for an empty or all-whitespace line, which readers skip.</param>
internal sealed record ReferenceCsvRecord(IReadOnlyList<string> Fields, bool IsBlank, string? Error);

/// <summary>
/// Splits RFC 4180 CSV into records: comma-separated fields; a field in double quotes may hold commas,
/// line breaks and doubled quotes. Line breaks may be CRLF, LF or CR. A malformed record (stray quote,
/// unclosed quote) is still consumed to its end and returned with an <see cref="ReferenceCsvRecord.Error"/>, so
/// the records after it are read normally.
/// </summary>
internal sealed class ReferenceCsvRecordReader(TextReader reader)
{
    private const int End = -1;

    /// <summary>Reads the next record that is not blank; false at the end of the input.</summary>
    public bool TryReadNonBlank(out ReferenceCsvRecord record)
    {
        while (TryRead(out record))
        {
            if (!record.IsBlank) return true;
        }
        return false;
    }

    /// <summary>Reads the next record, blank or not; false at the end of the input.</summary>
    public bool TryRead(out ReferenceCsvRecord record)
    {
        record = null!;
        var c = reader.Read();
        if (c == End) return false;

        var fields = new List<string>();
        var field = new StringBuilder();
        string? error = null;
        var anyQuoted = false;

        while (true)
        {
            field.Clear();
            var quoted = false;

            // Unquoted part. Whitespace before an opening quote is tolerated (`a, "b"`), as
            // hand-written files often have it.
            while (c is not (',' or '\r' or '\n' or End))
            {
                if (c == '"')
                {
                    if (field.Length == 0 || IsAllWhitespace(field))
                    {
                        quoted = true;
                        break;
                    }
                    error ??= $"field {fields.Count + 1} has a quote inside an unquoted value (quote the whole field and double the quote)";
                }
                field.Append((char)c);
                c = reader.Read();
            }

            if (quoted)
            {
                anyQuoted = true;
                field.Clear();
                while (true)
                {
                    c = reader.Read();
                    if (c == End)
                    {
                        error ??= $"field {fields.Count + 1} opens a quote that is never closed";
                        break;
                    }
                    if (c == '"')
                    {
                        if (reader.Peek() == '"')
                        {
                            reader.Read();
                            field.Append('"');
                            continue;
                        }
                        c = reader.Read();
                        break;
                    }
                    field.Append((char)c);
                }

                // Only whitespace may follow a closing quote before the delimiter.
                while (c is not (',' or '\r' or '\n' or End))
                {
                    if (!char.IsWhiteSpace((char)c))
                    {
                        error ??= $"field {fields.Count + 1} has text after its closing quote";
                    }
                    c = reader.Read();
                }
            }

            fields.Add(field.ToString());

            if (c == ',')
            {
                c = reader.Read();
                continue;
            }
            if (c == '\r' && reader.Peek() == '\n') reader.Read();
            break;
        }

        var blank = !anyQuoted && fields.Count == 1 && string.IsNullOrWhiteSpace(fields[0]);
        record = new ReferenceCsvRecord(fields, blank, error);
        return true;
    }

    private static bool IsAllWhitespace(StringBuilder text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsWhiteSpace(text[i])) return false;
        }
        return true;
    }
}
