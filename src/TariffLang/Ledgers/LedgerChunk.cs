using System.Buffers;

namespace TariffLang.Ledgers;

/// <summary>How a ledger's records are written.</summary>
internal enum LedgerFormat
{
    /// <summary>RFC 4180 CSV with a header row.</summary>
    Csv,

    /// <summary>One flat JSON object per line.</summary>
    JsonLines,

    /// <summary>One JSON array of flat objects.</summary>
    JsonArray,
}

/// <summary>
/// A run of whole records of a ledger, cut by <see cref="LedgerStreamReader.TryReadChunk"/> so that a worker can parse it
/// alone. Its bytes live in a pooled buffer: <see cref="Dispose"/> gives it back, after which the chunk must not be used.
/// </summary>
/// <remarks>
/// For CSV and JSON Lines the bytes are the file's own UTF-8 (a record ends with its line terminator, or at the end of
/// the file). For a JSON array they are the elements, each behind its length as a 4-byte little-endian integer, so that
/// a worker need not find the commas and whitespace between them again.
/// </remarks>
internal sealed class LedgerChunk : IDisposable
{
    private byte[]? _buffer;

    internal LedgerChunk(LedgerFormat format, int index, int firstRow, int rowCount, byte[] buffer, int length)
    {
        Format = format;
        Index = index;
        FirstRow = firstRow;
        RowCount = rowCount;
        _buffer = buffer;
        Length = length;
    }

    public LedgerFormat Format { get; }

    /// <summary>Position of the chunk in the ledger, from 0: rows of chunk n come before those of chunk n + 1.</summary>
    public int Index { get; }

    /// <summary>
    /// The row number of the chunk's first record as the ledger numbers rows: CSV counts non-blank records with the
    /// header as row 1; JSON Lines counts physical lines, blank ones included; a JSON array counts elements from 1.
    /// </summary>
    public int FirstRow { get; }

    /// <summary>How many row numbers the chunk takes; the next chunk starts at <see cref="FirstRow"/> + this.</summary>
    public int RowCount { get; }

    /// <summary>Bytes in use at the start of <see cref="Buffer"/>.</summary>
    public int Length { get; }

    /// <summary>The pooled buffer; it may be longer than <see cref="Length"/>.</summary>
    internal byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(LedgerChunk));

    public ReadOnlySpan<byte> Bytes => Buffer.AsSpan(0, Length);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
    }
}
