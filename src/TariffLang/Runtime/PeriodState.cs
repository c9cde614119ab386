using System.Runtime.ExceptionServices;
using TariffLang.Semantics;

namespace TariffLang.Runtime;

/// <summary>The months in which a value was seen, as bits (month 0 is bit 0); periods longer than 64 months spill over.</summary>
internal struct MonthBits
{
    private ulong _low;
    private ulong[]? _high;

    public void Add(int month)
    {
        if (month < 64)
        {
            _low |= 1UL << month;
            return;
        }
        var word = (month >> 6) - 1;
        if (_high is null || _high.Length <= word) Array.Resize(ref _high, word + 1);
        _high[word] |= 1UL << (month & 63);
    }

    public readonly bool Any(MonthRange range)
    {
        for (var m = range.First; m <= range.Last; m++)
        {
            if (m < 64 ? (_low & (1UL << m)) != 0
                : _high is { } high && (m >> 6) - 1 < high.Length && (high[(m >> 6) - 1] & (1UL << (m & 63))) != 0)
                return true;
        }
        return false;
    }

    internal readonly (ulong Low, ulong[]? High) Bits => (_low, _high);

    internal static MonthBits From(ulong low, ulong[]? high) => new() { _low = low, _high = high };
}

/// <summary>
/// One period aggregate of one account, folded as the period's events arrive, month by month: a charge that covers only
/// some months of the period (versions) reads only those. A failure while folding (a division by zero in its value, a
/// missing parameter) is kept and raised when a charge reads the aggregate at the period's close, as if the events had
/// been walked then.
/// </summary>
internal sealed class AggregateAccumulator(AggregateKind kind)
{
    private decimal[] _totals = new decimal[1];
    private decimal?[] _best = new decimal?[1];
    // The months an event of the group was folded in, for an aggregate by KEY: a charge bills the groups of its months only.
    private bool[] _seen = new bool[1];
    private Exception?[]? _faults;
    private DistinctValues? _distinct;
    private int _months = 1;

    public AggregateKind Kind { get; } = kind;

    public void Reset(int months)
    {
        _months = months;
        if (_totals.Length < months)
        {
            _totals = new decimal[months];
            _best = new decimal?[months];
            _seen = new bool[months];
        }
        else
        {
            Array.Clear(_totals, 0, months);
            Array.Clear(_best, 0, months);
            Array.Clear(_seen, 0, months);
        }
        _faults = null;
        _distinct?.Reset(months);
    }

    public bool Faulted(int month) => _faults is { } f && f[month] is not null;

    public void Fault(int month, Exception e)
    {
        _faults ??= new Exception?[_months];
        _faults[month] ??= e;
    }

    public void AddTotal(int month, decimal amount) => _totals[month] += amount;

    /// <summary>An event of the group was folded in the month (its value may have been none).</summary>
    public void Mark(int month) => _seen[month] = true;

    /// <summary>Whether an event of the group was folded in one of the months.</summary>
    public bool SeenIn(MonthRange months)
    {
        for (var m = months.First; m <= months.Last; m++)
        {
            if (_seen[m]) return true;
        }
        return false;
    }

    public void Min(int month, decimal value) => _best[month] = _best[month] is { } b ? Math.Min(b, value) : value;

    public void Max(int month, decimal value) => _best[month] = _best[month] is { } b ? Math.Max(b, value) : value;

    public void AddDistinct(int month, in Value key)
    {
        if (_distinct is null)
        {
            _distinct = new DistinctValues();
            _distinct.Reset(_months);
        }
        _distinct.Add(month, key);
    }

    /// <summary>Raises the first failure of the covered months, if any.</summary>
    public void ThrowIfFaulted(MonthRange months)
    {
        if (_faults is null) return;
        for (var m = months.First; m <= months.Last; m++)
        {
            if (_faults[m] is { } e) ExceptionDispatchInfo.Throw(e);
        }
    }

    /// <summary>The aggregate's value over the covered months.</summary>
    public decimal Value(MonthRange months)
    {
        ThrowIfFaulted(months);
        switch (Kind)
        {
            case AggregateKind.Count or AggregateKind.Sum:
            {
                var total = 0m;
                for (var m = months.First; m <= months.Last; m++) total += _totals[m];
                return total;
            }
            case AggregateKind.Distinct:
            {
                return _distinct?.CountIn(months) ?? 0;
            }
            default:
            {
                decimal? best = null;
                for (var m = months.First; m <= months.Last; m++)
                {
                    if (_best[m] is not { } v) continue;
                    best = best is not { } b ? v : Kind == AggregateKind.Min ? Math.Min(b, v) : Math.Max(b, v);
                }
                return best ?? 0m;
            }
        }
    }

