using System.Runtime.CompilerServices;

namespace TariffLang.Runtime;

/// <summary>
/// The rules the open-addressing tables of the runtime share (<see cref="ShortTextSet"/>, <see cref="WordKeyTable{TValue}"/>,
/// <see cref="TextKeyTable{TValue}"/>): where a key's probe starts, how it walks, when a table is full and how much it grows.
/// </summary>
/// <remarks>
/// A table grows by half, not twice: the month's distinct values and a window's openings are the open state that grows
/// with a busy month, and a table that doubles is between 37 and 75 % full, one that grows by half between 50 and 75 %.
/// Its length is then no power of two, so a probe starts at the hash's high bits scaled to the length (a multiply and a
/// shift, no division) rather than at its low bits under a mask. Every hash the tables use (<see cref="HashCode"/>,
/// string hashes) mixes every bit of the key into every bit of the hash. Measured in docs/performance.md ("Tables that
/// grow by half").
/// </remarks>
internal static class LinearProbing
{
    /// <summary>How many slots a new table has.</summary>
    public const int InitialLength = 16;

    /// <summary>The slot where the probe for a key of hash <paramref name="hash"/> starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Home(int hash, int length) => (int)(((ulong)(uint)hash * (uint)length) >> 32);

    /// <summary>The slot after <paramref name="i"/>, wrapping around the end of the table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Next(int i, int length) => ++i == length ? 0 : i;

    /// <summary>Whether one more key would make a table of <paramref name="length"/> slots more than three quarters full.</summary>
    /// <remarks>Three quarters keeps the probes short: a table that would pass it grows before the key is placed.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsFullFor(int count, int length) => (count + 1) * 4L > length * 3L;

    /// <summary>The length of the table that replaces a full one of <paramref name="length"/> slots.</summary>
    public static int GrownLength(int length) => length + length / 2;

    /// <summary>
    /// Whether the key in slot <paramref name="next"/>, whose probe starts at <paramref name="home"/>, must move back into
    /// the emptied slot <paramref name="hole"/> to stay findable: its probe passes the hole before reaching it (the slots
    /// wrap around the end of the table, so both orders of hole and next are possible).
    /// </summary>
    public static bool MovesIntoHole(int hole, int next, int home) =>
        hole <= next ? home <= hole || home > next : home <= hole && home > next;
}
