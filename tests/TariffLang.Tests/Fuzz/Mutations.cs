using System.Text.RegularExpressions;

namespace TariffLang.Tests.Fuzz;

/// <summary>Changes to a tariff's text that a hurried analyst or a hostile one could make, drawn from a seeded random.</summary>
internal static partial class TariffMutations
{
    private static readonly string[] Numbers =
        ["0", "-1", "0.000000000000000000000000001", "79228162514264337593543950335", "99999999999", "1e5", "-0.5", "3.14159"];

    private static readonly string[] Dates = ["0001-01-01", "9999-12-31", "2024-02-30", "1900-01-01", "2204-01-01"];

    private static readonly string[] Durations = ["0 minutes", "999999999 days", "100000 years", "1 second", "-5 minutes"];

    private static readonly string[] Fragments = ["(", ")", "{", "}", "\"", "-", "*", "/", ",", "none", "and", "not", "at", "per", "0",
        "\n"];

    /// <summary>One to three mutations of <paramref name="text"/>.</summary>
    public static string Apply(string text, Random random)
    {
        for (var k = random.Next(1, 4); k > 0; k--) text = ApplyOne(text, random);
        return text;
    }

    private static string ApplyOne(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        var line = random.Next(lines.Count);
        switch (random.Next(9))
        {
            case 0:
                lines.RemoveAt(line);
                return string.Join('\n', lines);
            case 1:
                lines.Insert(line, lines[random.Next(lines.Count)]);
                return string.Join('\n', lines);
            case 2:
                return ReplaceOne(text, NumberPattern(), Numbers, random);
            case 3:
                return ReplaceOne(text, DatePattern(), Dates, random);
            case 4:
                return ReplaceOne(text, DurationPattern(), Durations, random);
            case 5:
            {
                // An identifier of the tariff where another one was.
                var names = IdentifierPattern().Matches(text).Select(m => m.Value).Distinct().ToArray();
                return ReplaceOne(text, IdentifierPattern(), names, random);
            }
            case 6:
            {
                var at = random.Next(text.Length);
                return text.Remove(at, Math.Min(text.Length - at, random.Next(1, 4)));
            }
            case 7:
                return text.Insert(random.Next(text.Length), Fragments[random.Next(Fragments.Length)]);
            default:
                // Deeper nesting: an expression wrapped in parentheses many times.
                return ReplaceOne(text, NumberPattern(), [new string('(', 40) + "1" + new string(')', 40)], random);
        }
    }

    private static string ReplaceOne(string text, Regex pattern, string[] choices, Random random)
    {
        var matches = pattern.Matches(text);
        if (matches.Count == 0 || choices.Length == 0) return text;
        var m = matches[random.Next(matches.Count)];
        return text[..m.Index] + choices[random.Next(choices.Length)] + text[(m.Index + m.Length)..];
    }

    [GeneratedRegex(@"(?<![\w.-])\d+(\.\d+)?(?![\w-])")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"\d+ (second|minute|hour|day|week|month|year)s?")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"\b[a-z_][a-z0-9_]{2,}\b")]
    private static partial Regex IdentifierPattern();
}

/// <summary>Changes to a ledger: hostile values, repeated and conflicting ids, rows out of order, broken rows.</summary>
internal static class LedgerMutations
{
    private static readonly string[] Times =
    [
        "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2204-03-01T10:00:00+01:00", "2024-02-30T10:00:00+01:00",
        "2024-01-15T10:00:00", "not-a-time", "2024-01-15T10:00:00+01:00", "2023-12-31T23:59:59.9999999Z",
    ];

    private static readonly string[] Values =
    [
        "", " ", "-1", "0", "79228162514264337593543950335", "1e400", "NaN", "true", "\"a,b\"", "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00+00:00", "10675199.02:48:05", "P9999Y", "x\u00e9\u2028y", "  padded  ", "5%",
    ];

    /// <summary>The header kept; one to six row mutations.</summary>
    public static string[] Apply(string[] lines, Random random)
    {
        var header = lines[0];
        var rows = lines.Skip(1).Where(l => l.Length > 0).ToList();
        for (var k = random.Next(1, 7); k > 0 && rows.Count > 0; k--)
        {
            var at = random.Next(rows.Count);
            var cells = rows[at].Split(',');
            switch (random.Next(8))
            {
                case 0:
                    cells[0] = Times[random.Next(Times.Length)];
                    rows[at] = string.Join(',', cells);
                    break;
                case 1:
                {
                    var cell = random.Next(1, cells.Length);
                    cells[cell] = Values[random.Next(Values.Length)];
                    rows[at] = string.Join(',', cells);
                    break;
                }
                case 2:
                    // The same row sent again, or the same id with other content.
                    rows.Insert(random.Next(rows.Count + 1), rows[at]);
                    if (random.Next(2) == 0 && cells.Length > 4)
                    {
                        cells[^1] = Values[random.Next(Values.Length)];
                        rows.Add(string.Join(',', cells));
                    }
                    break;
                case 3:
                    (rows[at], rows[0]) = (rows[0], rows[at]);
                    break;
                case 4:
                    rows[at] = rows[at][..random.Next(rows[at].Length)];
                    break;
                case 5:
                    rows.RemoveAt(at);
                    break;
                case 6:
                    // Another account with this row's usage.
                    cells[1] = "fuzz-" + random.Next(3);
                    rows.Add(string.Join(',', cells));
                    break;
                default:
                    rows[at] += ",extra";
                    break;
            }
        }
        return [header, .. rows];
    }
}
