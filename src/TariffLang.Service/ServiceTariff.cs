using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using TariffLang.Ledgers;

namespace TariffLang.Service;

/// <summary>
/// The tariff a silo rates with (and its later versions, each from the first day of a month), and the accounts' contract
/// values: read once when the silo starts, from files no request can write. Every silo of a cluster is started with the
/// same files; each version is named by the hash of its content.
/// </summary>
public sealed class ServiceTariff
{
    /// <summary>One tariff, for every month.</summary>
    public ServiceTariff(CompiledTariff tariff, string text, AccountTable accounts)
        : this([new TariffVersion(null, tariff, HashOf(text))], accounts)
    {
    }

    /// <summary>Versions of a tariff, the first for every month before the second's, and so on.</summary>
    public ServiceTariff(IReadOnlyList<TariffVersion> versions, AccountTable accounts)
    {
        ArgumentNullException.ThrowIfNull(versions);
        if (versions.Count == 0 || versions[0].From is not null)
            throw new ArgumentException("the first version applies from the start", nameof(versions));
        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i].Tariff.HasErrors)
                throw new ArgumentException($"the tariff {versions[i].Tariff.Path} has errors", nameof(versions));
            if (i > 0 && OrderProblem(versions[i].From, versions[i - 1].From, versions[i].Tariff.Path) is { } problem)
                throw new ArgumentException(problem, nameof(versions));
        }
        Versions = [.. versions];
        Accounts = accounts;
    }

    /// <summary>The versions, in the order they apply.</summary>
    public ImmutableArray<TariffVersion> Versions { get; }

    /// <summary>The first version (the tariff the service was started with).</summary>
    public CompiledTariff Tariff => Versions[0].Tariff;

    /// <summary>The contract values of each account.</summary>
    public AccountTable Accounts { get; }

    /// <summary>The first 16 hex digits of the SHA-256 of the first version's text.</summary>
    public string Hash => Versions[0].Hash;

    /// <summary>Which version rates a month (<c>YYYY-MM</c>).</summary>
    public int VersionOf(string month)
    {
        var v = 0;
        while (v + 1 < Versions.Length && string.CompareOrdinal(month, Versions[v + 1].From) >= 0) v++;
        return v;
    }

    /// <summary>The last day a version rates (null for the last version).</summary>
    public DateOnly? LastDayOf(int version) => version + 1 < Versions.Length
        ? Months.FirstDay(Versions[version + 1].From!).AddDays(-1)
        : null;

    /// <summary>Why a later version cannot apply from <paramref name="from"/> after a version from <paramref name="before"/>.</summary>
    private static string? OrderProblem(string? from, string? before, string path) =>
        from is not null && Months.IsMonth(from) && string.CompareOrdinal(from, before) > 0
            ? null
            : $"{path}: a later version applies from a month written YYYY-MM, after the version before it ('{from}')";

    internal static string HashOf(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    /// <summary>An account's contract values (none when the accounts table does not list it).</summary>
    public ImmutableDictionary<string, string> Contract(string account) => Accounts.For(account);

    /// <summary>
    /// Loads the tariff, its later versions (<paramref name="later"/>: from which month, which file) and the accounts file;
    /// a problem with any is a message, not an exception.
    /// </summary>
    public static ServiceTariff? Load(string tariffPath, string? accountsPath, TariffEngine engine, out string? problem,
        IReadOnlyList<(string From, string Path)>? later = null)
    {
        problem = null;
        var versions = new List<TariffVersion>();
        foreach (var (from, path) in ((string? From, string Path)[])[(null, tariffPath),
            .. (later ?? []).Select(l => ((string?)l.From, l.Path))])
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problem = $"{path}: {e.Message}";
                return null;
            }
            var tariff = TariffLang.Tariff.Compile(text, path, engine);
            if (tariff.HasErrors)
            {
                problem = string.Join(Environment.NewLine, tariff.Diagnostics.Select(d => d.ToString()));
                return null;
            }
            if (from is not null && OrderProblem(from, versions[^1].From, path) is { } order)
            {
                problem = order;
                return null;
            }
            versions.Add(new TariffVersion(from, tariff, HashOf(text)));
        }
        var accounts = AccountTable.Empty;
        if (accountsPath is not null)
        {
            var (table, errors) = TariffLang.Tariff.ReadAccounts(accountsPath);
            if (!errors.IsEmpty)
            {
                problem = string.Join(Environment.NewLine, errors);
                return null;
            }
            accounts = table;
        }
        return new ServiceTariff(versions, accounts);
    }
}

/// <summary>A version of the tariff: from which month it rates (null: from the start), the tariff, its content's hash.</summary>
public sealed record TariffVersion(string? From, CompiledTariff Tariff, string Hash);
