using System.Collections.Immutable;

namespace TariffLang.Invoicing;

/// <summary>A billing period: local dates in the tariff's time zone, <see cref="To"/> inclusive.</summary>
public sealed record BillingPeriod(DateOnly From, DateOnly To);

/// <summary>One line of an invoice. Amounts are rounded to the currency's minor unit.</summary>
public sealed record InvoiceLine(string Label, decimal Quantity, string Unit, decimal? UnitPrice, decimal Amount)
{
    /// <summary>For a line of a tiered charge: the band it prices (null otherwise).</summary>
    public InvoiceBand? Band { get; init; }

    /// <summary>
    /// The amount before it was rounded to the currency's minor unit (quantity × unit price, or the charge's amount as
    /// computed). Set only by a rating that explains (<c>tariff explain</c>); null otherwise and in the invoice JSON.
    /// </summary>
    public decimal? Unrounded { get; init; }
}

/// <summary>The band of a tiered charge a line prices: quantities above <paramref name="From"/> up to <paramref name="To"/>.</summary>
/// <param name="From">The band's lower bound (exclusive; 0 for the first band).</param>
/// <param name="To">The band's upper bound (inclusive), or null for the open last band.</param>
/// <param name="FlatFee">The band's flat fee, included in the line's amount (0 when it has none).</param>
public sealed record InvoiceBand(decimal From, decimal? To, decimal FlatFee);

/// <summary>
/// The movements of a prepaid wallet over one period: <see cref="Closing"/> = <see cref="Opening"/> + <see cref="Grants"/>
/// + <see cref="Purchases"/> − <see cref="Debits"/> − <see cref="Expired"/>.
/// </summary>
public sealed record WalletStatement(string Wallet, string Unit, decimal Opening, decimal Grants, decimal Purchases, decimal Debits,
    decimal Closing)
{
    /// <summary>What expired in the period; null for a wallet whose credits never expire.</summary>
    public decimal? Expired { get; init; }

    /// <summary>The period's grants by label, in the order they landed (empty when none).</summary>
    public ImmutableArray<WalletGrant> GrantItems { get; init; } = [];
}

/// <summary>One grant's credit on a wallet statement.</summary>
/// <param name="Label">The grant's label in the tariff.</param>
/// <param name="Amount">What it added in the period, in the wallet's unit.</param>
public sealed record WalletGrant(string Label, decimal Amount);

/// <summary>What one account owes for one period.</summary>
public sealed record Invoice(
    string Account,
    BillingPeriod Period,
    string Currency,
    string? Plan,
    ImmutableArray<InvoiceLine> Lines,
    decimal Total,
    ImmutableArray<WalletStatement> Wallets)
{
    /// <summary>The taxes of the period, one per tax the tariff declares; null when it declares none.</summary>
    public ImmutableArray<InvoiceTax>? Taxes { get; init; }

    /// <summary>Whether the tariff's prices include tax (<c>currency EUR including tax</c>): the taxes are then the part of
    /// <see cref="Total"/> they make up, not an addition to it.</summary>
    public bool PricesIncludeTax { get; init; }

    /// <summary>The sum of the taxes (0 without any).</summary>
    public decimal TotalTax
    {
        get
        {
            var sum = 0m;
            if (Taxes is { } taxes)
            {
                foreach (var tax in taxes) sum += tax.Amount;
            }
            return sum;
        }
    }

    /// <summary>The total without tax.</summary>
    public decimal TotalExcludingTax => PricesIncludeTax ? Total - TotalTax : Total;

    /// <summary>The total with tax.</summary>
    public decimal TotalIncludingTax => PricesIncludeTax ? Total : Total + TotalTax;
}

/// <summary>One tax of an invoice: its rate (0.2 for 20 %), the amount of the lines it applies to, and the tax.</summary>
/// <param name="Label">The tax's label in the tariff.</param>
/// <param name="Rate">The rate as a fraction.</param>
/// <param name="Base">The sum of the lines it applies to, as priced (including tax when prices include it).</param>
/// <param name="Amount">The tax, rounded to the currency's minor unit (per line or on the base, as the tariff says).</param>
public sealed record InvoiceTax(string Label, decimal Rate, decimal Base, decimal Amount);

