using System.Buffers.Binary;
using System.Security.Cryptography;
using TariffLang.Runtime;

namespace TariffLang.Rating;

/// <summary>
/// The idempotency rule, written once for every way of rating. Among an account's rows that are valid events of the
/// tariff, an id is counted once: copies with the same content are one event sent twice (the first copy in file order is
/// rated, the others are duplicates); copies whose content differs are a conflict, and none of them is rated, so the result
/// does not depend on which copy comes first. A row rejected while it is read or typed never claims its id: its corrected
/// re-send is rated.
/// </summary>
internal sealed class IdClaims
{
    private readonly Dictionary<string, List<(int Row, UInt128 Content)>> _copies = new(StringComparer.Ordinal);

    /// <summary>
    /// The rows of one account not rated because of their id, by row, with the reason; null when no id repeats. Only the
    /// copies of a repeated id are read (<paramref name="contentOf"/>: the row and its content, or null for a row that is
    /// not a valid event, which claims no id), so an account without repeats costs one set of its ids.
    /// </summary>
    /// <param name="rows">The account's rows, in any order.</param>
    /// <param name="idOf">The id a row may claim (null: none, or a row already known not to be an event).</param>
    public static Dictionary<int, string>? Decide<T>(IReadOnlyList<T> rows, Func<T, string?> idOf,
        Func<T, (int Row, UInt128 Content)?> contentOf)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        HashSet<string>? repeated = null;
        foreach (var row in rows)
        {
            if (idOf(row) is { } id && !seen.Add(id)) (repeated ??= new HashSet<string>(StringComparer.Ordinal)).Add(id);
        }
        if (repeated is null) return null;
        var claims = new IdClaims();
        foreach (var row in rows)
        {
            if (idOf(row) is { } id && repeated.Contains(id) && contentOf(row) is { } copy) claims.Add(id, copy.Row, copy.Content);
        }
        var rejected = new Dictionary<int, string>();
        foreach (var (row, reason) in claims.Rejections()) rejected[row] = reason;
        return rejected;
    }

    /// <summary>A valid row carrying <paramref name="id"/>.</summary>
    private void Add(string id, int row, UInt128 content)
    {
        if (!_copies.TryGetValue(id, out var list)) _copies[id] = list = new List<(int, UInt128)>(2);
        list.Add((row, content));
    }

    /// <summary>The rows that are not rated because of their id, each with its reason.</summary>
    private IEnumerable<(int Row, string Reason)> Rejections()
    {
        foreach (var (id, copies) in _copies)
        {
            if (copies.Count < 2) continue;
            copies.Sort((a, b) => a.Row.CompareTo(b.Row));
            var same = true;
            foreach (var c in copies) same &= c.Content == copies[0].Content;
            if (same)
            {
                for (var i = 1; i < copies.Count; i++) yield return (copies[i].Row, Duplicate(id, copies[0].Row));
                continue;
            }
            var reason = Conflict(id, copies.Select(c => c.Row).ToList());
            foreach (var c in copies) yield return (c.Row, reason);
        }
    }

    public static string Duplicate(string id, int firstRow) => $"{DuplicateStart}{id}' (already counted at row {firstRow})";

    /// <summary>Whether a rejection reason is an identical re-send, counted once: idempotency working, not a problem.</summary>
    public static bool IsDuplicate(string reason) => reason.StartsWith(DuplicateStart, StringComparison.Ordinal);

    private const string DuplicateStart = "duplicate id '";

    /// <summary>Whether a rejection reason is an id conflict (what <c>--strict</c> fails on).</summary>
    public static bool IsConflict(string reason) => reason.StartsWith(ConflictStart, StringComparison.Ordinal);

    private const string ConflictStart = "conflicting id '";

    public static string Conflict(string id, IReadOnlyList<int> rows)
    {
        const int Shown = 10;
        var named = rows.Count <= Shown
            ? string.Join(", ", rows.Take(rows.Count - 1)) + " and " + rows[^1]
            : string.Join(", ", rows.Take(Shown)) + $" and {rows.Count - Shown} more";
        return $"{ConflictStart}{id}': rows {named} carry it with different content, so none of them is rated";
    }

    /// <summary>
    /// What a row says, as typed values: its event, its instant, its quantity and its attribute values. Two rows with the
    /// same content are the same event whatever their text (<c>1.0</c> and <c>1</c>, <c>Z</c> and <c>+00:00</c>). A 128-bit
    /// SHA-256 prefix stands for the content, so an account's rows need not be kept to compare them, and a snapshot of
    /// an account that is rated event by event can carry what each id said.
    /// </summary>
    public static UInt128 Content(int kind, DateTimeOffset time, decimal quantity, Value[] slots, int slotBase, int count)
    {
        var w = new BlockWriter();
        w.VarInt(kind);
        w.Int64(time.UtcTicks);
        w.Decimal(Normal(quantity));
        for (var i = 0; i < count; i++)
        {
            var v = slots[slotBase + i];
            switch (v.Kind)
            {
                case ValueKind.Number:
                    w.Byte(1);
                    w.Decimal(Normal(v.Number));
                    break;
                case ValueKind.Time:
                    w.Byte(2);
                    w.Int64(v.Time.UtcTicks);
                    break;
                default:
                    w.Byte(3);
                    ValueCodec.Write(w, v);
                    break;
            }
        }
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(w.ToArray(), hash);
        return new UInt128(BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]));
    }

    /// <summary>The same number without trailing zeros (1.50 and 1.5 are one quantity), and 0 without a sign.</summary>
    private static decimal Normal(decimal d) => d == 0m ? 0m : d / 1.0000000000000000000000000000m;
}
