using System.Runtime.CompilerServices;
using TariffLang.Semantics;

namespace TariffLang.Runtime;

/// <summary>
/// The values of one state (counter, wallet, setting) of one account: one per key, or one under the none key. Within
/// the open period it remembers, month by month, each key's highest value and the total at each month's end, so that
/// a charge can read the months of the period it covers (peak and level); a wallet keeps its period statement.
/// </summary>
internal sealed class StateStore(StateSymbol symbol)
{
    private readonly List<KeyMap<decimal>> _monthPeaks = new();
    private readonly List<decimal> _monthEndTotals = new();

    public StateSymbol Symbol { get; } = symbol;

    public KeyMap<Value> Values { get; } = new();

    /// <summary>Values set "at next period": applied when the next period starts.</summary>
    public List<(Value Key, Value Value)> Pending { get; } = new();

    public Value Initial { get; set; }

    public decimal Opening, Grants, Purchases, Debits, Expired;

    /// <summary>The period's grants by label, in the order they landed (a label granted twice is summed).</summary>
    public List<(string Label, decimal Amount)> GrantItems { get; } = new();

    /// <summary>For a wallet that keeps its credits apart: each credit still there, and what was drawn beyond them.</summary>
    public List<Lot>? Lots { get; } = symbol.TracksLots ? new List<Lot>() : null;

    public decimal Overdraft;
    private long _nextLot;

    /// <summary>Records a grant for the statement.</summary>
    public void AddGrantItem(string label, decimal amount)
    {
        for (var i = 0; i < GrantItems.Count; i++)
        {
            if (GrantItems[i].Label != label) continue;
            GrantItems[i] = (label, GrantItems[i].Amount + amount);
            return;
        }
        GrantItems.Add((label, amount));
    }

    /// <summary>A credit added: it first pays back what was drawn beyond the credits, the rest is a new lot.</summary>
    public void AddLot(decimal amount, DateTimeOffset? expires, int priority)
    {
        var repaid = Math.Min(Overdraft, amount);
        Overdraft -= repaid;
        amount -= repaid;
        if (amount > 0m) Lots!.Add(new Lot(amount, expires, priority, _nextLot++));
    }

    /// <summary>
    /// Draws an amount from the lots: the highest priority first, then the one that expires first (those that never
    /// expire last), then the oldest. What the lots cannot cover is drawn beyond them (the balance goes below zero).
    /// </summary>
    public void Draw(decimal amount)
    {
        var lots = Lots!;
        while (amount > 0m && lots.Count > 0)
        {
            var best = 0;
            for (var i = 1; i < lots.Count; i++)
            {
                if (Lot.DrawnBefore(lots[i], lots[best])) best = i;
            }
            var lot = lots[best];
            var take = Math.Min(lot.Left, amount);
            amount -= take;
            if (take == lot.Left) lots.RemoveAt(best);
            else lots[best] = lot with { Left = lot.Left - take };
        }
        Overdraft += amount;
    }

    /// <summary>Removes the lots expired by <paramref name="now"/> and returns what they still held.</summary>
    public decimal Expire(DateTimeOffset now)
    {
        var lots = Lots!;
        var expired = 0m;
        for (var i = lots.Count - 1; i >= 0; i--)
        {
            if (lots[i].Expires is not { } at || at > now) continue;
            expired += lots[i].Left;
            lots.RemoveAt(i);
        }
        return expired;
    }

    public Value Get(Value key) => Values.TryGetValue(key, out var v) ? v : Initial;

    public bool HasPeaks => _monthPeaks.Count > 0;

    /// <summary>This month's peak of a key, if it has one (the journal saves it before a change).</summary>
    public bool TryGetPeak(Value key, out decimal peak)
    {
        peak = 0m;
        return _monthPeaks.Count > 0 && _monthPeaks[^1].TryGetValue(key, out peak);
    }