    public void Save(BlockWriter w)
    {
        w.VarUInt((ulong)_months);
        for (var m = 0; m < _months; m++)
        {
            w.Decimal(_totals[m]);
            w.Byte((byte)((_best[m] is null ? 0 : 1) | (_seen[m] ? 2 : 0)));
            if (_best[m] is { } b) w.Decimal(b);
            var fault = _faults?[m];
            // A failure is kept as what it says and whether it stops the whole account: that is all the close reads of it.
            w.Byte(fault switch { null => 0, OverflowException => 1, RatingException { AccountWide: true } => 2, _ => 3 });
            if (fault is RatingException) w.String(fault.Message);
        }
        w.VarUInt((ulong)(_distinct?.Count ?? 0));
        if (_distinct is null) return;
        foreach (var (key, bits) in _distinct.Pairs())
        {
            ValueCodec.Write(w, key);
            var (low, high) = bits.Bits;
            w.Int64((long)low);
            w.VarUInt((ulong)(high?.Length ?? 0));
            foreach (var word in high ?? []) w.Int64((long)word);
        }
    }

    public void Load(BlockReader r)
    {
        Reset(checked((int)r.VarUInt()));
        for (var m = 0; m < _months; m++)
        {
            _totals[m] = r.Decimal();
            var flags = r.Byte();
            _best[m] = (flags & 1) != 0 ? r.Decimal() : null;
            _seen[m] = (flags & 2) != 0;
            switch (r.Byte())
            {
                case 1: Fault(m, new OverflowException()); break;
                case 2: Fault(m, new RatingException(r.String(), accountWide: true)); break;
                case 3: Fault(m, new RatingException(r.String())); break;
            }
        }
        for (var n = (int)r.VarUInt(); n > 0; n--)
        {
            var key = ValueCodec.Read(r);
            var low = (ulong)r.Int64();
            var high = new ulong[(int)r.VarUInt()];
            for (var i = 0; i < high.Length; i++) high[i] = (ulong)r.Int64();
            if (_distinct is null)
            {
                _distinct = new DistinctValues();
                _distinct.Reset(_months);
            }
            _distinct.Restore(key, MonthBits.From(low, high.Length == 0 ? null : high));
        }
    }
}

/// <summary>A per-event charge line of the open period: one per charge and price (by value), in order of first use.</summary>
internal sealed class EventLineGroup(int charge, decimal price)
{
    public int Charge { get; } = charge;

    /// <summary>The price of the first event of the group: 0.085 and 0.0850 are one group, shown as the first was.</summary>
    public decimal Price { get; } = price;

    public decimal Quantity { get; set; }
}

/// <summary>The period being rated for one account: its bounds, the months each charge covers, its accumulators.</summary>
internal sealed class PeriodState
{
    public PeriodState(RatingPlan plan)
    {
        Accumulators = plan.Aggregates.Select(a => new AggregateAccumulator(a.Aggregate.Kind)).ToArray();
        ChargeMonths = new MonthRange?[plan.Charges.Length];
        AggregateClaims = plan.Aggregates.Select(_ => new bool[1]).ToArray();
        StateClaimLast = new int[plan.Model.States.Length];
        LetValues = new Value[plan.Model.Lets.Length];
        LetCached = new bool[plan.Model.Lets.Length];
        Groups = plan.Aggregates.Select(a => a.GroupAttribute is null ? null : new KeyMap<AggregateAccumulator>()).ToArray();
        GroupOrder = plan.Aggregates.Select(a => a.GroupAttribute is null ? null : new List<Value>()).ToArray();
    }

    /// <summary>For an aggregate of a charge by KEY: one accumulator per value of the key, and the values in order of arrival.</summary>
    public KeyMap<AggregateAccumulator>?[] Groups { get; }

    public List<Value>?[] GroupOrder { get; }

    /// <summary>The group a charge by KEY is being evaluated for at the close (its aggregates read that group only).</summary>
    public Value CurrentGroup { get; set; }

    /// <summary>The accumulator of one group of an aggregate by KEY, created empty at its first event.</summary>
    public AggregateAccumulator Group(int aggregate, in Value key)
    {
        ref var accumulator = ref Groups[aggregate]!.GetValueRefOrAddDefault(key, out var existed);
        if (!existed)
        {
            accumulator = new AggregateAccumulator(Accumulators[aggregate].Kind);
            accumulator.Reset(Months);
            GroupOrder[aggregate]!.Add(key);
        }
        return accumulator;
    }

    /// <summary>The value of one group of an aggregate by KEY over the covered months (0 for a group without its events).</summary>
    public decimal GroupValue(int aggregate, in Value key)
    {
        Accumulators[aggregate].ThrowIfFaulted(Covered);
        return Groups[aggregate]!.TryGetValue(key, out var accumulator) ? accumulator.Value(Covered) : 0m;
    }

    public DateOnly From { get; private set; }

    public DateOnly To { get; private set; }

    public int Months { get; private set; }