/// <summary>How a ledger row ended.</summary>
public enum RowOutcomeKind
{
    Rated,
    Free,
    Rejected,
}

/// <summary>What became of one ledger row: the lines that rated it, the rule that made it free, or why it was rejected.</summary>
public sealed record RowOutcome(int Row, string Account, string Event, DateTimeOffset? Time, RowOutcomeKind Kind, string Detail)
{
    /// <summary>
    /// For a rated row of a rating that explains: its share of each invoice line it fed. The shares of a line add up to
    /// its amount to the minor unit; see <see cref="LineShare"/> for how a line is divided.
    /// </summary>
    public ImmutableArray<LineShare> Shares { get; init; } = [];
}

/// <summary>
/// A row's share of an invoice line. A per-event line is divided in proportion to each row's own amount (quantity ×
/// price); a period line in proportion to what each row is of the charge's aggregates (the quantity counted, the value
/// summed, one for a distinct value, a minimum or a maximum) or, for a charge that reads only states, equally among the
/// rows that changed them; a tiered charge's bands are divided together, as one amount. Amounts are divided in minor
/// units, the remainder going to the largest fractions (then the earliest rows), so the shares add up to the line.
/// A share is an attribution, not a cause: an event that lowers a charge (an appointment that takes an SMS off the bill)
/// is still a row that fed it.
/// </summary>
/// <param name="Period">The first day of the invoice's period.</param>
/// <param name="Label">The line's label; a tiered charge's label without its band.</param>
/// <param name="Amount">The row's share of the amount.</param>
/// <param name="Of">The amount divided: the line's (or the tiered charge's lines') amount.</param>
public sealed record LineShare(DateOnly Period, string Label, decimal Amount, decimal Of);

/// <summary>A rejected row with its reason, as the invoice JSON lists it.</summary>
public sealed record RejectedRow(int Row, string Reason);

/// <summary>
/// A billing period of an account that could not be billed (its charges overflow, a value they need is missing): it has no
/// invoice, its rows are rejected with <paramref name="Reason"/>, and the account's other periods are billed as usual.
/// </summary>
public sealed record RejectedPeriod(string Account, BillingPeriod Period, string Reason)
{
    /// <summary>Whether a row of the account dated <paramref name="date"/> (local date) falls in the period.</summary>
    public bool Contains(DateOnly date) => Period.From <= date && date <= Period.To;

    /// <summary>
    /// Rows dated after the period that fed its groups (<c>charge "L" by KEY whole within D</c>): they are rejected with
    /// the period's reason too, since what they were billed for is in it.
    /// </summary>
    public ImmutableArray<int> LaterRows { get; init; } = [];

    /// <summary>Whether the row numbered <paramref name="row"/>, dated <paramref name="date"/>, is rejected with the period.</summary>
    public bool Rejects(int row, DateOnly date) => Contains(date) || LaterRows.Contains(row);
}

/// <summary>Every row of the ledger counted once: <c>Rows == Rated + Free + Rejected</c>.</summary>
public sealed record Accounting(int Rows, int Rated, int Free, int Rejected);

/// <summary>
/// The invoices of a rating run, and what happened to every row: the rejected rows with their reasons and the accounting
/// that adds them up. <see cref="Outcomes"/> holds every row's outcome when the run kept them (an in-memory ledger,
/// <c>explain</c>); a streamed run keeps only the rejected rows and the counts, so its memory does not grow with rows.
/// </summary>
public sealed class RatingResult
{
    /// <summary>A result that keeps every row's outcome; the rejected rows and the accounting are derived from them.</summary>
    public RatingResult(ImmutableArray<Invoice> invoices, ImmutableArray<RowOutcome> outcomes)
    {
        Invoices = invoices.IsDefault ? ImmutableArray<Invoice>.Empty : invoices;
        Outcomes = outcomes.IsDefault ? ImmutableArray<RowOutcome>.Empty : outcomes;
        Rejected = Outcomes.Where(o => o.Kind == RowOutcomeKind.Rejected).OrderBy(o => o.Row).Select(o => new RejectedRow(o.Row, o.Detail))
            .ToImmutableArray();
        Accounting = new Accounting(
            Outcomes.Length,
            Outcomes.Count(o => o.Kind == RowOutcomeKind.Rated),
            Outcomes.Count(o => o.Kind == RowOutcomeKind.Free),
            Outcomes.Count(o => o.Kind == RowOutcomeKind.Rejected));
    }

