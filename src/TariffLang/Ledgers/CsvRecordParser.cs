using System.Runtime.CompilerServices;

namespace TariffLang.Ledgers;

/*
 * Why the CSV splitting is hand-written rather than done with a library (the project prefers well-kept libraries):
 *
 * 1. Semantics. The ledger contract is CsvRecordReader's, row by row: whitespace (Unicode, as char.IsWhiteSpace) may
 *    precede an opening quote and follow a closing one; a quote inside an unquoted value is an error that names the
 *    field, as are text after a closing quote and a quote never closed (which swallows the rest of the file as one
 *    record); blank and whitespace-only records take no row number; CR, LF and CRLF all end records. Sep (0.17/0.18)
 *    and CsvHelper offer RFC 4180 parsing with their own, different, leniencies (Sep keeps the raw text of a field
 *    with stray quotes and has no "text after closing quote" or per-field error), so rows with these faults would get
 *    different errors, or none, and row numbers would drift around blank lines.
 * 2. Speed, measured on 1 M calenDoc-like rows (75 bytes, 7 columns) on this project's 2-core build machine with
 *    benchmarks/TariffLang.Benchmarks (LedgerRecordBenchmarks): see that class's header for the figures. In short,
 *    this splitter plus the reserved columns is in the same range as Sep's bare splitting (no time, no
 *    validation), so a library would not buy speed either.
 */

/// <summary>
/// Splits CSV records from UTF-8 bytes exactly as <see cref="CsvRecordReader"/> does from text: the same fields, the
/// same first error per record, the same blank records. Fields are slices of the buffer; a quoted field with doubled
/// quotes is unescaped into <see cref="Scratch"/>.
/// </summary>
internal sealed class CsvSplitter
{
    private ByteScanner _scanner = new((byte)',', (byte)'"', (byte)'\r', (byte)'\n');
    private byte[] _buffer = [];
    private int _length;
    private int _position;
    private int[] _starts = new int[16];
    private int[] _lengths = new int[16];

    /// <summary>Unescaped quoted fields of the current record.</summary>
    public byte[] Scratch = new byte[256];

    private int _scratchLength;

    public int FieldCount { get; private set; }

    /// <summary>The first problem of the current record, worded as CsvRecordReader words it, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>Whether the current record is empty or whitespace only (and quote-free): readers skip it.</summary>
    public bool IsBlank { get; private set; }

    /// <summary>Where the next record starts.</summary>
    public int Position => _position;

    public void Reset(byte[] buffer, int length, int position)
    {
        _buffer = buffer;
        _length = length;
        _position = position;
        _scanner.Reset(buffer, length, position);
    }

    /// <summary>Start of field <paramref name="index"/>: ≥ 0 in the buffer, or <c>~offset</c> in <see cref="Scratch"/>.</summary>
    public int FieldStart(int index) => _starts[index];

    public int FieldLength(int index) => _lengths[index];

    public ReadOnlySpan<byte> Field(int index) => _starts[index] >= 0
        ? new ReadOnlySpan<byte>(_buffer, _starts[index], _lengths[index])
        : new ReadOnlySpan<byte>(Scratch, ~_starts[index], _lengths[index]);

    /// <summary>Splits the next record, blank or not; false at the end of the buffer.</summary>
    public bool TryNext()
    {
        if (_position >= _length) return false;
        FieldCount = 0;
        Error = null;
        _scratchLength = 0;
        var anyQuoted = false;
        var fieldStart = _position;
        while (true)
        {
            var p = _scanner.Next();
            var b = p < 0 ? (byte)0 : _buffer[p];
            if (b == '"')
            {
                if (p > fieldStart && !Utf8Text.IsWhiteSpace(_buffer.AsSpan(fieldStart, p - fieldStart)))
                {
                    // The quote is kept as text, and only the first problem of a record is reported.
                    Error ??= $"field {FieldCount + 1} has a quote inside an unquoted value (quote the whole field and double the quote)";
                    continue;
                }
                anyQuoted = true;
                p = ReadQuoted(p + 1);
                b = p < 0 ? (byte)0 : _buffer[p];
            }
            else
            {
                AddField(fieldStart, (p < 0 ? _length : p) - fieldStart);
            }

            if (b == ',')
            {
                fieldStart = p + 1;
                continue;
            }
            if (p < 0)
            {
                _position = _length;
            }
            else if (b == '\r' && p + 1 < _length && _buffer[p + 1] == '\n')
            {
                _position = p + 2;
                _scanner.Next();
            }
            else
            {
                _position = p + 1;
            }
            break;
        }
        IsBlank = !anyQuoted && FieldCount == 1 && Utf8Text.IsWhiteSpace(Field(0));
        return true;
    }

    /// <summary>Reads a quoted field whose content starts at <paramref name="start"/>, and what follows it up to the delimiter.</summary>
    /// <returns>The position of the delimiter (comma or line terminator), or -1 at the end of the buffer.</returns>
    private int ReadQuoted(int start)
    {
        var q = start;
        var escaped = false;
        while (true)
        {
            var found = _buffer.AsSpan(q, _length - q).IndexOf((byte)'"');
            if (found < 0)
            {
                Error ??= $"field {FieldCount + 1} opens a quote that is never closed";
                AddQuotedField(start, _length, escaped);
                _scanner.SeekTo(_length);
                return -1;
            }
            q += found;
            if (q + 1 < _length && _buffer[q + 1] == '"')
            {
                escaped = true;
                q += 2;
                continue;
            }
            break;
        }
        AddQuotedField(start, q, escaped);

        // Only whitespace may follow the closing quote; quotes there are just text.
        _scanner.SeekTo(q + 1);
        int delimiter;
        do delimiter = _scanner.Next();
        while (delimiter >= 0 && _buffer[delimiter] == '"');
        var end = delimiter < 0 ? _length : delimiter;
        if (end > q + 1 && !Utf8Text.IsWhiteSpace(_buffer.AsSpan(q + 1, end - q - 1)))
        {
            Error ??= $"field {FieldCount} has text after its closing quote";
        }
        return delimiter;
    }

