using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace TariffLang.Ledgers;

/// <summary>An account table and the problems met while reading it, each as <c>path:row: message</c>.</summary>
internal sealed record AccountTableResult(AccountTable Table, ImmutableArray<string> Errors)
{
    public bool HasErrors => !Errors.IsDefaultOrEmpty;
}

/// <summary>
/// Reads per-account contract values (plan, prices, seniority…) from CSV or JSON. Values stay text
/// until the tariff types them; an absent value (empty cell, JSON null) is simply not in the table.
/// </summary>
/// <remarks>
/// Formats: <c>.csv</c> with an <c>account</c> column, every other column being a contract value
/// (rows numbered like ledgers: header row 1, blank lines skipped); <c>.json</c>, <c>.jsonl</c> or
/// <c>.ndjson</c> holding either one JSON array of flat objects (rows are the line where each object
/// starts) or JSON Lines (rows are line numbers). A bad row is reported and left out; for a repeated
/// account the first row wins.
/// </remarks>
internal static class AccountReader
{
    private const string AccountKey = LedgerReader.AccountColumn;

    /// <summary>Reads the account table at <paramref name="path"/>; never throws on bad input.</summary>
    public static AccountTableResult Read(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".csv" or ".json" or ".jsonl" or ".ndjson"))
        {
            return Failed($"{path}: cannot tell the format of account file: use a .csv, .json, .jsonl or .ndjson file");
        }

        string text;
        try
        {
            // Decoding from bytes through a reader drops a UTF-8 BOM.
            using var reader = new StreamReader(path, LedgerReader.StrictUtf8, detectEncodingFromByteOrderMarks: true);
            text = reader.ReadToEnd();
        }
        catch (Exception ex) when (LedgerReader.IsFileProblem(ex))
        {
            return Failed($"{path}: cannot read account file: {LedgerReader.FileProblem(ex)}");
        }

        return extension == ".csv" ? ReadCsv(new StringReader(text), path) : ReadJson(text, path);
    }

    /// <summary>Reads a CSV account table.</summary>
    /// <param name="path">Only used in messages.</param>
    public static AccountTableResult ReadCsv(TextReader reader, string path)
    {
        var builder = new TableBuilder(path);
        var records = new CsvRecordReader(reader);
        if (!records.TryReadNonBlank(out var header))
        {
            builder.Error(1, $"account file is empty: a header row with an '{AccountKey}' column is required");
            return builder.Build();
        }
        if (header.Error is not null)
        {
            builder.Error(1, $"header: {header.Error}");
            return builder.Build();
        }

        var columns = header.Fields.Select(f => f.Trim()).ToArray();
        if (columns.Length > 0) columns[0] = columns[0].TrimStart('\uFEFF');
        var duplicates = columns.Where(c => c.Length > 0).GroupBy(c => c, StringComparer.Ordinal)
            .Where(g => g.Count() > 1).Select(g => $"'{g.Key}'").ToArray();
        if (duplicates.Length > 0)
        {
            builder.Error(1, $"header names {string.Join(", ", duplicates)} more than once");
            return builder.Build();
        }
        if (!columns.Contains(AccountKey, StringComparer.Ordinal))
        {
            // Without the key column no row can be attached to an account: one error says it all.
            builder.Error(1, $"account file has no '{AccountKey}' column");
            return builder.Build();
        }

        var row = 1;
        while (records.TryReadNonBlank(out var record))
        {
            row++;
            if (record.Error is not null)
            {
                builder.Error(row, record.Error);
                continue;
            }
            if (record.Fields.Count != columns.Length)
            {
                builder.Error(row, $"row has {record.Fields.Count} fields but the header has {columns.Length} columns");
                continue;
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var nameless = false;
            for (var i = 0; i < columns.Length; i++)
            {
                if (record.Fields[i].Length == 0) continue;
                if (columns[i].Length == 0)
                {
                    builder.Error(row, $"column {i + 1} has no name in the header but holds '{record.Fields[i]}'");
                    nameless = true;
                    break;
                }
                values[columns[i]] = record.Fields[i];
            }
            if (!nameless) builder.Add(row, values);
        }
        return builder.Build();
    }

    /// <summary>Reads a JSON account table: an array of flat objects, or JSON Lines.</summary>
    /// <param name="path">Only used in messages.</param>
    public static AccountTableResult ReadJson(string text, string path)
    {
        text = text.TrimStart('\uFEFF');
        var firstSignificant = text.AsSpan().TrimStart();
        return firstSignificant.Length > 0 && firstSignificant[0] == '['
            ? ReadJsonArray(text, path)
            : ReadJsonLines(text, path);
    }

    private static AccountTableResult ReadJsonArray(string text, string path)
    {
        var builder = new TableBuilder(path);
        var bytes = Encoding.UTF8.GetBytes(text);
        try
        {
            // Walk the array with a reader rather than JsonDocument.Parse so each element's starting
            // line is known and errors can point at it.
            var reader = new Utf8JsonReader(bytes);
            reader.Read();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var line = LineOf(bytes, reader.TokenStartIndex);
                using var element = JsonDocument.ParseValue(ref reader);
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                if (LedgerReader.ReadFlatObject(element.RootElement, values) is { } problem)
                {
                    builder.Error(line, problem);
                    continue;
                }
                builder.Add(line, values);
            }
            // Reject anything after the closing bracket.
            while (reader.Read()) { }
        }
        catch (JsonException ex)
        {
            builder.Error((int)(ex.LineNumber ?? 0) + 1, LedgerReader.DescribeJsonError(ex));
        }
        return builder.Build();
    }

    private static AccountTableResult ReadJsonLines(string text, string path)
    {
        var builder = new TableBuilder(path);
        using var reader = new StringReader(text);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            string? problem;
            try
            {
                using var document = JsonDocument.Parse(line);
                problem = LedgerReader.ReadFlatObject(document.RootElement, values);
            }
            catch (JsonException ex)
            {
                problem = LedgerReader.DescribeJsonError(ex);
            }
            if (problem is not null)
            {
                builder.Error(lineNumber, problem);
                continue;
            }
            builder.Add(lineNumber, values);
        }
        return builder.Build();
    }

    private static int LineOf(byte[] bytes, long index)
    {
        var line = 1;
        for (var i = 0; i < index; i++)
        {
            if (bytes[i] == (byte)'\n') line++;
        }
        return line;
    }

    private static AccountTableResult Failed(string message) => new(AccountTable.Empty, [message]);

    /// <summary>Collects accounts in order, keeping the first row of a repeated account.</summary>
    private sealed class TableBuilder(string path)
    {
        private readonly Dictionary<string, (int Row, ImmutableDictionary<string, string> Values)> _accounts = new(StringComparer.Ordinal);
        private readonly ImmutableArray<string>.Builder _errors = ImmutableArray.CreateBuilder<string>();

        public void Error(int row, string message) => _errors.Add($"{path}:{row}: {message}");

        public void Add(int row, Dictionary<string, string> values)
        {
            if (!values.TryGetValue(AccountKey, out var account) || account.Trim().Length == 0)
            {
                Error(row, $"'{AccountKey}' is missing or empty");
                return;
            }
            account = account.Trim();
            if (_accounts.TryGetValue(account, out var first))
            {
                Error(row, $"duplicate account '{account}' (first defined on row {first.Row})");
                return;
            }
            values.Remove(AccountKey);
            _accounts[account] = (row, values.ToImmutableDictionary(StringComparer.Ordinal));
        }

        public AccountTableResult Build() => new(
            new AccountTable(_accounts.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.Values, StringComparer.Ordinal)),
            _errors.ToImmutable());
    }
}
