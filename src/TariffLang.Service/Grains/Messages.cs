namespace TariffLang.Service.Grains;

/// <summary>One event for an account's grain: the ledger contract's fields, already read from the request.</summary>
[GenerateSerializer, Immutable]
public sealed class EventMessage
{
    /// <summary>Its id: a repeated id is the same event sent twice, answered with the first outcome and counted once.</summary>
    [Id(0)] public string? Id { get; init; }

    /// <summary>When it happened.</summary>
    [Id(1)] public DateTimeOffset Time { get; init; }

    /// <summary>The event's name.</summary>
    [Id(2)] public string Event { get; init; } = "";

    /// <summary>How many units it stands for.</summary>
    [Id(3)] public decimal Quantity { get; init; } = 1m;

    /// <summary>Its attributes, as text.</summary>
    [Id(4)] public Dictionary<string, string> Attributes { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>What became of one event sent to an account.</summary>
[GenerateSerializer, Immutable]
public sealed class EventAnswer
{
    /// <summary><c>rated</c>, <c>free</c>, <c>rejected</c> or <c>conflict</c> (its id was seen with other content).</summary>
    [Id(0)] public string Outcome { get; init; } = "";

    /// <summary>The free rule's reason, or why it was rejected; the conflict's explanation.</summary>
    [Id(1)] public string? Reason { get; init; }

    /// <summary>The event was a repeat of one already answered: this is that first answer, and it counts once.</summary>
    [Id(2)] public bool Repeated { get; init; }
}

/// <summary>An account's invoices for one month or all, as the contract's invoice JSON objects.</summary>
[GenerateSerializer, Immutable]
public sealed class InvoicesAnswer
{
    /// <summary>A JSON array of invoices, exactly as the batch path writes them.</summary>
    [Id(0)] public string InvoicesJson { get; init; } = "[]";

    /// <summary>Whether every invoice in it is of a closed period (final); false when one is a running preview.</summary>
    [Id(1)] public bool Final { get; init; }

    /// <summary>Why the account cannot be rated, if so.</summary>
    [Id(2)] public string? Failure { get; init; }

    /// <summary>The periods that could not be billed (a value too large, one missing), with why: they have no invoice.</summary>
    [Id(3)] public RejectedPeriodAnswer[] RejectedPeriods { get; init; } = [];
}

/// <summary>A period of the account that could not be billed.</summary>
[GenerateSerializer, Immutable]
public sealed class RejectedPeriodAnswer
{
    /// <summary>The month the period starts in, <c>YYYY-MM</c>.</summary>
    [Id(0)] public string Month { get; init; } = "";

    /// <summary>Why it could not be billed.</summary>
    [Id(1)] public string Reason { get; init; } = "";
}
