using System.Runtime.CompilerServices;

namespace TariffLang.Runtime;

/// <summary>
/// A short text as one machine word, for the tables of a month's open state (a distinct count's values, a window's
/// openings), where a key of two words took half or more of each slot. Two forms fit, told apart by the top byte:
/// <list type="bullet">
/// <item>up to <see cref="MaxNarrow"/> characters below U+0100, a byte each, with the length + 1 (1 to 8) on top:
/// agent and visitor codes;</item>
/// <item>up to <see cref="MaxDialled"/> characters among the digits and <c>+ - . ( )</c> and space, four bits each, with
/// <see cref="DialledMark"/> and the length on top: phone numbers, which are the contacts of call and messaging tariffs
/// (a national or international number with its <c>+</c> is 10 to 13 characters; a full 15-digit E.164 number with its
/// <c>+</c> has no word).</item>
/// </list>
/// Any other text has no word (0, which no text is): the caller keeps it as before. A text has one form only, decided
/// by its length first (up to 7 characters, always the first form) and then by its characters, so two equal texts
/// always give one word.
/// </summary>
internal static class TextWord
{
    /// <summary>The longest text of the first form.</summary>
    public const int MaxNarrow = 7;

    /// <summary>The longest text of the second form.</summary>
    public const int MaxDialled = 14;

    /// <summary>The top byte's mark of the second form (its length is in the low four bits).</summary>
    private const ulong DialledMark = 0x80;

    private const ulong Low56 = (1UL << 56) - 1;

    private const string Dialled = "0123456789+-.() ";

    /// <summary>The word of <paramref name="text"/>; 0 when it fits neither form.</summary>
    /// <remarks>Read straight from the characters: a key that has a word needs no <see cref="TextKey"/> (nor its hash).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong Of(ReadOnlySpan<char> text)
    {
        var length = text.Length;
        if (length <= MaxNarrow)
        {
            // Laid out as TextKey packs it (a byte a character, the length + 1 on top), so that TextKey unpacks it.
            var any = 0;
            var narrow = (ulong)(length + 1) << 56;
            for (var i = 0; i < length; i++)
            {
                any |= text[i];
                narrow |= (ulong)text[i] << (8 * i);
            }
            return any <= 0xFF ? narrow : 0;
        }
        if (length > MaxDialled) return 0;
        var word = (DialledMark | (ulong)length) << 56;
        for (var i = 0; i < length; i++)
        {
            var c = text[i];
            var digit = (uint)(c - '0');
            if (digit > 9)
            {
                digit = (uint)Dialled.IndexOf(c);
                if (digit > 15) return 0;
            }
            word |= (ulong)digit << (4 * i);
        }
        return word;
    }

    /// <summary>
    /// The word of a text value (0 when it has none), taken from the value itself when it holds its word alone, so that no
    /// string is made.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong OfValue(in Value text) => text.Word is var held and not 0 ? held : Of(text.Text);

    /// <summary>
    /// The word of the text that <paramref name="utf8"/> spells when it is ASCII, as <see cref="Of"/> gives it for that
    /// text; 0 otherwise. A text with other characters may still have a word: it is then made from its string.
    /// </summary>
    public static ulong OfAscii(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxDialled) return 0;
        Span<char> chars = stackalloc char[MaxDialled];
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] >= 0x80) return 0;
            chars[i] = (char)utf8[i];
        }
        return Of(chars[..utf8.Length]);
    }

    /// <summary>The text of a word made by <see cref="Of"/>.</summary>
    public static string TextOf(ulong word)
    {
        Span<char> buffer = stackalloc char[TextKey.MaxPacked];
        var top = word >> 56;
        if (top <= MaxNarrow + 1) return new string(TextKey.Unpack(word & Low56, word & ~Low56, buffer));
        var length = (int)(top & 0xF);
        for (var i = 0; i < length; i++) buffer[i] = Dialled[(int)((word >> (4 * i)) & 0xF)];
        return new string(buffer[..length]);
    }

    /// <summary>A word's hash, seeded per process by <see cref="HashCode"/> so that a ledger cannot make its keys collide.</summary>
    public static int HashOf(ulong word) => HashCode.Combine((uint)word, (uint)(word >> 32));
}
