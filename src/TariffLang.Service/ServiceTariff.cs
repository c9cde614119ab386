using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using TariffLang.Ledgers;

namespace TariffLang.Service;

/// <summary>
/// The tariff a silo rates with, and the accounts' contract values: read once when the silo starts, from files no request
/// can write. Every silo of a cluster is started with the same files; <see cref="Hash"/> names the tariff's content.
/// </summary>
public sealed class ServiceTariff
{
    /// <summary>Reads a compiled tariff's text and the accounts table it rates with.</summary>
    public ServiceTariff(CompiledTariff tariff, string text, AccountTable accounts)
    {
        ArgumentNullException.ThrowIfNull(tariff);
        if (tariff.HasErrors) throw new ArgumentException($"the tariff {tariff.Path} has errors", nameof(tariff));
        Tariff = tariff;
        Accounts = accounts;
        Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>The tariff.</summary>
    public CompiledTariff Tariff { get; }

    /// <summary>The contract values of each account.</summary>
    public AccountTable Accounts { get; }

    /// <summary>The first 16 hex digits of the SHA-256 of the tariff's text.</summary>
    public string Hash { get; }

    /// <summary>An account's contract values (none when the accounts table does not list it).</summary>
    public ImmutableDictionary<string, string> Contract(string account) => Accounts.For(account);

    /// <summary>Loads the tariff and accounts files; a problem with either is a message, not an exception.</summary>
    public static ServiceTariff? Load(string tariffPath, string? accountsPath, TariffEngine engine, out string? problem)
    {
        problem = null;
        string text;
        try
        {
            text = File.ReadAllText(tariffPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"{tariffPath}: {e.Message}";
            return null;
        }
        var tariff = TariffLang.Tariff.Compile(text, tariffPath, engine);
        if (tariff.HasErrors)
        {
            problem = string.Join(Environment.NewLine, tariff.Diagnostics.Select(d => d.ToString()));
            return null;
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
        return new ServiceTariff(tariff, text, accounts);
    }
}
