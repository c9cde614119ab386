namespace TariffLang.Service.Grains;

/// <summary>
/// What an account's grain persists itself: the rating state after its last closed month (one per tariff version), the
/// invoices of its closed months, and how far its event log goes. The events of the open months (kept so that a late
/// event can be rated in its place, and with their ids and first answers) live in the log's chunks
/// (<see cref="EventChunkState"/>), each written on its own: a request writes its new events and this small record,
/// not the whole month so far. This record is the commit point: log events past <see cref="LastSeq"/> are not counted.
/// </summary>
[GenerateSerializer]
public sealed class AccountGrainState
{
    /// <summary>The account's rating snapshot after its last closed month, per tariff version (by hash) it has started.</summary>
    [Id(0)] public Dictionary<string, byte[]> Bases { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The last month closed, <c>YYYY-MM</c> (null: none).</summary>
    [Id(1)] public string? ClosedThrough { get; set; }

    /// <summary>How many chunks the event log has.</summary>
    [Id(2)] public int ChunkCount { get; set; }

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
public sealed record StoredEvent
{
    /// <summary>Its arrival number.</summary>
    [Id(0)] public int Seq { get; init; }

    /// <summary>The event as it was sent.</summary>
    [Id(1)] public EventMessage Message { get; init; } = new();

    /// <summary>Its month in the tariff's time zone, <c>YYYY-MM</c>.</summary>
    [Id(2)] public string Month { get; init; } = "";

    /// <summary>A digest of its content (to tell a re-send of its id from a conflict).</summary>
    [Id(3)] public string Content { get; init; } = "";

    /// <summary>The answer it got when it came (a re-send of its id gets it again).</summary>
    [Id(4)] public EventAnswer? Answer { get; init; }
}

/// <summary>One chunk of an account's event log: up to <see cref="EventChunkState.Size"/> events, in arrival order.</summary>
[GenerateSerializer]
public sealed class EventChunkState
{
    /// <summary>How many events a chunk holds.</summary>
    public const int Size = 1000;

    /// <summary>The events.</summary>
    [Id(0)] public List<StoredEvent> Events { get; set; } = new();
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
