using System.Runtime.CompilerServices;
using NodaTime;

namespace TariffLang.Runtime;

/// <summary>
/// The tariff's time zone, with the conversions rating needs. Every event's local date is computed here, so the common
/// case is made cheap: the zone interval (a span of time with one UTC offset) of the last conversion is kept, and an
/// instant inside it needs only an addition. The cache is an immutable object swapped whole, so one clock can be shared
/// by threads.
/// </summary>
internal sealed class ZoneClock(DateTimeZone zone)
{
    private sealed record Interval(long StartUtcTicks, long EndUtcTicks, long OffsetTicks);

    private Interval _last = new(0, 0, 0);

    public DateTimeZone Zone { get; } = zone;

    /// <summary>The local calendar date of an instant in the tariff's zone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public DateOnly LocalDate(DateTimeOffset t)
    {
        var utc = t.UtcTicks;
        var cached = _last;
        if (utc < cached.StartUtcTicks || utc >= cached.EndUtcTicks) _last = cached = Lookup(t);
        var local = utc + cached.OffsetTicks;
        // Near the ends of the calendar the arithmetic could leave DateOnly's range: NodaTime decides (and fails) there.
        if (local < TimeSpan.TicksPerDay || local >= DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay)
            return Instant.FromDateTimeOffset(t).InZone(Zone).Date.ToDateOnly();
        return DateOnly.FromDayNumber((int)(local / TimeSpan.TicksPerDay));
    }

    /// <summary>The wall-clock time of day of an instant in the tariff's zone (22:30 in Paris for 21:30Z in winter).</summary>
    public TimeSpan TimeOfDay(DateTimeOffset t)
    {
        var utc = t.UtcTicks;
        var cached = _last;
        if (utc < cached.StartUtcTicks || utc >= cached.EndUtcTicks) _last = cached = Lookup(t);
        var local = utc + cached.OffsetTicks;
        if (local < TimeSpan.TicksPerDay || local >= DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay)
            return Instant.FromDateTimeOffset(t).InZone(Zone).TimeOfDay.ToTimeOnly().ToTimeSpan();
        return TimeSpan.FromTicks(local % TimeSpan.TicksPerDay);
    }

    private Interval Lookup(DateTimeOffset t)
    {
        var interval = Zone.GetZoneInterval(Instant.FromDateTimeOffset(t));
        var start = interval.HasStart ? ClampToTicks(interval.Start) : long.MinValue;
        var end = interval.HasEnd ? ClampToTicks(interval.End) : long.MaxValue;
        return new Interval(start, end, interval.WallOffset.Ticks);
    }

    private static long ClampToTicks(Instant instant)
    {
        if (instant <= Instant.FromDateTimeOffset(DateTimeOffset.MinValue)) return long.MinValue;
        if (instant >= Instant.FromDateTimeOffset(DateTimeOffset.MaxValue)) return long.MaxValue;
        return instant.ToDateTimeOffset().UtcTicks;
    }

    /// <summary>The instant a local date starts (midnight, or the first valid moment after a gap).</summary>
    public DateTimeOffset StartOf(DateOnly date) => Zone.AtStartOfDay(NodaTime.LocalDate.FromDateOnly(date)).ToDateTimeOffset();
}
