using System.Runtime.CompilerServices;

namespace TariffLang.Ledgers;

/// <summary>
/// Parses the records of <see cref="LedgerChunk"/>s into rows without materialising them: one instance per worker
/// thread, reused across chunks (it is not thread-safe). After <see cref="MoveNext"/> returned true, the current record
/// has a <see cref="Row"/> and either an <see cref="Error"/> (the exact message of a <see cref="LedgerError"/>) or its
/// reserved values and attributes. Spans stay valid until the next <see cref="MoveNext"/> or <see cref="Reset"/>, and
/// while the chunk is not disposed.
/// </summary>
internal abstract class LedgerRecordParser
{
    /// <summary>The chunk's buffer; slices with a start of 0 or more point into it.</summary>
    protected byte[] Data = [];

    /// <summary>Unescaped or synthesised values; slices with a negative start (<c>~offset</c>) point into it.</summary>
    protected byte[] Scratch = new byte[256];

    /// <summary>Bytes of <see cref="Scratch"/> in use by the current record.</summary>
    protected int ScratchLength;

    private Slice _account, _event, _id;
    private int[] _attributeColumns = new int[16];
    private Slice[] _attributeValues = new Slice[16];
    private readonly List<string> _problems = [];
    private LedgerValues.DateCache _dates = new();

    /// <summary>Starts on <paramref name="chunk"/>, forgetting the previous one.</summary>
    public abstract void Reset(LedgerChunk chunk);

    /// <summary>Moves to the next record that takes a row number and is not skipped; false at the end of the chunk.</summary>
    public abstract bool MoveNext();

    /// <summary>The name of an attribute column id (a CSV header index, or a JSON key's id).</summary>
    public abstract string ColumnName(int column);

    /// <summary>The row number of the current record.</summary>
    public int Row { get; protected set; }

    /// <summary>Why the current record is not a row (the message of its <see cref="LedgerError"/>), or null.</summary>
    public string? Error { get; protected set; }

    public DateTimeOffset Time { get; private set; }

    /// <summary>The account, trimmed; valid only when <see cref="Error"/> is null.</summary>
    public ReadOnlySpan<byte> Account => Span(_account);

    /// <summary>The event name, trimmed.</summary>
    public ReadOnlySpan<byte> Event => Span(_event);

    /// <summary>The quantity: 1 when the row has none.</summary>
    public decimal Quantity { get; private set; }

    /// <summary>The id, trimmed; empty when the row has none.</summary>
    public ReadOnlySpan<byte> Id => Span(_id);

    public int AttributeCount { get; private set; }

    /// <summary>The column id of attribute <paramref name="index"/>; see <see cref="ColumnName"/>.</summary>
    public int AttributeColumn(int index) => _attributeColumns[index];

    /// <summary>The value of attribute <paramref name="index"/>, trimmed and unescaped; never empty.</summary>
    public ReadOnlySpan<byte> AttributeValue(int index) => Span(_attributeValues[index]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected ReadOnlySpan<byte> Span(Slice slice) =>
        slice.Start >= 0
            ? new ReadOnlySpan<byte>(Data, slice.Start, slice.Length)
            : new ReadOnlySpan<byte>(Scratch, ~slice.Start, slice.Length);

    /// <summary>Clears what the previous record left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected void BeginRecord()
    {
        Error = null;
        AttributeCount = 0;
        ScratchLength = 0;
        _id = default;
    }

    /// <summary>
    /// Keeps an attribute value, trimmed like every other value of a row (time, account, event, id, quantity): a value of
    /// only spaces is no value, so an optional attribute is absent and a required one is missing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected void AddAttribute(int column, Slice value)
    {
        value = Trimmed(value);
        if (value.Length == 0) return;
        if (AttributeCount == _attributeColumns.Length)
        {
            Array.Resize(ref _attributeColumns, AttributeCount * 2);
            Array.Resize(ref _attributeValues, AttributeCount * 2);
        }
        _attributeColumns[AttributeCount] = column;
        _attributeValues[AttributeCount] = value;
        AttributeCount++;
    }

    /// <summary>Room for <paramref name="length"/> more bytes in <see cref="Scratch"/>; returns where they go.</summary>
    protected int ReserveScratch(int length)
    {
        if (ScratchLength + length > Scratch.Length)
        {
            Array.Resize(ref Scratch, Math.Max(Scratch.Length * 2, ScratchLength + length));
        }
        var at = ScratchLength;
        ScratchLength += length;
        return at;
    }

    /// <summary>
    /// Checks the reserved values the way every format shares (time, account and event required; quantity a decimal
    /// greater than 0, 1 by default; id optional) and keeps them, or sets <see cref="Error"/> to all problems of the
    /// row, joined in that order so that one fix pass is enough.
    /// </summary>
    /// <param name="time">The raw values; an empty slice is an absent value.</param>
    /// <param name="csv">Whether to word absent values as CSV does ("is empty") or as JSON does ("is missing or null").</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected void ReadReserved(Slice time, Slice account, Slice @event, Slice quantity, Slice id, bool csv)
    {
        // The common row, all present and well-formed, takes no list and no message.
        var timeText = Trimmed(time);
        _account = Trimmed(account);
        _event = Trimmed(@event);
        if (timeText.Length > 0 && _account.Length > 0 && _event.Length > 0 && quantity.Length == 0
            && LedgerValues.TryParseLedgerTime(Span(timeText), ref _dates, out var fastTime))
        {
            Time = fastTime;
            Quantity = 1m;
            _id = Trimmed(id);
            return;
        }
        ReadReservedSlow(time, account, @event, quantity, id, csv);
    }

    private void ReadReservedSlow(Slice time, Slice account, Slice @event, Slice quantity, Slice id, bool csv)
    {
        _problems.Clear();
        var timeText = Trimmed(time);
        DateTimeOffset parsedTime = default;
        if (timeText.Length == 0) _problems.Add(Absent(LedgerReader.TimeColumn, csv));
        else if (LedgerValues.ParseTime(Span(timeText), ref _dates, out parsedTime) is { } timeProblem) _problems.Add(timeProblem);

        _account = Trimmed(account);
        if (_account.Length == 0) _problems.Add(Absent(LedgerReader.AccountColumn, csv));
        _event = Trimmed(@event);
        if (_event.Length == 0) _problems.Add(Absent(LedgerReader.EventColumn, csv));

        var parsedQuantity = 1m;
        if (quantity.Length > 0)
        {
            var trimmed = Trimmed(quantity);
            if (trimmed.Length > 0 && LedgerValues.ParseQuantity(Span(trimmed), Span(quantity), out parsedQuantity) is { } problem)
            {
                _problems.Add(problem);
            }
        }

        if (_problems.Count > 0)
        {
            Error = _problems.Count == 1 ? _problems[0] : string.Join("; ", _problems);
            return;
        }
        Time = parsedTime;
        Quantity = parsedQuantity;
        _id = Trimmed(id);
    }

    private static string Absent(string column, bool csv) => csv ? $"'{column}' is empty" : $"'{column}' is missing or null";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Slice Trimmed(Slice slice)
    {
        if (slice.Length == 0) return slice;
        Utf8Text.Trim(Span(slice), out var start, out var length);
        return new Slice(slice.Start >= 0 ? slice.Start + start : ~(~slice.Start + start), length);
    }

    /// <summary>A value's place: <c>Start</c> ≥ 0 in the chunk, or <c>~Start</c> in the scratch buffer.</summary>
    protected readonly record struct Slice(int Start, int Length);
}
