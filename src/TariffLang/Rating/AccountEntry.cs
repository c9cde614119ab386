using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Runtime;

namespace TariffLang.Rating;

/// <summary>
/// One account of a streamed rating: its rater, the ids it has seen, and what became of its rows (counts and the rejected
/// ones). Only the thread that holds the account's partition touches it, so it needs no lock.
/// </summary>
internal sealed class AccountEntry(string name, int partition, bool contracted) : IRowOutcomes
{
    public string Name { get; } = name;

    public int Partition { get; } = partition;

    /// <summary>The account is in the accounts table: when the months rated are given, it is invoiced for them even without
    /// usage.</summary>
    public bool Contracted { get; } = contracted;

    /// <summary>The local date of its last accepted row (rows reach it in time order): its own rows, and nobody else's, decide its
    /// periods.</summary>
    public DateOnly? Last;

    public AccountRater? Rater;

    /// <summary>The ids of its valid rows: the first repeated one sends the account to the replay, which decides.</summary>
    public HashSet<string>? Ids;

    /// <summary>
    /// The account is rated again from all its rows, held and sorted: its rows came out of time order, or it could not
    /// be rated (then every one of its rows is rejected with the reason, as the replay finds again).
    /// </summary>
    public bool Replay;

    /// <summary>The account's rows held for the replay, in file order.</summary>
    public HeldRows? Held;

    public int Rated, Free, Rejected;

    public List<(int Row, string Reason, DateOnly? Date)>? Rejections;

    /// <summary>Counts by month (year × 12 + month − 1), kept only when one month is reported.</summary>
    public Dictionary<int, (int Rated, int Free, int Rejected)>? ByMonth;

    public bool CountByMonth;

    public List<Invoice> Invoices { get; } = new();

    public void ResetOutcomes()
    {
        Rated = Free = Rejected = 0;
        Rejections?.Clear();
        ByMonth?.Clear();
        Invoices.Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Record(RowOutcomeKind kind, int row, DateOnly? date, string? reason)
    {
        switch (kind)
        {
            case RowOutcomeKind.Rated:
                Rated++;
                break;
            case RowOutcomeKind.Free:
                Free++;
                break;
            default:
                Rejected++;
                (Rejections ??= new List<(int, string, DateOnly?)>()).Add((row, reason!, date));
                break;
        }
        if (!CountByMonth || date is not { } d) return;
        ByMonth ??= new Dictionary<int, (int, int, int)>();
        var key = d.Year * 12 + d.Month - 1;
        var c = ByMonth.GetValueOrDefault(key);
        ByMonth[key] = kind switch
        {
            RowOutcomeKind.Rated => (c.Rated + 1, c.Free, c.Rejected),
            RowOutcomeKind.Free => (c.Rated, c.Free + 1, c.Rejected),
            _ => (c.Rated, c.Free, c.Rejected + 1),
        };
    }

    void IRowOutcomes.Rated(in EventInput e, string detail) => Record(RowOutcomeKind.Rated, e.Row, e.LocalDate, null);

    void IRowOutcomes.Free(in EventInput e, string reason) => Record(RowOutcomeKind.Free, e.Row, e.LocalDate, null);

    void IRowOutcomes.Rejected(in EventInput e, string reason) => Record(RowOutcomeKind.Rejected, e.Row, e.LocalDate, reason);
}

/// <summary>
/// The accounts of a streamed rating, shared by the parse workers: each finds a row's account here once per account
/// (then in its own cache) and the account keeps its partition for the whole run.
/// </summary>
internal sealed class AccountDirectory(int partitions, AccountTable contracts, bool countByMonth)
{
    private readonly ConcurrentDictionary<string, AccountEntry> _accounts = new(StringComparer.Ordinal);

    public int Partitions { get; } = partitions;

    public AccountEntry Get(string name) => _accounts.GetOrAdd(name, Create);

    public AccountEntry Create(string name) =>
        new(name, PartitionOf(name), contracts.Accounts.ContainsKey(name)) { CountByMonth = countByMonth };

    public ICollection<AccountEntry> Entries => _accounts.Values;

    public bool Contains(string name) => _accounts.ContainsKey(name);

    public void Add(AccountEntry entry) => _accounts.TryAdd(entry.Name, entry);

    /// <summary>A stable hash (FNV-1a over the characters), so a run is scheduled the same way every time.</summary>
    private int PartitionOf(string name)
    {
        var hash = 2166136261u;
        foreach (var c in name) hash = (hash ^ c) * 16777619u;
        return (int)(hash % (uint)Partitions);
    }
}