    /// <summary>A result without the outcome of every row: the rejected rows (by row) and the counts.</summary>
    public RatingResult(ImmutableArray<Invoice> invoices, ImmutableArray<RejectedRow> rejected, Accounting accounting)
    {
        Invoices = invoices;
        Outcomes = ImmutableArray<RowOutcome>.Empty;
        Rejected = rejected;
        Accounting = accounting;
    }

    /// <summary>One invoice per account and period, by account (ordinal), then period.</summary>
    public ImmutableArray<Invoice> Invoices { get; }

    /// <summary>Every row's outcome, by row; empty when the run kept only the rejected rows and the counts.</summary>
    public ImmutableArray<RowOutcome> Outcomes { get; }

    /// <summary>The rejected rows, by row, with their reasons.</summary>
    public ImmutableArray<RejectedRow> Rejected { get; }

    /// <summary>Every row counted once: rated, free or rejected.</summary>
    public Accounting Accounting { get; }

    /// <summary>
    /// The reasons that say an account lacks a contract value the tariff needs (one per account and parameter): every row
    /// of such an account is rejected with it.
    /// </summary>
    public IReadOnlyList<string> MissingParameters => MissingParameterRows.Select(r => r.Key).ToList();

    /// <summary>
    /// Each reason of <see cref="MissingParameters"/>, in the same order, with how many rows it rejected: an account without
    /// its contract value has all its rows rejected, and a run without the accounts file rejects every row of the ledger.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, int>> MissingParameterRows => _missing ??= CountMissingParameters();

    private IReadOnlyList<KeyValuePair<string, int>>? _missing;

    private List<KeyValuePair<string, int>> CountMissingParameters()
    {
        // One pass, whatever the number of accounts: a missing value's rows all carry the account's one string, so most
        // look-ups are by reference; equal texts from different strings still count as one reason. Only those strings
        // are remembered: other reasons (a bad value) are often a string per row.
        var byInstance = new Dictionary<string, int>(ReferenceEqualityComparer.Instance);
        var byText = new Dictionary<string, int>(StringComparer.Ordinal);
        var counts = new List<KeyValuePair<string, int>>();
        foreach (var row in Rejected)
        {
            if (!byInstance.TryGetValue(row.Reason, out var index))
            {
                if (!row.Reason.Contains(Runtime.RatingContext.MissingParameterText, StringComparison.Ordinal)) continue;
                if (!byText.TryGetValue(row.Reason, out index))
                {
                    index = counts.Count;
                    byText.Add(row.Reason, index);
                    counts.Add(new KeyValuePair<string, int>(row.Reason, 0));
                }
                byInstance.Add(row.Reason, index);
            }
            counts[index] = new KeyValuePair<string, int>(counts[index].Key, counts[index].Value + 1);
        }
        return counts;
    }

    /// <summary>How many rows were rejected for a reason other than being an identical re-send of a row already counted.</summary>
    public int Problems => Rejected.Count(r => !Rating.IdClaims.IsDuplicate(r.Reason));

    /// <summary>How many rows were rejected because their id conflicts: the same id with different content.</summary>
    public int Conflicts => Rejected.Count(r => Rating.IdClaims.IsConflict(r.Reason));

    /// <summary>What is wrong with the ledger as a whole (unreadable, not UTF-8, a bad header), if anything.</summary>
    public string? Problem { get; init; }

    /// <summary>How a streamed rating went (threads, accounts replayed, rows held); null for a ledger rated in memory.</summary>
    public RatingStatistics? Statistics { get; init; }
}

/// <summary>
/// How a streamed rating went. Accounts whose rows came out of time order (or that could not be rated) were replayed:
/// the ledger was read a second time for them, and their rows held in memory, compactly, to be sorted.
/// </summary>
/// <param name="Threads">The worker threads that read and rated the ledger.</param>
/// <param name="ReplayedAccounts">The accounts rated again from their held rows.</param>
/// <param name="HeldRows">The rows held for those accounts.</param>
/// <param name="HeldBytes">The memory those rows took, in bytes.</param>
public sealed record RatingStatistics(int Threads, int ReplayedAccounts, long HeldRows, long HeldBytes);
