using System.Collections.Immutable;

namespace TariffLang.Invoicing;

/// <summary>A billing period: local dates in the tariff's time zone, <see cref="To"/> inclusive.</summary>
public sealed record BillingPeriod(DateOnly From, DateOnly To);

/// <summary>One line of an invoice. Amounts are rounded to the currency's minor unit.</summary>
public sealed record InvoiceLine(string Label, decimal Quantity, string Unit, decimal? UnitPrice, decimal Amount);

/// <summary>The movements of a prepaid wallet over one period.</summary>
public sealed record WalletStatement(string Wallet, string Unit, decimal Opening, decimal Grants, decimal Purchases, decimal Debits, decimal Closing);

/// <summary>What one account owes for one period.</summary>
public sealed record Invoice(
    string Account,
    BillingPeriod Period,
    string Currency,
    string? Plan,
    ImmutableArray<InvoiceLine> Lines,
    decimal Total,
    ImmutableArray<WalletStatement> Wallets);

/// <summary>How a ledger row ended.</summary>
public enum RowOutcomeKind
{
    Rated,
    Free,
    Rejected,
}

/// <summary>What became of one ledger row: the lines that rated it, the rule that made it free, or why it was rejected.</summary>
public sealed record RowOutcome(int Row, string Account, string Event, DateTimeOffset? Time, RowOutcomeKind Kind, string Detail);

/// <summary>A rejected row with its reason, as the invoice JSON lists it.</summary>
public sealed record RejectedRow(int Row, string Reason);

/// <summary>Every row of the ledger counted once: <c>Rows == Rated + Free + Rejected</c>.</summary>
public sealed record Accounting(int Rows, int Rated, int Free, int Rejected);

/// <summary>The invoices of a rating run, and what happened to every row.</summary>
public sealed record RatingResult(ImmutableArray<Invoice> Invoices, ImmutableArray<RowOutcome> Outcomes)
{
    public ImmutableArray<RejectedRow> Rejected =>
        Outcomes.Where(o => o.Kind == RowOutcomeKind.Rejected).OrderBy(o => o.Row).Select(o => new RejectedRow(o.Row, o.Detail)).ToImmutableArray();

    public Accounting Accounting => new(
        Outcomes.Length,
        Outcomes.Count(o => o.Kind == RowOutcomeKind.Rated),
        Outcomes.Count(o => o.Kind == RowOutcomeKind.Free),
        Outcomes.Count(o => o.Kind == RowOutcomeKind.Rejected));
}
