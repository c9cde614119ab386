using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace TariffLang.Ledgers;

/// <summary>
/// Whitespace on UTF-8 bytes exactly as <see cref="string.Trim()"/> and <see cref="char.IsWhiteSpace(char)"/> see it on
/// the decoded text, so that byte-level trimming and blank-line detection agree with the string-based reader.
/// </summary>
internal static class Utf8Text
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsAsciiWhiteSpace(byte b) => b == (byte)' ' || (uint)(b - '\t') <= '\r' - '\t';

    /// <summary>Byte length of the whitespace character that starts <paramref name="text"/>, or 0.</summary>
    public static int WhiteSpaceAtStart(ReadOnlySpan<byte> text)
    {
        var b = text[0];
        if (b < 0x80) return IsAsciiWhiteSpace(b) ? 1 : 0;
        // Every non-ASCII whitespace is in the BMP, where Rune.IsWhiteSpace and char.IsWhiteSpace agree; invalid bytes
        // decode as an error, which is not whitespace, just as U+FFFD is not.
        return Rune.DecodeFromUtf8(text, out var rune, out var length) == OperationStatus.Done && Rune.IsWhiteSpace(rune) ? length : 0;
    }

    /// <summary>Byte length of the whitespace character that ends <paramref name="text"/>, or 0.</summary>
    public static int WhiteSpaceAtEnd(ReadOnlySpan<byte> text)
    {
        var b = text[^1];
        if (b < 0x80) return IsAsciiWhiteSpace(b) ? 1 : 0;
        return Rune.DecodeLastFromUtf8(text, out var rune, out var length) == OperationStatus.Done && Rune.IsWhiteSpace(rune) ? length : 0;
    }

    /// <summary>The range of <paramref name="text"/> that <see cref="string.Trim()"/> would keep.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Trim(ReadOnlySpan<byte> text, out int start, out int length)
    {
        start = 0;
        length = text.Length;
        // The common case, a value without surrounding whitespace, costs two byte tests.
        if (length == 0 || (IsPlainEdge(text[0]) && IsPlainEdge(text[^1]))) return;
        TrimSlow(text, ref start, ref length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsPlainEdge(byte b) => b > (byte)' ' && b < 0x80;

    private static void TrimSlow(ReadOnlySpan<byte> text, ref int start, ref int length)
    {
        while (length > 0)
        {
            var n = WhiteSpaceAtStart(text.Slice(start, length));
            if (n == 0) break;
            start += n;
            length -= n;
        }
        while (length > 0)
        {
            var n = WhiteSpaceAtEnd(text.Slice(start, length));
            if (n == 0) break;
            length -= n;
        }
    }

    /// <summary>Whether <paramref name="text"/> is empty or only whitespace (<see cref="string.IsNullOrWhiteSpace"/>).</summary>
    public static bool IsWhiteSpace(ReadOnlySpan<byte> text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var n = WhiteSpaceAtStart(text[i..]);
            if (n == 0) return false;
            i += n;
        }
        return true;
    }

    /// <summary>The text of <paramref name="utf8"/>; invalid bytes (never met after validation) become U+FFFD.</summary>
    public static string Decode(ReadOnlySpan<byte> utf8) => utf8.IsEmpty ? string.Empty : Encoding.UTF8.GetString(utf8);
}

/// <summary>
/// Finds, 64 bytes at a time with SIMD compares, the positions of up to four byte values in a buffer, in order.
/// Used instead of one <see cref="MemoryExtensions.IndexOfAny{T}(ReadOnlySpan{T}, T, T, T)"/> call per field: a
/// ledger row has many short fields, and one mask per 64 bytes costs a few instructions per hit instead of a call.
/// </summary>
internal struct ByteScanner
{
    private byte[] _buffer;
    private int _length;
    private int _base;
    private ulong _mask;
    private byte _a, _b, _c, _d;

    public ByteScanner(byte a, byte b, byte c, byte d)
    {
        _buffer = [];
        (_a, _b, _c, _d) = (a, b, c, d);
    }

    /// <summary>Scans <paramref name="buffer"/>[0..<paramref name="length"/>) from <paramref name="position"/>.</summary>
    public void Reset(byte[] buffer, int length, int position)
    {
        _buffer = buffer;
        _length = length;
        SeekTo(position);
    }

    /// <summary>Forgets the hits before <paramref name="position"/> (after a part scanned another way).</summary>
    public void SeekTo(int position)
    {
        _base = position;
        _mask = position < _length ? MaskAt(position) : 0;
    }

    /// <summary>The next hit's position, or -1 at the end of the buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Next()
    {
        while (_mask == 0)
        {
            _base += 64;
            if (_base >= _length) return -1;
            _mask = MaskAt(_base);
        }
        var position = _base + BitOperations.TrailingZeroCount(_mask);
        _mask &= _mask - 1;
        return position;
    }

    private readonly ulong MaskAt(int at) => Mask(_buffer, _length, at, _a, _b, _c, _d);

    /// <summary>
    /// Bit i set when <paramref name="buffer"/>[<paramref name="at"/> + i] is one of the four bytes (and below
    /// <paramref name="length"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong Mask(byte[] buffer, int length, int at, byte a, byte b, byte c, byte d)
    {
        ulong mask;
        var available = length - at;
        if (at + 64 <= buffer.Length)
        {
            // Bytes past length are still inside the array (reading them is safe) and are masked off below.
            ref var start = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(buffer), at);
            if (Vector512.IsHardwareAccelerated)
            {
                var v = Vector512.LoadUnsafe(ref start);
                mask = (Vector512.Equals(v, Vector512.Create(a)) | Vector512.Equals(v, Vector512.Create(b))
                        | Vector512.Equals(v, Vector512.Create(c)) | Vector512.Equals(v, Vector512.Create(d))).ExtractMostSignificantBits();
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                var lo = Vector256.LoadUnsafe(ref start);
                var hi = Vector256.LoadUnsafe(ref start, 32);
                Vector256<byte> va = Vector256.Create(a), vb = Vector256.Create(b), vc = Vector256.Create(c), vd = Vector256.Create(d);
                var low = Vector256.Equals(lo, va) | Vector256.Equals(lo, vb) | Vector256.Equals(lo, vc) | Vector256.Equals(lo, vd);
                var high = Vector256.Equals(hi, va) | Vector256.Equals(hi, vb) | Vector256.Equals(hi, vc) | Vector256.Equals(hi, vd);
                mask = low.ExtractMostSignificantBits() | ((ulong)high.ExtractMostSignificantBits() << 32);
            }
            else
            {
                mask = ScalarMask(buffer, at, 64, a, b, c, d);
            }
        }
        else
        {
            mask = ScalarMask(buffer, at, Math.Min(64, available), a, b, c, d);
        }
        return available >= 64 ? mask : mask & ((1UL << available) - 1);
    }

    private static ulong ScalarMask(byte[] buffer, int at, int count, byte a, byte b, byte c, byte d)
    {
        ulong mask = 0;
        for (var i = 0; i < count; i++)
        {
            var x = buffer[at + i];
            if (x == a || x == b || x == c || x == d) mask |= 1UL << i;
        }
        return mask;
    }
}
