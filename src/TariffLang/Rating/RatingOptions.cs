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
}