    public void RestorePeak(Value key, bool had, decimal peak)
    {
        if (_monthPeaks.Count == 0) return;
        if (had) _monthPeaks[^1].Set(key, peak);
        else _monthPeaks[^1].Remove(key);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Set(Value key, Value value)
    {
        Values.Set(key, value);
        if (value.Kind == ValueKind.Number && _monthPeaks.Count > 0)
        {
            var d = value.Number;
            ref var peak = ref _monthPeaks[^1].GetValueRefOrAddDefault(key, out var had);
            peak = had ? Math.Max(peak, d) : Math.Max(d, Initial.NumberOrNull ?? 0m);
        }
    }

    public decimal Total()
    {
        var total = 0m;
        foreach (var value in Values.Values)
        {
            if (value.Kind == ValueKind.Number) total += value.Number;
        }
        return total;
    }

    /// <summary>At a period start: peaks restart from each key's current value; the statement from the balance.</summary>
    public void StartPeriod()
    {
        _monthPeaks.Clear();
        _monthEndTotals.Clear();
        _monthPeaks.Add(CurrentLevels());
        Opening = Total();
        Grants = Purchases = Debits = Expired = 0m;
        GrantItems.Clear();
    }

    /// <summary>Moves on to month <paramref name="month"/> of the period (0-based); months in between carry the levels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EnterMonth(int month)
    {
        while (_monthPeaks.Count <= month)
        {
            _monthEndTotals.Add(Total());
            _monthPeaks.Add(CurrentLevels());
        }
    }

    /// <summary>Closes the period's last month.</summary>
    public void EndPeriod(int months)
    {
        EnterMonth(months - 1);
        _monthEndTotals.Add(Total());
    }

    private KeyMap<decimal> CurrentLevels()
    {
        var levels = new KeyMap<decimal>();
        foreach (var (key, value) in Values.Pairs)
        {
            if (value.Kind == ValueKind.Number) levels.Set(key, value.Number);
        }
        return levels;
    }

    /// <summary>Sum over keys of each key's highest value in the covered months.</summary>
    public decimal Peak(MonthRange months)
    {
        var best = new KeyMap<decimal>();
        for (var m = months.First; m <= months.Last && m < _monthPeaks.Count; m++)
        {
            foreach (var (key, value) in _monthPeaks[m].Pairs)
            {
                ref var b = ref best.GetValueRefOrAddDefault(key, out var had);
                b = had ? Math.Max(b, value) : value;
            }
        }
        var total = 0m;
        foreach (var value in best.Values) total += value;
        return total;
    }

    /// <summary>The total at the end of the last covered month.</summary>
    public decimal Level(MonthRange months)
    {
        var last = Math.Min(months.Last, _monthEndTotals.Count - 1);
        return last >= months.First ? _monthEndTotals[last] : Total();
    }

    /// <summary>Everything the store holds, for a snapshot of the account.</summary>
    public void Save(BlockWriter w)
    {
        ValueCodec.Write(w, Initial);
        WriteMap(w, Values);
        w.VarUInt((ulong)Pending.Count);
        foreach (var (key, value) in Pending)
        {
            ValueCodec.Write(w, key);
            ValueCodec.Write(w, value);
        }
        w.Decimal(Opening);
        w.Decimal(Grants);
        w.Decimal(Purchases);
        w.Decimal(Debits);
        w.VarUInt((ulong)_monthPeaks.Count);
        foreach (var peaks in _monthPeaks)
        {
            w.VarUInt((ulong)peaks.Count);
            foreach (var (key, value) in peaks.Pairs)
            {
                ValueCodec.Write(w, key);
                w.Decimal(value);
            }
        }
        w.VarUInt((ulong)_monthEndTotals.Count);
        foreach (var total in _monthEndTotals) w.Decimal(total);
        w.Decimal(Expired);
        w.VarUInt((ulong)GrantItems.Count);
        foreach (var (label, amount) in GrantItems)
        {
            ValueCodec.Write(w, Value.FromText(label));
            w.Decimal(amount);
        }
        if (Lots is null) return;
        w.Decimal(Overdraft);
        w.VarUInt((ulong)_nextLot);
        w.VarUInt((ulong)Lots.Count);
        foreach (var lot in Lots)
        {
            w.Decimal(lot.Left);
            ValueCodec.Write(w, lot.Expires is { } at ? Value.FromTime(at) : Value.None);
            w.VarInt(lot.Priority);
            w.VarUInt((ulong)lot.Seq);
        }
    }

    public void Load(BlockReader r)
    {
        Initial = ValueCodec.Read(r);
        ReadMap(r, Values);
        Pending.Clear();
        for (var n = (int)r.VarUInt(); n > 0; n--) Pending.Add((ValueCodec.Read(r), ValueCodec.Read(r)));
        Opening = r.Decimal();
        Grants = r.Decimal();
        Purchases = r.Decimal();
        Debits = r.Decimal();
        _monthPeaks.Clear();
        for (var n = (int)r.VarUInt(); n > 0; n--)
        {
            var peaks = new KeyMap<decimal>();
            for (var k = (int)r.VarUInt(); k > 0; k--) peaks.Set(ValueCodec.Read(r), r.Decimal());
            _monthPeaks.Add(peaks);
        }
        _monthEndTotals.Clear();
        for (var n = (int)r.VarUInt(); n > 0; n--) _monthEndTotals.Add(r.Decimal());
        Expired = r.Decimal();
        GrantItems.Clear();
        for (var n = (int)r.VarUInt(); n > 0; n--) GrantItems.Add((ValueCodec.Read(r).Text, r.Decimal()));
        if (Lots is null) return;
        Overdraft = r.Decimal();
        _nextLot = (long)r.VarUInt();
        Lots.Clear();
        for (var n = (int)r.VarUInt(); n > 0; n--)
        {
            var left = r.Decimal();
            var expires = ValueCodec.Read(r).TimeOrNull;
            Lots.Add(new Lot(left, expires, (int)r.VarInt(), (long)r.VarUInt()));
        }
    }

    internal static void WriteMap(BlockWriter w, KeyMap<Value> map)
    {
        w.VarUInt((ulong)map.Count);
        foreach (var (key, value) in map.Pairs)
        {
            ValueCodec.Write(w, key);
            ValueCodec.Write(w, value);
        }
    }

    internal static void ReadMap(BlockReader r, KeyMap<Value> map)
    {
        map.Clear();
        for (var n = (int)r.VarUInt(); n > 0; n--) map.Set(ValueCodec.Read(r), ValueCodec.Read(r));
    }
}

/// <summary>The months of a period a charge covers: contiguous, 0-based, inclusive.</summary>
internal readonly record struct MonthRange(int First, int Last)
{
    public bool Contains(int month) => month >= First && month <= Last;

    public int Count => Last - First + 1;
}

/// <summary>One credit of a wallet that keeps them apart: what is left of it, when it expires, its priority and its order.</summary>
internal readonly record struct Lot(decimal Left, DateTimeOffset? Expires, int Priority, long Seq)
{
    public static bool DrawnBefore(in Lot a, in Lot b)
    {
        if (a.Priority != b.Priority) return a.Priority > b.Priority;
        if (a.Expires != b.Expires)
        {
            if (a.Expires is null) return false;
            if (b.Expires is null) return true;
            return a.Expires.Value < b.Expires.Value;
        }
        return a.Seq < b.Seq;
    }
}
