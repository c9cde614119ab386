using System.Collections.Immutable;

namespace TariffLang.Ledgers;

/// <summary>
/// One usage row of a ledger, as read: attributes stay text until a tariff types them,
/// so that a bad value is reported against its row instead of stopping the read.
/// </summary>
/// <param name="Row">1-based row number in the file (the CSV header is row 1; the first data row is 2; JSON Lines count from 1).</param>
public sealed record LedgerRow(
    int Row,
    string? Id,
    DateTimeOffset Time,
    string Account,
    string Event,
    decimal Quantity,
    ImmutableDictionary<string, string> Attributes);

/// <summary>A row that could not be read at all (bad time, missing account, bad quantity…).</summary>
public sealed record LedgerError(int Row, string Message);

/// <summary>Everything read from a ledger: good rows in file order, and the rows that failed.</summary>
/// <param name="Problem">What is wrong with the file as a whole (unreadable, empty, not UTF-8, a bad header), if anything.
/// Its data rows, if any, are then all in <paramref name="Errors"/>, each pointing at the problem.</param>
public sealed record Ledger(string Path, ImmutableArray<LedgerRow> Rows, ImmutableArray<LedgerError> Errors, string? Problem = null)
{
    /// <summary>All rows of the file, good or bad.</summary>
    public int RowCount => Rows.Length + Errors.Length;
}

/// <summary>Contract values per account (plan, prices, seniority…), all as text until the tariff types them.</summary>
public sealed record AccountTable(ImmutableDictionary<string, ImmutableDictionary<string, string>> Accounts)
{
    public static readonly AccountTable Empty = new(ImmutableDictionary<string, ImmutableDictionary<string, string>>.Empty);

    /// <summary>The values of one account, with <paramref name="overrides"/> (from <c>--param</c>) on top.</summary>
    public ImmutableDictionary<string, string> For(string account, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var values = Accounts.TryGetValue(account, out var found) ? found : ImmutableDictionary<string, string>.Empty;
        if (overrides is not null)
        {
            foreach (var (key, value) in overrides) values = values.SetItem(key, value);
        }
        return values;
    }
}