    private void AddQuotedField(int start, int end, bool escaped)
    {
        if (!escaped)
        {
            AddField(start, end - start);
            return;
        }
        var content = _buffer.AsSpan(start, end - start);
        if (_scratchLength + content.Length > Scratch.Length)
        {
            Array.Resize(ref Scratch, Math.Max(Scratch.Length * 2, _scratchLength + content.Length));
        }
        var at = _scratchLength;
        var length = 0;
        for (var i = 0; i < content.Length; i++)
        {
            Scratch[at + length++] = content[i];
            if (content[i] == '"' && i + 1 < content.Length && content[i + 1] == '"') i++;
        }
        _scratchLength += length;
        AddField(~at, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddField(int start, int length)
    {
        if (FieldCount == _starts.Length)
        {
            Array.Resize(ref _starts, FieldCount * 2);
            Array.Resize(ref _lengths, FieldCount * 2);
        }
        _starts[FieldCount] = start;
        _lengths[FieldCount] = length;
        FieldCount++;
    }
}

/// <summary>What a CSV ledger's header says: its columns, the reserved ones' places, and its problem if it has one.</summary>
internal sealed class CsvLayout
{
    public CsvLayout(string[] columns, string? problem)
    {
        Columns = columns;
        Problem = problem;
        TimeIndex = Array.IndexOf(columns, LedgerReader.TimeColumn);
        AccountIndex = Array.IndexOf(columns, LedgerReader.AccountColumn);
        EventIndex = Array.IndexOf(columns, LedgerReader.EventColumn);
        IdIndex = Array.IndexOf(columns, LedgerReader.IdColumn);
        QuantityIndex = Array.IndexOf(columns, LedgerReader.QuantityColumn);
        var attributes = new List<int>();
        var nameless = new List<int>();
        for (var i = 0; i < columns.Length; i++)
        {
            if (columns[i].Length == 0) nameless.Add(i);
            else if (!LedgerReader.IsReservedColumn(columns[i])) attributes.Add(i);
        }
        AttributeColumns = [.. attributes];
        NamelessColumns = [.. nameless];
    }

    /// <summary>The header's names, trimmed (the first without a BOM); empty for a nameless column.</summary>
    public string[] Columns { get; }

    /// <summary>What is wrong with the header (every data row then is an error saying it), or null.</summary>
    public string? Problem { get; }

    public int TimeIndex { get; }
    public int AccountIndex { get; }
    public int EventIndex { get; }
    public int IdIndex { get; }
    public int QuantityIndex { get; }

    /// <summary>Columns that hold attributes, in header order.</summary>
    public int[] AttributeColumns { get; }

    public int[] NamelessColumns { get; }
}

/// <summary>Parses CSV ledger records; attribute column ids are header indexes.</summary>
internal sealed class CsvRecordParser(CsvLayout layout) : LedgerRecordParser
{
    private readonly CsvSplitter _splitter = new();

    public override void Reset(LedgerChunk chunk)
    {
        Data = chunk.Buffer;
        _splitter.Reset(Data, chunk.Length, 0);
        Row = chunk.FirstRow - 1;
    }

    public override string ColumnName(int column) => layout.Columns[column];

    public override bool MoveNext()
    {
        while (_splitter.TryNext())
        {
            if (_splitter.IsBlank) continue;
            Row++;
            BeginRecord();
            Read();
            return true;
        }
        return false;
    }

    private void Read()
    {
        var split = _splitter;
        // Unescaped fields live in the splitter's scratch; the base class reads negative slices from there.
        Scratch = split.Scratch;
        if (layout.Problem is { } headerProblem)
        {
            // Every data row is still accounted for, each pointing at the header's fault.
            Error = headerProblem;
            return;
        }
        if (split.Error is { } error)
        {
            Error = error;
            return;
        }
        var columns = layout.Columns;
        if (split.FieldCount != columns.Length)
        {
            Error = $"row has {split.FieldCount} fields but the header has {columns.Length} columns";
            return;
        }
        foreach (var i in layout.NamelessColumns)
        {
            if (split.FieldLength(i) > 0)
            {
                // A trailing comma in the header is harmless while its cells stay empty.
                Error = $"column {i + 1} has no name in the header but holds '{Utf8Text.Decode(split.Field(i))}'";
                return;
            }
        }

        ReadReserved(Field(layout.TimeIndex), Field(layout.AccountIndex), Field(layout.EventIndex),
            layout.QuantityIndex < 0 ? default : Field(layout.QuantityIndex), layout.IdIndex < 0 ? default : Field(layout.IdIndex),
            csv: true);
        if (Error is not null) return;

        foreach (var i in layout.AttributeColumns)
        {
            if (split.FieldLength(i) > 0) AddAttribute(i, Field(i));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Slice Field(int index) => new(_splitter.FieldStart(index), _splitter.FieldLength(index));
}
