using System.Globalization;
using TariffLang.Semantics;
using TariffLang.Syntax;

namespace TariffLang.Tests.Reference;

/// <summary>A per-event charge line waiting for its period to close: grouped by charge and price there.</summary>
internal readonly record struct PendingEventLine(CheckedEventCharge Charge, decimal Price, EventInstance Event);

/// <summary>
/// What the per-event pipeline of one account reads and writes besides the event itself: the evaluation context
/// (states, windows, the period in hand) and the per-event charge lines the period will bill.
/// </summary>
internal sealed class AccountRunState(EvalContext context)
{
    public EvalContext Context { get; } = context;

    public List<PendingEventLine> PendingEventLines { get; } = new();
}

/// <summary>
/// The per-event pipeline of the rating engine. Both backends implement it: <see cref="InterpretedEventRater"/> walks
/// the model (the reference), the compiled backend generates one method per event kind. Keeping this a seam, rather
/// than shared engine code, is what lets the differential tests catch a bug in either one.
/// </summary>
internal interface IEventRater
{
    /// <summary>
    /// Table cells (<c>for EVENT</c>), reject rules, free rules and per-event charges, seen from the state before the
    /// event. Returns the rejection reason, or null; sets <see cref="EventInstance.FreeReason"/> for a free event, else
    /// adds its per-event lines and their <see cref="EventInstance.RatedBy"/> texts.
    /// </summary>
    string? Classify(AccountRunState s, EventInstance e);

    /// <summary>State operations, windows opened or refreshed, and the event's place among the period's billable ones.</summary>
    void Apply(AccountRunState s, EventInstance e);
}

/// <summary>The reference pipeline: walks the checked model for every event. The compiled one must agree with it row for row.</summary>
internal sealed class InterpretedEventRater(CheckedTariff tariff) : IEventRater
{
    private readonly CheckedTariff _t = tariff;

    public string? Classify(AccountRunState s, EventInstance e)
    {
        var ctx = s.Context;
        foreach (var table in _t.Tables)
        {
            if (table.ForEvent != e.Event) continue;
            var keys = table.Keys.Select(k => e.Values[e.Event.Find(k)!.Index]).ToArray();
            if (!EvalContext.HasCell(table, keys)) return EvalContext.MissingCell(table, keys);
        }
        foreach (var rule in _t.Rules)
        {
            if (rule.Kind != RuleKind.Reject || rule.Event != e.Event || !rule.Validity.Contains(e.LocalDate)) continue;
            if (rule.Condition is null || RuntimeOps.IsTrue(ctx.Eval(rule.Condition))) return rule.Reason;
        }
        foreach (var rule in _t.Rules)
        {
            if (rule.Kind != RuleKind.Free || rule.Event != e.Event || !rule.Validity.Contains(e.LocalDate)) continue;
            if (rule.Condition is null || RuntimeOps.IsTrue(ctx.Eval(rule.Condition)))
            {
                e.FreeReason = rule.Reason;
                return null;
            }
        }
        foreach (var charge in _t.EventCharges)
        {
            if (charge.Event != e.Event || !charge.Validity.Contains(e.LocalDate)) continue;
            if (charge.Condition is not null && !RuntimeOps.IsTrue(ctx.Eval(charge.Condition))) continue;
            if (ctx.Eval(charge.Price) is not decimal price)
                throw new RatingException($"charge '{charge.Label}' has no price for this event");
            s.PendingEventLines.Add(new PendingEventLine(charge, price, e));
            e.RatedBy.Add($"{charge.Label} ({Show(e.Quantity)} × {Show(price)} {_t.Currency})");
        }
        return null;
    }

