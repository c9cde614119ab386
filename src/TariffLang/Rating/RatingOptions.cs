namespace TariffLang;

/// <summary>Options of one rating run.</summary>
/// <param name="Params">Contract values that override the accounts file's, for every account (<c>--param</c>).</param>
/// <param name="Month">Only report the period that contains this month (state still runs from the start of the history).</param>
public sealed record RatingOptions(IReadOnlyDictionary<string, string>? Params = null, (int Year, int Month)? Month = null)
{
    /// <summary>The years a ledger row or a reported month may fall in: periods are computed in calendar months.</summary>
    public const int MinYear = Ledgers.EventBinder.MinYear, MaxYear = Ledgers.EventBinder.MaxYear;

    /// <summary>How many threads a streamed rating uses; null means one per core. The result is the same whatever the number.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// For a streamed rating (<c>RateFile</c>): told the share of the ledger file read so far, from 0 to 1, as reading goes
    /// (a second pass, for accounts out of time order, reports again from 0). Called from the reading thread.
    /// </summary>
    public IProgress<double>? Progress { get; init; }

    /// <summary>Stops a streamed rating: it then throws <see cref="OperationCanceledException"/>, between chunks of the ledger.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>
    /// The first month rated (<c>--from</c>): rows dated before it are rejected, and an account under contract with no rows
    /// is billed from it. Null: each account starts with its own first row.
    /// </summary>
    public (int Year, int Month)? From { get; init; }

    /// <summary>
    /// The last month rated (<c>--to</c>): rows dated after it are rejected, and every account is rated through it. Null:
    /// each account is rated through its own last row, and rows more than a month ahead of <see cref="Today"/> are rejected.
    /// </summary>
    public (int Year, int Month)? To { get; init; }

    /// <summary>The day the rating runs, for the "dated in the future" rule; null means today's UTC date.</summary>
    public DateOnly? Today { get; init; }

    /// <summary>Why these options cannot be used, or null.</summary>
    public string? Problem()
    {
        static bool Valid((int Year, int Month)? m) =>
            m is not { } v || (v.Year is >= MinYear and <= MaxYear && v.Month is >= 1 and <= 12);
        if (!Valid(Month) || !Valid(From) || !Valid(To)) return $"a month must be in the years {MinYear}–{MaxYear}";
        if (From is { } f && To is { } t && (f.Year, f.Month).CompareTo((t.Year, t.Month)) > 0)
            return $"the first month rated ({f.Year:D4}-{f.Month:D2}) is after the last ({t.Year:D4}-{t.Month:D2})";
        if (Month is { } m && ((From is { } a && (m.Year, m.Month).CompareTo((a.Year, a.Month)) < 0)
            || (To is { } b && (m.Year, m.Month).CompareTo((b.Year, b.Month)) > 0)))
            return $"the reported month {m.Year:D4}-{m.Month:D2} is outside the months rated";
        return null;
    }

    /// <summary>Whether the months rated are given (<c>--from</c>, <c>--to</c> or <c>--period</c>) rather than derived from each account's
    /// rows.</summary>
    internal bool ExplicitRange => From is not null || To is not null || Month is not null;

    internal static DateOnly First((int Year, int Month) m) => new(m.Year, m.Month, 1);
}