    /// <summary>1 for the account's first period, then 2, 3…: at most <see cref="AccountRater.MaxPeriods"/>.</summary>
    public int Number { get; private set; }

    public AggregateAccumulator[] Accumulators { get; }

    /// <summary>The months of this period each charge covers (null: the charge does not apply in this period).</summary>
    public MonthRange?[] ChargeMonths { get; }

    public List<EventLineGroup> EventLines { get; } = new();

    /// <summary>For each aggregate and month: whether a charge that reads the aggregate covers that month (its events are rated).</summary>
    public bool[][] AggregateClaims { get; }

    /// <summary>For each state: the last month a charge that reads it (peak, level) covers, or -1: a change up to then is rated.</summary>
    public int[] StateClaimLast { get; }

    /// <summary>The months the charge being evaluated at the close covers: aggregates, peaks and period_months() read those.</summary>
    public MonthRange Covered { get; private set; }

    public Value[] LetValues { get; }

    public bool[] LetCached { get; }

    public void Open(RatingPlan plan, DateOnly from, int months, int number)
    {
        From = from;
        Months = months;
        To = from.AddMonths(months).AddDays(-1);
        Number = number;
        foreach (var a in Accumulators) a.Reset(months);
        for (var a = 0; a < Groups.Length; a++)
        {
            Groups[a]?.Clear();
            GroupOrder[a]?.Clear();
        }
        EventLines.Clear();
        Array.Clear(LetCached);
        Covered = new MonthRange(0, months - 1);
        for (var c = 0; c < plan.Charges.Length; c++) ChargeMonths[c] = MonthsWithin(plan.Charges[c].Charge.Validity);
        // Which events the period's charges rate is decided once per period, not per event.
        for (var a = 0; a < plan.Aggregates.Length; a++)
        {
            var claims = AggregateClaims[a].Length >= months ? AggregateClaims[a] : AggregateClaims[a] = new bool[months];
            Array.Clear(claims);
            foreach (var c in plan.Aggregates[a].Charges)
            {
                if (ChargeMonths[c] is not { } r) continue;
                for (var m = r.First; m <= r.Last; m++) claims[m] = true;
            }
        }
        for (var s = 0; s < StateClaimLast.Length; s++)
        {
            StateClaimLast[s] = -1;
            foreach (var c in plan.StateReaders[s])
            {
                if (ChargeMonths[c] is { } r) StateClaimLast[s] = Math.Max(StateClaimLast[s], r.Last);
            }
        }
    }

    /// <summary>Which months of the period start inside the validity (contiguous, since a validity is one range of dates).</summary>
    private MonthRange? MonthsWithin(Validity validity)
    {
        int first = -1, last = -1;
        for (var m = 0; m < Months; m++)
        {
            if (!validity.Contains(From.AddMonths(m))) continue;
            if (first < 0) first = m;
            last = m;
        }
        return first < 0 ? null : new MonthRange(first, last);
    }

    /// <summary>Which month of the period a local date falls in (0-based).</summary>
    public int MonthOf(DateOnly date) => (date.Year - From.Year) * 12 + date.Month - From.Month;

    public void Save(BlockWriter w)
    {
        w.VarUInt((ulong)From.DayNumber);
        w.VarUInt((ulong)Months);
        w.VarUInt((ulong)Number);
        foreach (var a in Accumulators) a.Save(w);
        for (var a = 0; a < Groups.Length; a++)
        {
            if (GroupOrder[a] is not { } order) continue;
            w.VarUInt((ulong)order.Count);
            foreach (var key in order)
            {
                ValueCodec.Write(w, key);
                Groups[a]!.TryGetValue(key, out var accumulator);
                accumulator.Save(w);
            }
        }
        w.VarUInt((ulong)EventLines.Count);
        foreach (var line in EventLines)
        {
            w.VarUInt((ulong)line.Charge);
            w.Decimal(line.Price);
            w.Decimal(line.Quantity);
        }
    }

    public void Load(RatingPlan plan, BlockReader r)
    {
        var from = DateOnly.FromDayNumber((int)r.VarUInt());
        var months = (int)r.VarUInt();
        Open(plan, from, months, (int)r.VarUInt());
        foreach (var a in Accumulators) a.Load(r);
        for (var a = 0; a < Groups.Length; a++)
        {
            if (GroupOrder[a] is null) continue;
            for (var n = (int)r.VarUInt(); n > 0; n--) Group(a, ValueCodec.Read(r)).Load(r);
        }
        for (var n = (int)r.VarUInt(); n > 0; n--)
        {
            var line = new EventLineGroup((int)r.VarUInt(), r.Decimal());
            line.Quantity = r.Decimal();
            EventLines.Add(line);
        }
    }

    /// <summary>Changes the covered months; cached lets depend on them.</summary>
    public void Cover(MonthRange months)
    {
        if (months == Covered) return;
        Covered = months;
        Array.Clear(LetCached);
    }
}
