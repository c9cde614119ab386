namespace TariffLang.Service.Grains;

/// <summary>
/// What an account's grain persists: the rating state after its last closed month (one per tariff version), the events of the months still open
/// (kept so that a late event can be rated in its place, the open months rated again in time order), the ids it has
/// answered, and the invoices of its closed months.
/// </summary>
[GenerateSerializer]
public sealed class AccountGrainState
{
    /// <summary>The account's rating snapshot after its last closed month, per tariff version (by hash) it has started.</summary>
    [Id(0)] public Dictionary<string, byte[]> Bases { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The last month closed, <c>YYYY-MM</c> (null: none).</summary>
    [Id(1)] public string? ClosedThrough { get; set; }

    /// <summary>The events of the open months, in arrival order.</summary>
    [Id(2)] public List<StoredEvent> Open { get; set; } = new();

    /// <summary>The ids answered in the open months, with the content each was first sent with and that first answer.</summary>
    [Id(3)] public Dictionary<string, SeenId> Ids { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The invoices of the closed months, each as the contract's JSON object (written by the invoice writer).</summary>
    [Id(4)] public List<ClosedInvoice> Closed { get; set; } = new();

    /// <summary>The arrival number of the last event (an event's row number in outcomes).</summary>
    [Id(5)] public int LastSeq { get; set; }

    /// <summary>Whether the account is in the directory of accounts.</summary>
    [Id(6)] public bool Listed { get; set; }

    /// <summary>The closed months' periods that could not be billed.</summary>
    [Id(7)] public List<RejectedPeriodAnswer> ClosedRejections { get; set; } = new();
}

/// <summary>An event of an open month, with its arrival number and local month.</summary>
[GenerateSerializer, Immutable]
public sealed class StoredEvent
{
    /// <summary>Its arrival number.</summary>
    [Id(0)] public int Seq { get; init; }

    /// <summary>The event as it was sent.</summary>
    [Id(1)] public EventMessage Message { get; init; } = new();

    /// <summary>Its month in the tariff's time zone, <c>YYYY-MM</c>.</summary>
    [Id(2)] public string Month { get; init; } = "";
}

/// <summary>An id answered: the content it came with and the answer it got.</summary>
[GenerateSerializer, Immutable]
public sealed class SeenId
{
    /// <summary>A digest of the event's content.</summary>
    [Id(0)] public string Content { get; init; } = "";

    /// <summary>The first answer.</summary>
    [Id(1)] public EventAnswer Answer { get; init; } = new();

    /// <summary>The month of the event, <c>YYYY-MM</c>: ids are kept while their month is open.</summary>
    [Id(2)] public string Month { get; init; } = "";
}

/// <summary>A final invoice.</summary>
[GenerateSerializer, Immutable]
public sealed class ClosedInvoice
{
    /// <summary>The month its period starts in, <c>YYYY-MM</c>.</summary>
    [Id(0)] public string Month { get; init; } = "";

    /// <summary>The invoice's JSON object.</summary>
    [Id(1)] public string Json { get; init; } = "";
}
