using System.Runtime.CompilerServices;

namespace TariffLang.Runtime;

/// <summary>
/// The rules the open-addressing tables of the runtime share (<see cref="ShortTextSet"/>, <see cref="WordKeyTable{TValue}"/>,
/// <see cref="TextKeyTable{TValue}"/>): where a key's probe starts, how it walks, when a table is full and how much it grows.
/// </summary>
/// <remarks>
/// Lengths are powers of two, so a probe starts at the hash's low bits under a mask and steps without a division. A table
/// that grows by half instead (between 50 and 75 % full rather than 37 and 75 %) was measured and not kept: a 10 M-row
/// Web1on1 or Aircall month peaked no lower, and a busy month's distinct count allocated a quarter more, its tables being
/// rebuilt more often (docs/performance.md, "Tables that grow by half").
/// </remarks>
internal static class LinearProbing
{
    /// <summary>How many slots a new table has (a power of two).</summary>
    public const int InitialLength = 16;

    /// <summary>The slot where the probe for a key of hash <paramref name="hash"/> starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Home(int hash, int length) => hash & (length - 1);

    /// <summary>The slot after <paramref name="i"/>, wrapping around the end of the table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Next(int i, int length) => (i + 1) & (length - 1);

    /// <summary>Whether one more key would make a table of <paramref name="length"/> slots more than three quarters full.</summary>
    /// <remarks>Three quarters keeps the probes short: a table that would pass it grows before the key is placed.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsFullFor(int count, int length) => (count + 1) * 4L > length * 3L;

    /// <summary>The length of the table that replaces a full one of <paramref name="length"/> slots.</summary>
    public static int GrownLength(int length) => length * 2;

    /// <summary>
    /// Whether the key in slot <paramref name="next"/>, whose probe starts at <paramref name="home"/>, must move back into
    /// the emptied slot <paramref name="hole"/> to stay findable: its probe passes the hole before reaching it (the slots
    /// wrap around the end of the table, so both orders of hole and next are possible).
    /// </summary>
    public static bool MovesIntoHole(int hole, int next, int home) =>
        hole <= next ? home <= hole || home > next : home <= hole && home > next;
}