    public void Apply(AccountRunState s, EventInstance e)
    {
        var ctx = s.Context;
        foreach (var store in ctx.States)
        {
            foreach (var op in store.Symbol.Ops)
            {
                if (op.Event != e.Event) continue;
                if (op.Condition is not null && !RuntimeOps.IsTrue(ctx.Eval(op.Condition))) continue;
                var key = EvalContext.KeyOf(e, store.Symbol.KeyAttribute);
                var value = ctx.Eval(op.Value);
                if (op.Op == StateOpKind.Set)
                {
                    if (op.AtNextPeriod) store.Pending.Add((key, value));
                    else store.Set(key, value);
                }
                else if (op.Op == StateOpKind.Use)
                {
                    // The oracle's reading: an event takes its use times its quantity, but never more than is left.
                    var total = ctx.Eval(store.Symbol.Allowance!) as decimal?;
                    if (total is null || value is not decimal weight) throw new RatingException($"allowance '{store.Symbol.Name}': none");
                    if (weight < 0m) throw new RatingException("negative use");
                    var usedSoFar = store.Get(key) as decimal? ?? 0m;
                    var rest = total.Value - usedSoFar;
                    var taken = rest <= 0m ? 0m : Math.Min(weight * e.Quantity, rest);
                    if (taken == 0m) continue;
                    store.Set(key, usedSoFar + taken);
                    e.RatedBy.Add(
                        $"allowance {store.Symbol.Name} -{taken.ToString(CultureInfo.InvariantCulture)} {store.Symbol.UnitLabel}");
                }
                else
                {
                    if (value is not decimal amount) throw new RatingException($"'{store.Symbol.Name}' cannot change by none");
                    amount *= e.Quantity;
                    if (store.Credits is not null)
                    {
                        var signed = op.Op == StateOpKind.Add ? amount : -amount;
                        var terms = op.Lot ?? LotTerms.Default;
                        if (signed >= 0m) store.Credit(signed, OracleCredits.GoneAt(terms, e.LocalDate, ctx.Zone), terms.Priority);
                        else store.Debit(-signed);
                    }
                    var current = store.Get(key) as decimal? ?? 0m;
                    store.Set(key, op.Op == StateOpKind.Add ? current + amount : current - amount);
                    if (op.Op == StateOpKind.Add) store.Purchases += amount;
                    else store.Debits += amount;
                    if (store.Symbol.Kind == StateKind.Wallet)
                        e.RatedBy.Add(
                            $"wallet {store.Symbol.Name} "
                            + $"{(op.Op == StateOpKind.Add ? "+" : "-")}{amount.ToString(CultureInfo.InvariantCulture)} "
                            + $"{store.Symbol.UnitLabel}");
                }
                if (!e.ChangedStates.Contains(store.Symbol.Index)) e.ChangedStates.Add(store.Symbol.Index);
            }
        }
        foreach (var window in _t.Windows)
        {
            if (window.OpenedBy != e.Event) continue;
            if (window.Condition is not null && !RuntimeOps.IsTrue(ctx.Eval(window.Condition))) continue;
            if (!ctx.Within(window)) ctx.WindowStarts[window.Index][EvalContext.KeyOf(e, window.KeyAttribute)] = e.Time;
            ctx.Windows[window.Index][EvalContext.KeyOf(e, window.KeyAttribute)] = e.Time;
        }
        // Aggregates see every billable event, including those already charged per event or moving a wallet.
        if (e.FreeReason is null) ctx.Period!.Billable[e.Event.Index].Add(e);
    }

    private static string Show(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The oracle's reading of a credit's expiry: gone from the start of the local day N days, months or years later.</summary>
internal static class OracleCredits
{
    public static DateTimeOffset? GoneAt(LotTerms terms, DateOnly added, DateTimeZoneInfo zone)
    {
        if (terms.ExpiryLength is not { } n) return null;
        var day = terms.Unit switch
        {
            ExpiryUnit.Days => added.AddDays(n),
            ExpiryUnit.Months => added.AddMonths(n),
            _ => added.AddYears(n),
        };
        return zone.StartOf(day);
    }

    public static void ExpireAll(EvalContext ctx, DateTimeOffset now)
    {
        foreach (var store in ctx.States) store.ExpireCredits(now);
    }
}
