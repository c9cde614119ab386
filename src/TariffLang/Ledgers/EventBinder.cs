using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using TariffLang.Runtime;
using TariffLang.Semantics;

namespace TariffLang.Ledgers;

/// <summary>
/// Types a ledger row as an event of the tariff: finds its event, checks its time is one rating supports and not before
/// the tariff's effective date, and parses each attribute into the event's slots. A row that cannot be an event gets
/// the reason it is rejected with. Shared by the in-memory ledger and the streaming reader, so both say the same.
/// </summary>
internal sealed class EventBinder
{
    /// <summary>The years a ledger row or a reported month may fall in: periods are computed in calendar months.</summary>
    public const int MinYear = 1900, MaxYear = 2999;

    private readonly CheckedTariff _tariff;
    private readonly ZoneClock _zone;
    private readonly Dictionary<string, int> _events;
    private readonly string _eventList;

    /// <param name="keyOnlyTexts">The plan's <see cref="RatingPlan.KeyOnlyTexts"/>, for a reader of bytes that can read
    /// those texts as words; by default none is.</param>
    public EventBinder(CheckedTariff tariff, ZoneClock zone, ImmutableArray<ImmutableArray<bool>> keyOnlyTexts = default)
    {
        KeyOnlyTexts = keyOnlyTexts.IsDefault
            ? tariff.Events.Select(e => e.Attributes.Select(_ => false).ToImmutableArray()).ToImmutableArray()
            : keyOnlyTexts;
        _tariff = tariff;
        _zone = zone;
        _events = tariff.Events.ToDictionary(e => e.Name, e => e.Index, StringComparer.Ordinal);
        _eventList = string.Join(", ", tariff.Events.Select(e => e.Name));
        MaxAttributes = tariff.Events.Length == 0 ? 0 : tariff.Events.Max(e => e.Attributes.Length);
        _utf8Names = tariff.Events.Select(e => System.Text.Encoding.UTF8.GetBytes(e.Name)).ToArray();
        _effectiveFrom = tariff.EffectiveFrom;
    }

    private readonly byte[][] _utf8Names;
    private readonly DateOnly? _effectiveFrom;
    private DateOnly _earliest = DateOnly.MinValue, _latest = DateOnly.MaxValue;
    private string _tooEarly = "", _tooLate = "";

    /// <summary>
    /// Sets the dates a row may have in this run: the months rated when they are given, else nothing more than a month
    /// ahead of today. A far-off date is refused on its own row, so it can never stretch the periods of its account, nor
    /// anyone else's.
    /// </summary>
    public EventBinder Bounded(RatingOptions options)
    {
        if (options.From is { } from)
        {
            _earliest = RatingOptions.First(from);
            _tooEarly = $"before the months rated, which start with {Month(_earliest)}";
        }
        if (options.To is { } to)
        {
            _latest = RatingOptions.First(to).AddMonths(1).AddDays(-1);
            _tooLate = $"after the months rated, which end with {Month(_latest)}";
            return this;
        }
        // A month's grace past the current one: clocks, zones and a late export must not reject this month's usage.
        var today = options.Today ?? DateOnly.FromDateTime(DateTime.UtcNow);
        _latest = new DateOnly(today.Year, today.Month, 1).AddMonths(2).AddDays(-1);
        if (options.Month is { } m && RatingOptions.First(m).AddMonths(1).AddDays(-1) > _latest)
            _latest = RatingOptions.First(m).AddMonths(1).AddDays(-1);
        _tooLate = $"in the future (after {Iso(_latest)}): give --to with its month to rate it";
        return this;
    }

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Month(DateOnly d) => d.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public CheckedTariff Tariff => _tariff;

    /// <summary>For each event and attribute: whether it is a text read only as a key (<see cref="RatingPlan.KeyOnlyTexts"/>).</summary>
    public ImmutableArray<ImmutableArray<bool>> KeyOnlyTexts { get; }

    /// <summary>The most attributes any event has: the size of one event's slots.</summary>
    public int MaxAttributes { get; }

    private static readonly long FirstTick = new DateTime(MinYear, 1, 1).Ticks, EndTick = new DateTime(MaxYear + 1, 1, 1).Ticks;

    /// <summary>Whether the time's own calendar year (at its offset) is one rating supports.</summary>
    public static bool InRatingYears(DateTimeOffset time) => time.Ticks >= FirstTick && time.Ticks < EndTick;

