using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace TariffLang.Ledgers;

/// <summary>
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
internal static class LedgerReader
{
    internal const string TimeColumn = "time";
    internal const string AccountColumn = "account";
    internal const string EventColumn = "event";
    internal const string IdColumn = "id";
    internal const string QuantityColumn = "quantity";

    /// <summary>Whether <paramref name="column"/> is one of the reserved columns (never an attribute).</summary>
    internal static bool IsReservedColumn(string column) =>
        column is TimeColumn or AccountColumn or EventColumn or IdColumn or QuantityColumn;

    /// <summary>
    /// Reads the ledger at <paramref name="path"/>, choosing the format by extension (<c>.csv</c>;
    /// <c>.jsonl</c> or <c>.ndjson</c> for JSON Lines; <c>.json</c> for a JSON array, or JSON Lines when the file does not
    /// start with <c>[</c>). Never throws on bad input: a missing, unreadable or unrecognised file gives a ledger with
    /// no rows and a <see cref="Ledger.Problem"/>.
    /// </summary>
    public static Ledger Read(string path) => Materialise(LedgerStreamReader.Open(path));

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
    public static Ledger ReadCsv(TextReader reader, string path) =>
        Materialise(LedgerStreamReader.OpenText(reader, LedgerFormat.Csv, path));

    /// <summary>Reads a JSON Lines ledger: one flat JSON object per line.</summary>
    /// <param name="path">Only used to name the ledger; nothing is opened.</param>
    public static Ledger ReadJsonLines(TextReader reader, string path) =>
        Materialise(LedgerStreamReader.OpenText(reader, LedgerFormat.JsonLines, path));

    /// <summary>
    /// Reads a <c>.json</c> ledger: either JSON Lines, or one JSON array of flat objects (as many exports write),
    /// whose rows are numbered by their position in the array, from 1.
    /// </summary>
    public static Ledger ReadJson(TextReader reader, string path) => Materialise(LedgerStreamReader.OpenText(reader, null, path));

    /// <summary>Reads all of a ledger into memory, on this thread (the in-memory API; the engine streams instead).</summary>
    internal static Ledger Materialise(LedgerStreamReader reader)
    {
        using (reader)
        {
            var rows = ImmutableArray.CreateBuilder<LedgerRow>();
            var errors = ImmutableArray.CreateBuilder<LedgerError>();
            var parser = reader.CreateParser();
            var texts = new Utf8StringCache();
            var attributes = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            while (reader.TryReadChunk(out var chunk))
            {
                using (chunk)
                {
                    parser.Reset(chunk);
                    while (NextRecord(reader, parser))
                    {
                        if (parser.Error is { } error)
                        {
                            errors.Add(new LedgerError(parser.Row, error));
                            continue;
                        }
                        attributes.Clear();
                        for (var i = 0; i < parser.AttributeCount; i++)
                        {
                            attributes[parser.ColumnName(parser.AttributeColumn(i))] = texts.GetString(parser.AttributeValue(i));
                        }
                        var id = parser.Id;
                        rows.Add(new LedgerRow(parser.Row, id.IsEmpty ? null : texts.GetString(id), parser.Time,
                            texts.GetString(parser.Account), texts.GetString(parser.Event), parser.Quantity, attributes.ToImmutable()));
                    }
                }
            }
            return reader.DiscardsRows
                ? new Ledger(reader.Path, ImmutableArray<LedgerRow>.Empty, ImmutableArray<LedgerError>.Empty, reader.Problem)
                : new Ledger(reader.Path, rows.ToImmutable(), errors.ToImmutable(), reader.Problem);
        }
    }

    /// <summary>
    /// Moves to the next record. The old reader decoded the text before parsing it, so a record that throws (see the
    /// known quirks in <see cref="LedgerValues.ParseTime(string, out DateTimeOffset)"/> and <see cref="JsonRecordParser"/>)
    /// only threw when the file was valid UTF-8: otherwise the file was unreadable. Chunks are validated one at a time,
    /// so the rest of the file is checked before the exception is let through.
    /// </summary>
    private static bool NextRecord(LedgerStreamReader reader, LedgerRecordParser parser)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            while (reader.TryReadChunk(out var rest)) rest.Dispose();
            if (reader.DiscardsRows) return false;
            throw;
        }
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

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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
internal sealed record CsvRecord(IReadOnlyList<string> Fields, bool IsBlank, string? Error);

/// <summary>
/// Splits RFC 4180 CSV into records: comma-separated fields; a field in double quotes may hold commas,
/// line breaks and doubled quotes. Line breaks may be CRLF, LF or CR. A malformed record (stray quote,
/// unclosed quote) is still consumed to its end and returned with an <see cref="CsvRecord.Error"/>, so
/// the records after it are read normally.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader)
{
    private const int End = -1;

    /// <summary>Reads the next record that is not blank; false at the end of the input.</summary>
    public bool TryReadNonBlank(out CsvRecord record)
    {
        while (TryRead(out record))
        {
            if (!record.IsBlank) return true;
        }
        return false;
    }

    /// <summary>Reads the next record, blank or not; false at the end of the input.</summary>
    public bool TryRead(out CsvRecord record)
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
        record = new CsvRecord(fields, blank, error);
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
