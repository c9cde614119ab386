namespace TariffLang.Service.Grains;

/// <summary>One account's rating, keyed by the account's name: the only place its events are rated.</summary>
[Alias("TariffLang.Service.IAccountGrain")]
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>Rates a batch of the account's events (in any order within open periods) and answers each.</summary>
    [Alias("Ingest")]
    Task<EventAnswer[]> Ingest(EventMessage[] events);

    /// <summary>The invoices of one month (<c>YYYY-MM</c>) or, with null, of every month with usage.</summary>
    [Alias("Invoices")]
    Task<InvoicesAnswer> Invoices(string? month);

    /// <summary>Closes every month up to <paramref name="month"/> (<c>YYYY-MM</c>): its invoices become final.</summary>
    [Alias("Close")]
    Task Close(string month);
}

/// <summary>The names of the accounts that have sent events, so that a period can be closed for all of them.</summary>
[Alias("TariffLang.Service.IAccountDirectoryGrain")]
public interface IAccountDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Adds accounts (a name already there is kept once).</summary>
    [Alias("Add")]
    Task Add(string[] accounts);

    /// <summary>Every account added, in ordinal order.</summary>
    [Alias("All")]
    Task<string[]> All();
}

/// <summary>One chunk of an account's event log (keyed <c>N|account</c>): written alone, so a request writes its own events.</summary>
[Alias("TariffLang.Service.IEventChunkGrain")]
public interface IEventChunkGrain : IGrainWithStringKey
{
    /// <summary>The chunk's events.</summary>
    [Alias("Read")]
    Task<StoredEvent[]> Read();

    /// <summary>
    /// Appends events, first dropping those past <paramref name="committed"/> (the account's last committed arrival
    /// number): they were written by a request whose account record was never written, so they were never counted.
    /// </summary>
    [Alias("Append")]
    Task Append(int committed, StoredEvent[] events);

    /// <summary>Replaces the chunk's events (a close compacts the log).</summary>
    [Alias("Replace")]
    Task Replace(StoredEvent[] events);
}
