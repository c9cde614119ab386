using System.Collections.Immutable;


using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Runtime;

namespace TariffLang.Rating;

/// <summary>
/// Rates a ledger held in memory: every row is kept and its outcome reported, so this is the path of the embedding API,
/// of example blocks and of <c>explain</c>. Each account is rated on its own, its rows in time order, by the same
/// <see cref="AccountRater"/> the streaming path uses.
/// </summary>
internal sealed class LedgerRater(RatingPlan plan, RatingProgram program)
{
    private readonly RatingPlan _plan = plan;
    private readonly RatingProgram _program = program;

    public RatingResult Rate(Ledger ledger, AccountTable accounts, RatingOptions options, bool explain = false)
    {
        var binder = new EventBinder(_plan.Model, _plan.Zone);
        var outcomes = new List<RowOutcome>(ledger.RowCount);
        foreach (var error in ledger.Errors) outcomes.Add(new RowOutcome(error.Row, "", "", null, RowOutcomeKind.Rejected, error.Message));

        // An id is unique per event of an account: a repeated id is the same event sent twice, counted once; the copies
        // are rejected. Rows are grouped by account in file order.
        var byAccount = new Dictionary<string, List<LedgerRow>>(StringComparer.Ordinal);
        var firstById = new Dictionary<(string Account, string Id), int>();
        DateOnly? first = null, last = null;
        foreach (var row in ledger.Rows)
        {
            if (row.Id is { } id && !firstById.TryAdd((row.Account, id), row.Row))
            {
                outcomes.Add(Outcome(row, RowOutcomeKind.Rejected, Duplicate(id, firstById[(row.Account, id)])));
                continue;
            }
            if (!byAccount.TryGetValue(row.Account, out var rows)) byAccount[row.Account] = rows = new List<LedgerRow>();
            rows.Add(row);
            // Only rows the tariff can read set the ledger's span: one typo'd date on an unknown event must not bill
            // every account for centuries.
            if (!binder.Datable(row.Time, row.Event)) continue;
            var date = binder.LocalDate(row.Time);
            if (first is null || date < first) first = date;
            if (last is null || date > last) last = date;
        }
        var horizon = Horizon(last, options);

        // An account under contract is billed for the ledger's months even with no usage in it (plan fees, licences,
        // wallet statements); its invoices start with the ledger's first month.
        var names = byAccount.Keys.Union(first is null ? [] : accounts.Accounts.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var invoices = new List<Invoice>();
        var slots = new Value[Math.Max(1, binder.MaxAttributes)];
        foreach (var account in names)
        {
            var rows = byAccount.TryGetValue(account, out var found) ? found : [];
            var sink = new OutcomeList(_plan, account);
            var rater = new AccountRater(_plan, _program, account, accounts.For(account, options.Params), sink, explain);
            try
            {
                foreach (var row in rows.OrderBy(r => r.Time).ThenBy(r => r.Row))
                {
                    var problem = binder.CheckHead(row.Time, row.Event, out var kind, out var localDate);
                    problem ??= binder.BindAttributes(kind, row.Attributes, slots, 0);
                    if (problem is not null)
                    {
                        sink.Add(Outcome(row, RowOutcomeKind.Rejected, problem));
                        continue;
                    }
                    rater.Feed(new EventInput(row.Row, kind, row.Time, localDate, row.Quantity, slots, 0));
                }
                rater.Finish(horizon, accounts.Accounts.ContainsKey(account) ? first : null);
                invoices.AddRange(rater.Invoices);
                outcomes.AddRange(sink.Outcomes.Values);
            }
            catch (Exception ex) when (RatingException.IsRatingFailure(ex))
            {
                // Without its contract values, or when a period's charges cannot be computed, the account cannot be rated
                // at all: no invoice, and every row says why.
                var reason = AccountReason(account, ex);
                foreach (var row in rows) outcomes.Add(Outcome(row, RowOutcomeKind.Rejected, reason));
            }
        }

        if (options.Month is { } month)
        {
            var firstDay = new DateOnly(month.Year, month.Month, 1);
            invoices = invoices.Where(i => i.Period.From <= firstDay && firstDay <= i.Period.To).ToList();
            var reported = invoices.GroupBy(i => i.Account, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            // Rows that could not be placed in time stay in every report; others only in their period's.
            outcomes = outcomes.Where(o => o.Time is null || InReportedPeriod(o, reported, firstDay, binder)).ToList();
        }
        return new RatingResult(invoices.ToImmutableArray(), outcomes.OrderBy(o => o.Row).ToImmutableArray());
    }

    /// <summary>Every account is rated up to the ledger's last day, or the reported month when it is later.</summary>
    public static DateOnly? Horizon(DateOnly? last, RatingOptions options)
    {
        if (options.Month is not { } m) return last;
        if (m.Year is < EventBinder.MinYear or > EventBinder.MaxYear || m.Month is < 1 or > 12)
            throw new ArgumentOutOfRangeException(nameof(options), $"the reported month must be in the years {EventBinder.MinYear}–{EventBinder.MaxYear}");
        var month = new DateOnly(m.Year, m.Month, 1);
        return last is null || month > last ? month : last;
    }

    public static string Duplicate(string id, int firstRow) => $"duplicate id '{id}' (already counted at row {firstRow})";

    public static string AccountReason(string account, Exception ex) =>
        ex is RatingException { AccountWide: true } ? ex.Message : $"account '{account}': {RatingException.Describe(ex)}";

    /// <summary>
    /// Whether a row belongs to the reported period: its account's period containing the month, or, for an account with
    /// no invoice then (every row rejected), the month itself.
    /// </summary>
    private static bool InReportedPeriod(RowOutcome o, Dictionary<string, Invoice> reported, DateOnly month, EventBinder binder)
    {
        if (!EventBinder.InRatingYears(o.Time!.Value)) return false;
        var date = binder.LocalDate(o.Time.Value);
        return reported.TryGetValue(o.Account, out var invoice)
            ? invoice.Period.From <= date && date <= invoice.Period.To
            : date.Year == month.Year && date.Month == month.Month;
    }

    private static RowOutcome Outcome(LedgerRow row, RowOutcomeKind kind, string detail) => new(row.Row, row.Account, row.Event, row.Time, kind, detail);

    /// <summary>One account's row outcomes, by row: a later report of a row replaces an earlier one.</summary>
    private sealed class OutcomeList(RatingPlan plan, string account) : IRowOutcomes
    {
        public Dictionary<int, RowOutcome> Outcomes { get; } = new();

        public void Add(RowOutcome outcome) => Outcomes[outcome.Row] = outcome;

        private RowOutcome Of(in EventInput e, RowOutcomeKind kind, string detail) => new(e.Row, account, plan.Model.Events[e.Kind].Name, e.Time, kind, detail);

        public void Rated(in EventInput e, string detail) => Add(Of(e, RowOutcomeKind.Rated, detail));

        public void Free(in EventInput e, string reason) => Add(Of(e, RowOutcomeKind.Free, reason));

        public void Rejected(in EventInput e, string reason) => Add(Of(e, RowOutcomeKind.Rejected, reason));
    }
}
