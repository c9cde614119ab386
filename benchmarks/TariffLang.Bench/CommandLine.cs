using System.Globalization;

namespace TariffLang.Bench;

/// <summary>A wrong command line: the usage is printed and the exit code is 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Options of the form <c>--name value</c>, flags without a value, and positional arguments.</summary>
public sealed class CommandLine
{
    private static readonly HashSet<string> Flags = ["--shuffled"];

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = new();

    public static CommandLine Parse(IEnumerable<string> args)
    {
        var line = new CommandLine();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var arg = list[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) line.Positional.Add(arg);
            else if (Flags.Contains(arg)) line._flags.Add(arg);
            else if (i + 1 < list.Count) line._values[arg] = list[++i];
            else throw new UsageException($"option {arg} needs a value");
        }
        return line;
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Required(string name) => Get(name) ?? throw new UsageException($"{name} is required");

    public bool Flag(string name) => _flags.Contains(name);

    public IEnumerable<string> Names => _values.Keys.Concat(_flags);

    public string Single(string what) =>
        Positional.Count == 1 ? Positional[0] : throw new UsageException($"expected one {what}");

    /// <summary>A row count: <c>20000</c>, <c>200k</c>, <c>1M</c>, <c>2.5M</c>.</summary>
    public static long ParseCount(string text)
    {
        var t = text.Trim();
        var factor = 1m;
        if (t.EndsWith('k') || t.EndsWith('K')) (factor, t) = (1_000m, t[..^1]);
        else if (t.EndsWith('M') || t.EndsWith('m')) (factor, t) = (1_000_000m, t[..^1]);
        if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || n * factor < 1)
            throw new UsageException($"'{text}' is not a row count (e.g. 20000, 200k, 1M)");
        return (long)(n * factor);
    }

    /// <summary>A row count as the tables and folder names show it: 200k, 1M, 2.5M, 20000 when not round.</summary>
    public static string FormatCount(long n) => n switch
    {
        >= 1_000_000 when n % 100_000 == 0 => (n / 1_000_000m).ToString(CultureInfo.InvariantCulture) + "M",
        >= 1_000 when n % 1_000 == 0 => (n / 1_000).ToString(CultureInfo.InvariantCulture) + "k",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };
}
