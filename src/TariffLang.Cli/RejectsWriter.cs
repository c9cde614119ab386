using System.Text;
using System.Text.Json;
using TariffLang.Invoicing;

namespace TariffLang.Cli;

/// <summary>
/// <c>--rejects FILE</c>: the rejected rows of a ledger, verbatim, each with its reason, so that they can be fixed and sent
/// again. A CSV ledger gives a CSV (its header and a <c>reason</c> column); a JSON Lines ledger gives JSON Lines
/// (<c>{"row", "reason", "record"}</c>). Rows are found by the numbers rating gave them: CSV records counted from the
/// header (row 1), blank lines skipped, quoted fields may hold line breaks; JSON Lines by physical line.
/// </summary>
internal static class RejectsWriter
{
    public static string? Write(string ledgerPath, RatingResult result, string rejectsPath)
    {
        try
        {
            return WriteFile(ledgerPath, result, rejectsPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot write --rejects {rejectsPath}: {e.Message}";
        }
    }

    private static string? WriteFile(string ledgerPath, RatingResult result, string rejectsPath)
    {
        var reasons = new Dictionary<int, string>();
        foreach (var rejected in result.Rejected) reasons.TryAdd(rejected.Row, rejected.Reason);
        var jsonLines = ledgerPath.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || FirstCharacter(ledgerPath) == '{';
        if (!jsonLines && FirstCharacter(ledgerPath) == '[')
            return "--rejects writes CSV and JSON Lines ledgers; this ledger is a JSON array";
        using var output = new StreamWriter(rejectsPath, false, new UTF8Encoding(false)) { NewLine = "\n" };
        var row = 0;
        foreach (var record in jsonLines ? File.ReadLines(ledgerPath) : CsvRecords(ledgerPath))
        {
            row++;
            if (!jsonLines && row == 1)
            {
                output.WriteLine(record + ",reason");
                continue;
            }
            if (!reasons.TryGetValue(row, out var reason)) continue;
            if (jsonLines)
                output.WriteLine($"{{\"row\":{row},\"reason\":{JsonSerializer.Serialize(reason)},\"record\":{record.Trim()}}}");
            else output.WriteLine(record + "," + CsvQuote(reason));
        }
        return null;
    }

    private static char FirstCharacter(string path)
    {
        using var reader = new StreamReader(path);
        int c;
        while ((c = reader.Read()) >= 0 && char.IsWhiteSpace((char)c)) { }
        return c < 0 ? '\0' : (char)c;
    }

    /// <summary>The CSV records of a file as the ledger reader counts them: blank lines are no record, and a line break
    /// inside quotes belongs to its field.</summary>
    private static IEnumerable<string> CsvRecords(string path)
    {
        var record = new StringBuilder();
        var inQuotes = false;
        foreach (var line in File.ReadLines(path))
        {
            if (record.Length > 0 || inQuotes) record.Append('\n');
            record.Append(line);
            foreach (var c in line)
            {
                if (c == '"') inQuotes = !inQuotes;
            }
            if (inQuotes) continue;
            var text = record.ToString().TrimEnd('\r');
            record.Clear();
            if (text.Trim().Length == 0) continue;
            yield return text;
        }
        if (record.Length > 0) yield return record.ToString();
    }

    private static string CsvQuote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
