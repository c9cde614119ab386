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

    /// <summary>When set (to <c>new bool[plan.CellCount]</c>) before rating, the table cells the rating read are marked in it.</summary>
    public bool[]? CellsRead { get; init; }

    public RatingResult Rate(Ledger ledger, AccountTable accounts, RatingOptions options, bool explain = false)
    {
        var binder = new EventBinder(_plan.Model, _plan.Zone).Bounded(options);
        var outcomes = new List<RowOutcome>(ledger.RowCount);
        foreach (var error in ledger.Errors) outcomes.Add(new RowOutcome(error.Row, "", "", null, RowOutcomeKind.Rejected, error.Message));

        var byAccount = new Dictionary<string, List<LedgerRow>>(StringComparer.Ordinal);
        foreach (var row in ledger.Rows)
        {
            if (!byAccount.TryGetValue(row.Account, out var rows)) byAccount[row.Account] = rows = new List<LedgerRow>();
            rows.Add(row);
        }

        // Each account is rated over its own rows' months, or over the months rated when they are given: then an account
        // under contract is billed for them even with no usage in them (plan fees, licences, wallet statements).
        var names = byAccount.Keys.Union(options.ExplicitRange ? accounts.Accounts.Keys : [], StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        var invoices = new List<Invoice>();
        var slots = new Value[Math.Max(1, binder.MaxAttributes)];
        foreach (var account in names)
        {
            var rows = byAccount.TryGetValue(account, out var found) ? found : [];
            var sink = new OutcomeList(_plan, account);
            var rater = new AccountRater(_plan, _program, account, accounts.For(account, options.Params), sink, explain);
            DateOnly? last = null;
            var byId = IdRejections(rows, binder, slots);
            try
            {
                foreach (var row in rows.OrderBy(r => r.Time).ThenBy(r => r.Row))
                {
                    if (byId?.TryGetValue(row.Row, out var idReason) == true)
                    {
                        sink.Add(Outcome(row, RowOutcomeKind.Rejected, idReason));
                        continue;
                    }
                    var problem = binder.CheckHead(row.Time, row.Event, out var kind, out var localDate);
                    problem ??= binder.BindAttributes(kind, row.Attributes, slots, 0);
                    if (problem is not null)
                    {
                        sink.Add(Outcome(row, RowOutcomeKind.Rejected, problem));
                        continue;
                    }
                    // Only rows accepted set the account's span: a rejected row never adds a period.
                    if (last is null || localDate > last) last = localDate;
                    rater.Feed(new EventInput(row.Row, kind, row.Time, localDate, row.Quantity, slots, 0));
                }
                rater.Finish(Horizon(last, options), ContractStart(accounts.Accounts.ContainsKey(account), options));
                if (CellsRead is { } read) rater.Context.MarkCellsRead(read);
                invoices.AddRange(rater.Invoices);
                foreach (var period in rater.RejectedPeriods)
                {
                    // Its rows that were rated or free: a row rejected for its own reason keeps it.
                    foreach (var row in rows)
                    {
                        if (!EventBinder.InRatingYears(row.Time) || !period.Rejects(row.Row, binder.LocalDate(row.Time))) continue;
                        if (sink.Outcomes.TryGetValue(row.Row, out var o) && o.Kind == RowOutcomeKind.Rejected) continue;
                        sink.Add(Outcome(row, RowOutcomeKind.Rejected, period.Reason));
                    }
                }
                outcomes.AddRange(sink.Outcomes.Values);
            }
            catch (Exception ex) when (RatingException.IsRatingFailure(ex))
            {
                // Without its contract values, or when a period's charges cannot be computed, the account cannot be rated
                // at all: no invoice, and every row says why (a row not rated for its id keeps that reason).
                var reason = AccountReason(account, ex);
                foreach (var row in rows)
                    outcomes.Add(
                        Outcome(row, RowOutcomeKind.Rejected, byId?.TryGetValue(row.Row, out var idReason) == true ? idReason : reason));
            }
        }

        if (options.Month is { } month)
        {
            var firstDay = new DateOnly(month.Year, month.Month, 1);
            invoices = invoices.Where(i => i.Period.From <= firstDay && firstDay <= i.Period.To).ToList();
            var reported = invoices.GroupBy(i => i.Account, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            // Rows that could not be placed in time stay in every report; others only in their period's.
            outcomes = outcomes.Where(o => o.Time is null || InReportedPeriod(o, reported, firstDay, binder)).ToList();
        }
        return new RatingResult(invoices.ToImmutableArray(), outcomes.OrderBy(o => o.Row).ToImmutableArray());
    }

    /// <summary>
    /// The account's rows that are not rated because of their id (<see cref="IdClaims"/>): only rows that are valid events
    /// claim an id, and the content of a row is looked at only when its id is repeated.
    /// </summary>
    private static Dictionary<int, string>? IdRejections(List<LedgerRow> rows, EventBinder binder, Value[] slots) =>
        IdClaims.Decide(rows, r => r.Id, row =>
        {
            var problem = binder.CheckHead(row.Time, row.Event, out var kind, out _);
            problem ??= binder.BindAttributes(kind, row.Attributes, slots, 0);
            return problem is null ? (row.Row, IdClaims.Content(kind, row.Time, row.Quantity, slots, 0, binder.AttributeCount(kind)))
                : null;
        });

    /// <summary>
    /// How far an account is rated: through the last month rated when it is given, else through its own last accepted row,
    /// or the reported month when that is later. Never through another account's rows.
    /// </summary>
    public static DateOnly? Horizon(DateOnly? last, RatingOptions options)
    {
        if (options.To is { } to) return RatingOptions.First(to);
        if (options.Month is not { } m) return last;
        var month = RatingOptions.First(m);
        return last is null || month > last ? month : last;
    }

    /// <summary>Where an account under contract with no rows starts: the first month rated, when the months are given.</summary>
    public static DateOnly? ContractStart(bool contracted, RatingOptions options) =>
        !contracted ? null
        : options.From is { } from ? RatingOptions.First(from)
        : options.Month is { } m ? RatingOptions.First(m)
        : options.To is { } to ? RatingOptions.First(to)
        : null;

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

    private static RowOutcome Outcome(LedgerRow row, RowOutcomeKind kind, string detail) =>
        new(row.Row, row.Account, row.Event, row.Time, kind, detail);

    /// <summary>One account's row outcomes, by row: a later report of a row replaces an earlier one.</summary>
    private sealed class OutcomeList(RatingPlan plan, string account) : IRowOutcomes
    {
        public Dictionary<int, RowOutcome> Outcomes { get; } = new();

        public void Add(RowOutcome outcome) => Outcomes[outcome.Row] = outcome;

        private RowOutcome Of(in EventInput e, RowOutcomeKind kind, string detail) =>
            new(e.Row, account, plan.Model.Events[e.Kind].Name, e.Time, kind, detail);

        public void Rated(in EventInput e, string detail) => Add(Of(e, RowOutcomeKind.Rated, detail));

        public void Rated(in EventInput e, string detail, ImmutableArray<LineShare> shares) =>
            Add(Of(e, RowOutcomeKind.Rated, detail) with { Shares = shares });

        public void Free(in EventInput e, string reason) => Add(Of(e, RowOutcomeKind.Free, reason));

        public void Rejected(in EventInput e, string reason) => Add(Of(e, RowOutcomeKind.Rejected, reason));
    }
}