    /// <summary>How many attributes (slots) an event kind has.</summary>
    public int AttributeCount(int kind) => _tariff.Events[kind].Attributes.Length;

    /// <summary>The event kind of a name, or -1.</summary>
    public int Kind(string name) => _events.TryGetValue(name, out var kind) ? kind : -1;

    /// <summary>Whether a row counts toward the ledger's first and last days: a time rating supports and an event the tariff
    /// declares.</summary>
    public bool Datable(DateTimeOffset time, string eventName) => InRatingYears(time) && _events.ContainsKey(eventName);

    public DateOnly LocalDate(DateTimeOffset time) => _zone.LocalDate(time);

    /// <summary>Why a row's time or event cannot be rated, or null (then <paramref name="kind"/> and <paramref name="localDate"/> are
    /// set).</summary>
    public string? CheckHead(DateTimeOffset time, string eventName, out int kind, out DateOnly localDate) =>
        CheckHead(time, Kind(eventName), eventName, out kind, out localDate);

    /// <summary>The same checks for an event kind already found (-1: unknown, then <paramref name="eventName"/> names it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string? CheckHead(DateTimeOffset time, int eventKind, string? eventName, out int kind, out DateOnly localDate)
    {
        kind = -1;
        localDate = default;
        // Billing periods are computed in calendar months: keep them far from DateOnly's limits.
        if (!InRatingYears(time)) return
            $"time {time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} is outside the years "
            + $"{MinYear}–{MaxYear} that rating supports";
        kind = eventKind;
        if (kind < 0) return $"unknown event '{eventName}' (the tariff declares: {_eventList})";
        localDate = _zone.LocalDate(time);
        if (_effectiveFrom is { } from && localDate < from)
            return $"before the tariff's effective date {from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
        if (localDate > _latest) return $"dated {Iso(localDate)}, {_tooLate}";
        if (localDate < _earliest) return $"dated {Iso(localDate)}, {_tooEarly}";
        return null;
    }

    /// <summary>The event kind whose name is these UTF-8 bytes, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Kind(ReadOnlySpan<byte> utf8Name)
    {
        for (var k = 0; k < _utf8Names.Length; k++)
        {
            if (utf8Name.SequenceEqual(_utf8Names[k])) return k;
        }
        return -1;
    }

    /// <summary>
    /// Parses a row's attributes (as text) into <paramref name="slots"/> from <paramref name="slotBase"/>, in declaration order.
    /// Returns why the row cannot be this event, or null.
    /// </summary>
    public string? BindAttributes(int kind, IReadOnlyDictionary<string, string> attributes, Value[] slots, int slotBase)
    {
        var symbol = _tariff.Events[kind];
        // Values are trimmed as the ledger readers trim them. A name given is a value, even empty: the readers leave out
        // an empty cell, an example block or a service may mean an empty text.
        foreach (var attribute in symbol.Attributes)
        {
            if (!attributes.TryGetValue(attribute.Name, out var raw))
            {
                slots[slotBase + attribute.Index] = Value.None;
                if (attribute.Type.Optional) continue;
                return NeedsAttribute(symbol, attribute);
            }
            slots[slotBase + attribute.Index] = ValueText.Parse(raw.Trim(), attribute.Type, out var error);
            if (error is not null) return BadAttribute(attribute, error);
        }
        List<string>? unknown = null;
        foreach (var name in attributes.Keys)
        {
            if (symbol.Find(name) is null) (unknown ??= new List<string>()).Add(name);
        }
        return unknown is null ? null : UnknownAttributes(symbol, unknown);
    }

    public static string NeedsAttribute(EventSymbol symbol, AttributeSymbol attribute) =>
        $"event '{symbol.Name}' needs attribute '{attribute.Name}'";

    public static string BadAttribute(AttributeSymbol attribute, string error) => $"attribute '{attribute.Name}': {error}";

    /// <summary>Names are listed in ordinal order, so the message is the same whatever order the columns came in.</summary>
    public static string UnknownAttributes(EventSymbol symbol, List<string> names)
    {
        names.Sort(StringComparer.Ordinal);
        return $"event '{symbol.Name}' has no attribute {string.Join(", ", names.Select(u => "'" + u + "'"))}";
    }
}
