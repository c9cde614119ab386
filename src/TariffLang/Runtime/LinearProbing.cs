namespace TariffLang.Runtime;

/// <summary>The rule the open-addressing tables of the runtime share (TextKeyTable, WordKeyTable).</summary>
internal static class LinearProbing
{
    /// <summary>
    /// Whether the key in slot <paramref name="next"/>, whose probe starts at <paramref name="home"/>, must move back into
    /// the emptied slot <paramref name="hole"/> to stay findable: its probe passes the hole before reaching it (the slots
    /// wrap around the end of the table, so both orders of hole and next are possible).
    /// </summary>
    public static bool MovesIntoHole(int hole, int next, int home) =>
        hole <= next ? home <= hole || home > next : home <= hole && home > next;
}
