using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace TariffLang.Ledgers;

/// <summary>
/// Reads a ledger as a stream of UTF-8 bytes and cuts it into <see cref="LedgerChunk"/>s of whole records, to be parsed
/// by <see cref="LedgerRecordParser"/>s on other threads. One thread calls <see cref="TryReadChunk"/>; it stays cheap
/// (SIMD searches, the quote state machine only where quotes are) so that it keeps several parsers busy.
/// </summary>
/// <remarks>
/// The results are those of the string-based reader this replaces, row for row: same row numbers (CSV: non-blank
/// records, header = 1; JSON Lines: physical lines; JSON array: elements), same encodings (a UTF-8 BOM is dropped and
/// then, as <see cref="StreamReader"/> does, invalid bytes become U+FFFD; without a BOM invalid UTF-8 makes the whole
/// file unreadable; UTF-16 and UTF-32 BOMs are honoured), same file problems.
/// <para>
/// <see cref="Problem"/> may only become known after chunks were handed out (invalid UTF-8, or a JSON array that breaks
/// off, late in the file): it is final once <see cref="TryReadChunk"/> returned false. When <see cref="DiscardsRows"/>
/// is then true the ledger has no rows at all, and whatever was parsed must be dropped.
/// </para>
/// </remarks>
internal sealed class LedgerStreamReader : IDisposable
{
    public const int DefaultChunkSize = 1 << 20;

    private static readonly string[] RequiredColumns = [LedgerReader.TimeColumn, LedgerReader.AccountColumn, LedgerReader.EventColumn];
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly int _chunkSize;
    private readonly bool _catchFileProblems;
    private readonly bool _sniff;
    private Stream? _source;

    // The kernel's reading ahead of the ledger file, when read from a path.
    private FileReadAhead? _readAhead;
    private bool _lenient;
    private bool _eof;
    private bool _done;

    // Bytes read but not yet handed out: the start of the next chunk (CSV, JSON Lines), or the window the JSON array
    // reader works in, from _windowStart.
    private byte[] _pending = [];
    private int _pendingLength;
    private int _nextRow;
    private int _chunkIndex;
    private ByteScanner _scanner = new((byte)'"', (byte)'\r', (byte)'\n', (byte)'\n');

    private int _windowStart;
    private int _validatedTo;
    private bool _boms;
    private JsonReaderState _jsonState;
    private bool _arrayOpened;
    private bool _arrayClosed;

    private LedgerStreamReader(string path, LedgerFormat? format, int chunkSize, bool catchFileProblems)
    {
        Path = path;
        Format = format ?? LedgerFormat.JsonLines;
        _sniff = format is null;
        _chunkSize = Math.Max(1, chunkSize);
        _catchFileProblems = catchFileProblems;
    }

    /// <summary>The ledger's name in messages.</summary>
    public string Path { get; }

    public LedgerFormat Format { get; private set; }

    /// <summary>What is wrong with the ledger as a whole (the text of <see cref="Ledger.Problem"/>), or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>Whether <see cref="Problem"/> leaves the ledger without rows (all but a bad CSV header).</summary>
    public bool DiscardsRows { get; private set; }

    /// <summary>How far the kernel has been asked to read the file ahead (null when it is not asked); for the tests.</summary>
    internal long? ReadAheadAsked => _readAhead?.Asked;

    /// <summary>The CSV header, once read (null for JSON or when there is none).</summary>
    internal CsvLayout? CsvLayout { get; private set; }

    /// <summary>
    /// Opens the ledger at <paramref name="path"/>, with the format its extension gives (<c>.csv</c>; <c>.jsonl</c>,
    /// <c>.ndjson</c>; <c>.json</c>: a JSON array when it starts with <c>[</c>, else JSON Lines). Never throws on bad
    /// input: an unknown extension or an unreadable file is a <see cref="Problem"/>.
    /// </summary>
    public static LedgerStreamReader Open(string path, int chunkSize = DefaultChunkSize)
    {
        var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (!TryFormatOf(extension, out var format))
        {
            return Unknown(path, chunkSize);
        }
        var reader = new LedgerStreamReader(path, format, chunkSize, catchFileProblems: true);
        try
        {
            // The same opening as StreamReader(path): the same exceptions, hence the same problems.
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
            reader._source = file;
            // Asked at once, before any worker takes its turn: the first chunks then come off the disk with the rest.
            reader._readAhead = FileReadAhead.For(file);
            reader._readAhead?.Reached();
        }
        catch (Exception ex) when (LedgerReader.IsFileProblem(ex))
        {
            reader.FailRead(ex);
            return reader;
        }
        reader.Start(detectEncoding: true);
        return reader;
    }

    /// <summary>Reads a ledger of a known format from <paramref name="stream"/>, which the reader then owns.</summary>
    /// <param name="displayPath">The ledger's name in messages.</param>
    public static LedgerStreamReader Open(Stream stream, LedgerFormat format, string displayPath, int chunkSize = DefaultChunkSize)
    {
        var reader = new LedgerStreamReader(displayPath, format, chunkSize, catchFileProblems: true) { _source = stream };
        reader.Start(detectEncoding: true);
        return reader;
    }

    /// <summary>Reads a ledger from <paramref name="stream"/> with the format <paramref name="extension"/> (e.g. ".csv") gives.</summary>
    public static LedgerStreamReader Open(Stream stream, string extension, string displayPath, int chunkSize = DefaultChunkSize)
    {
        if (!TryFormatOf(extension.ToLowerInvariant(), out var format))
        {
            stream.Dispose();
            return Unknown(displayPath, chunkSize);
        }
        var reader = new LedgerStreamReader(displayPath, format, chunkSize, catchFileProblems: true) { _source = stream };
        reader.Start(detectEncoding: true);
        return reader;
    }

    /// <summary>
    /// Reads already decoded text, as the <see cref="TextReader"/> overloads of <see cref="LedgerReader"/> do: no byte
    /// order mark is looked for, and exceptions of the reader are not turned into problems.
    /// </summary>
    /// <param name="format">Null for "JSON Lines or a JSON array, by the first character".</param>
    internal static LedgerStreamReader OpenText(TextReader text, LedgerFormat? format, string path, int chunkSize = DefaultChunkSize)
    {
        var reader = new LedgerStreamReader(path, format, chunkSize, catchFileProblems: false) { _source = new TextReaderStream(text) };
        reader.Start(detectEncoding: false);
        return reader;
    }

    /// <param name="format">Null for .json, whose content decides.</param>
    private static bool TryFormatOf(string extension, out LedgerFormat? format)
    {
        format = extension switch
        {
            ".csv" => LedgerFormat.Csv,
            ".jsonl" or ".ndjson" => LedgerFormat.JsonLines,
            _ => null,
        };
        return format is not null || extension == ".json";
    }

    private static LedgerStreamReader Unknown(string path, int chunkSize) => new(path, LedgerFormat.Csv, chunkSize, catchFileProblems: true)
    {
        Problem = $"cannot tell the format of ledger '{path}': use a .csv, .jsonl, .ndjson or .json file",
        DiscardsRows = true,
        _done = true,
    };

    /// <summary>A parser for this ledger's chunks; one per worker thread.</summary>
    public LedgerRecordParser CreateParser() => Format == LedgerFormat.Csv
        ? new CsvRecordParser(CsvLayout ?? new CsvLayout([], null))
        : new JsonRecordParser();

    private void Start(bool detectEncoding)
    {
        _pending = ArrayPool<byte>.Shared.Rent(Math.Max(_chunkSize, 16));
        Guard(() =>
        {
            if (detectEncoding) DetectEncoding();
            if (_sniff) Sniff();
            if (Format == LedgerFormat.Csv) ReadHeader();
            else if (Format == LedgerFormat.JsonArray) StartArray();
            else _nextRow = 1;
        });
    }

    /// <summary>Cuts the next chunk; false when the ledger is done (or has a problem that ends it).</summary>
    public bool TryReadChunk(out LedgerChunk chunk)
    {
        chunk = null!;
        if (_done) return false;
        LedgerChunk? result = null;
        Guard(() => result = Format == LedgerFormat.JsonArray ? ReadArrayChunk() : ReadRecordChunk());
        if (result is null)
        {
            _done = true;
            ReturnPending();
            return false;
        }
        chunk = result;
        return true;
    }

    public void Dispose()
    {
        _done = true;
        ReturnPending();
        _source?.Dispose();
        _source = null;
        _readAhead = null;
    }

    private void Guard(Action action)
    {
        if (!_catchFileProblems)
        {
            action();
            return;
        }
        try
        {
            action();
        }
        catch (Exception ex) when (LedgerReader.IsFileProblem(ex))
        {
            FailRead(ex);
        }
    }

    private void FailRead(Exception ex)
    {
        Problem = $"cannot read ledger '{Path}': {LedgerReader.FileProblem(ex)}";
        DiscardsRows = true;
        _done = true;
    }

    private void FailUtf8() => FailRead(new DecoderFallbackException());

    private void ReturnPending()
    {
        if (_pending.Length > 0) ArrayPool<byte>.Shared.Return(_pending);
        _pending = [];
        _pendingLength = 0;
    }

    // ---- bytes in ----

    /// <summary>Honours a byte order mark as <c>StreamReader(detectEncodingFromByteOrderMarks: true)</c> does.</summary>
    private void DetectEncoding()
    {
        Span<byte> head = stackalloc byte[4];
        var n = 0;
        while (n < 4)
        {
            var read = _source!.Read(head[n..]);
            if (read == 0) break;
            n += read;
        }

        Encoding? transcode = null;
        var bom = 0;
        if (n >= 2 && head[0] == 0xFE && head[1] == 0xFF) (transcode, bom) = (Encoding.BigEndianUnicode, 2);
        else if (n >= 2 && head[0] == 0xFF && head[1] == 0xFE)
        {
            (transcode, bom) = n < 4 || head[2] != 0 || head[3] != 0 ? (Encoding.Unicode, 2) : (Encoding.UTF32, 4);
        }
        else if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        {
            // StreamReader then switches to Encoding.UTF8, which replaces invalid bytes instead of throwing.
            bom = 3;
            _lenient = true;
        }
        else if (n >= 4 && head[0] == 0 && head[1] == 0 && head[2] == 0xFE && head[3] == 0xFF)
        {
            (transcode, bom) = (new UTF32Encoding(bigEndian: true, byteOrderMark: true), 4);
        }

        var rest = head[bom..n].ToArray();
        if (transcode is not null)
        {
            _source = Encoding.CreateTranscodingStream(new PrefixedStream(rest, _source!), transcode, Utf8NoBom);
            return;
        }
        rest.CopyTo(_pending, 0);
        _pendingLength = rest.Length;
    }

    /// <summary>Reads until <see cref="_pending"/> holds <paramref name="target"/> bytes or the input ends.</summary>
    private void Fill(int target)
    {
        if (_pending.Length < target)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(target);
            _pending.AsSpan(0, _pendingLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = bigger;
        }
        while (_pendingLength < target && !_eof)
        {
            var read = _source!.Read(_pending, _pendingLength, target - _pendingLength);
            if (read == 0) _eof = true;
            _pendingLength += read;
        }
        _readAhead?.Reached();
    }

    /// <summary>Moves the pending bytes from <paramref name="from"/> to a fresh buffer, which becomes the pending one.</summary>
    private byte[] TakePending(int from)
    {
        var taken = _pending;
        var rest = _pendingLength - from;
        _pending = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(_chunkSize, rest), 16));
        taken.AsSpan(from, rest).CopyTo(_pending);
        _pendingLength = rest;
        return taken;
    }

    // ---- .json: array or lines ----

    private void Sniff()
    {
        // Whether the text, less leading BOMs and JSON whitespace, starts with '[' (ReadJson's test on the decoded text).
        var i = 0;
        while (true)
        {
            if (i + 3 > _pendingLength && !_eof)
            {
                Fill(_pendingLength < _pending.Length ? _pending.Length : _pending.Length * 2);
                continue;
            }
            if (i >= _pendingLength) break;
            var b = _pending[i];
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                i++;
            }
            else if (b == 0xEF && i + 3 <= _pendingLength && _pending[i + 1] == 0xBB && _pending[i + 2] == 0xBF)
            {
                i += 3;
            }
            else
            {
                if (b == '[') Format = LedgerFormat.JsonArray;
                break;
            }
        }
    }

    // ---- CSV and JSON Lines ----

    private void ReadHeader()
    {
        var target = _chunkSize;
        int cut;
        while (true)
        {
            Fill(target);
            cut = ScanCsv(_pending, _pendingLength, _eof, maxRows: 1, out var rows);
            if (rows == 1) break;
            if (_eof)
            {
                Problem = $"ledger '{Path}' is empty: a header row with the columns {JoinQuoted(RequiredColumns)} is required";
                DiscardsRows = true;
                _done = true;
                return;
            }
            target = Math.Max(target * 2, _pendingLength + 1);
        }

        var headerBytes = _pending.AsSpan(0, cut);
        if (!_lenient && !Utf8.IsValid(headerBytes))
        {
            FailUtf8();
            return;
        }
        var splitter = new CsvSplitter();
        splitter.Reset(_pending, cut, 0);
        while (splitter.TryNext() && splitter.IsBlank)
        {
        }
        // Decoding replaces invalid bytes, as the BOM-led lenient decoding would have; structure bytes are ASCII.
        var columns = new string[splitter.FieldCount];
        for (var i = 0; i < columns.Length; i++) columns[i] = Utf8Text.Decode(splitter.Field(i)).Trim();
        if (columns.Length > 0) columns[0] = columns[0].TrimStart('\uFEFF');
        var problem = HeaderProblem(splitter.Error, columns);
        CsvLayout = new CsvLayout(columns, problem);
        if (problem is not null) Problem = $"ledger '{Path}': {problem}";

        ArrayPool<byte>.Shared.Return(TakePending(cut));
        _nextRow = 2;
    }

    private static string? HeaderProblem(string? error, string[] columns)
    {
        if (error is not null) return $"header: {error}";

        var duplicates = columns.Where(c => c.Length > 0).GroupBy(c => c, StringComparer.Ordinal)
            .Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (duplicates.Length > 0)
        {
            return $"header names {JoinQuoted(duplicates)} more than once";
        }

        var missing = RequiredColumns.Where(r => !columns.Contains(r, StringComparer.Ordinal)).ToArray();
        return missing.Length switch
        {
            0 => null,
            1 => $"ledger has no '{missing[0]}' column",
            _ => $"ledger has no {JoinQuoted(missing)} columns",
        };
    }

    private static string JoinQuoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private LedgerChunk? ReadRecordChunk()
    {
        var target = _chunkSize;
        int cut, rows;
        while (true)
        {
            Fill(target);
            cut = Format == LedgerFormat.Csv
                ? ScanCsv(_pending, _pendingLength, _eof, int.MaxValue, out rows)
                : ScanLines(_pending.AsSpan(0, _pendingLength), _eof, out rows);
            if (cut > 0 || _eof) break;
            // A record longer than the chunk: read on until it ends.
            target = Math.Max(target * 2, _pendingLength + 1);
        }
        if (cut == 0) return null;

        var bytes = TakePending(cut);
        var length = cut;
        if (!Utf8.IsValid(bytes.AsSpan(0, length)))
        {
            if (!_lenient)
            {
                ArrayPool<byte>.Shared.Return(bytes);
                FailUtf8();
                return null;
            }
            // Chunks end at a line terminator or at the end of the file, so replacing chunk by chunk gives what one
            // decoding of the whole file gives.
            var text = Encoding.UTF8.GetString(bytes, 0, length);
            ArrayPool<byte>.Shared.Return(bytes);
            length = Utf8NoBom.GetByteCount(text);
            bytes = ArrayPool<byte>.Shared.Rent(length);
            Utf8NoBom.GetBytes(text, bytes);
        }

        var chunk = new LedgerChunk(Format, _chunkIndex++, _nextRow, rows, bytes, length);
        _nextRow += rows;
        if (_eof && _pendingLength == 0) _done = true;
        return chunk;
    }

    /// <summary>
    /// Finds where the last complete CSV record in <paramref name="data"/> ends (0 if none), following quotes exactly
    /// as <see cref="CsvSplitter"/> does so that a quoted line break never cuts a record, and counts the non-blank
    /// records before that point (they take row numbers).
    /// </summary>
    /// <param name="maxRows">Stop after this many non-blank records.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ScanCsv(byte[] data, int length, bool eof, int maxRows, out int rows)
    {
        rows = 0;
        var cut = 0;
        var recordStart = 0;
        var inQuote = false;
        _scanner.Reset(data, length, 0);
        while (rows < maxRows)
        {
            var p = _scanner.Next();
            if (p < 0)
            {
                if (eof && recordStart < length)
                {
                    // The last record has no terminator (or an unclosed quote runs to the end): it ends with the file.
                    if (inQuote || !Utf8Text.IsWhiteSpace(data.AsSpan(recordStart, length - recordStart))) rows++;
                    cut = length;
                }
                break;
            }
            var b = data[p];
            if (inQuote)
            {
                if (b != '"') continue;
                if (p + 1 == length && !eof) break;
                if (p + 1 < length && data[p + 1] == '"') _scanner.Next();
                else inQuote = false;
                continue;
            }
            if (b == '"')
            {
                inQuote = OpensQuote(data, recordStart, p);
                continue;
            }

            var next = p + 1;
            if (b == '\r')
            {
                if (p + 1 == length && !eof) break;
                if (p + 1 < length && data[p + 1] == '\n')
                {
                    next = p + 2;
                    _scanner.Next();
                }
            }
            if (!IsBlankRecord(data, recordStart, p)) rows++;
            cut = recordStart = next;
        }
        return cut;
    }

    /// <summary>Whether the quote at <paramref name="quote"/> opens a quoted field: only whitespace precedes it in its field.</summary>
    private static bool OpensQuote(byte[] data, int recordStart, int quote)
    {
        var fieldStart = quote;
        while (fieldStart > recordStart && data[fieldStart - 1] != ',') fieldStart--;
        // A comma found inside an earlier quoted section cannot mislead: its closing quote then lies in between.
        return fieldStart == quote || Utf8Text.IsWhiteSpace(data.AsSpan(fieldStart, quote - fieldStart));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsBlankRecord(byte[] data, int start, int end)
    {
        if (start == end) return true;
        var first = data[start];
        // Most records start with a visible ASCII character.
        if (first < 0x80 && !Utf8Text.IsAsciiWhiteSpace(first)) return false;
        return Utf8Text.IsWhiteSpace(data.AsSpan(start, end - start));
    }

    /// <summary>Where the last complete line ends (0 if none) and how many lines come before it.</summary>
    private static int ScanLines(ReadOnlySpan<byte> data, bool eof, out int lines)
    {
        int cut;
        var last = data.LastIndexOfAny((byte)'\n', (byte)'\r');
        if (last >= 0 && data[last] == '\r' && last == data.Length - 1 && !eof)
        {
            // A CR at the end may be the first half of a CRLF: leave the line for the next read.
            last = data[..last].LastIndexOfAny((byte)'\n', (byte)'\r');
        }
        cut = last + 1;
        var partial = false;
        if (eof && cut < data.Length)
        {
            cut = data.Length;
            partial = true;
        }
        var lines0 = data[..cut];
        var crs = lines0.Count((byte)'\r');
        lines = lines0.Count((byte)'\n') + crs - (crs == 0 ? 0 : lines0.Count("\r\n"u8)) + (partial ? 1 : 0);
        return cut;
    }

    // ---- JSON array ----

    private void StartArray()
    {
        _windowStart = 0;
        _validatedTo = 0;
        _nextRow = 1;
        _boms = true;
        if (_lenient)
        {
            // Rare enough (a BOM and then bad bytes in a JSON array) to decode all of it rather than cut by hand.
            _source = Encoding.CreateTranscodingStream(new PrefixedStream(_pending.AsSpan(0, _pendingLength).ToArray(), _source!),
                Encoding.UTF8, Utf8NoBom);
            _pendingLength = 0;
            _eof = false;
            _lenient = false;
        }
    }

    private LedgerChunk? ReadArrayChunk()
    {
        var chunk = ArrayPool<byte>.Shared.Rent(Math.Max(_chunkSize, 16) + 4);
        var chunkLength = 0;
        var count = 0;
        try
        {
            while (true)
            {
                if (_boms && !SkipBoms()) continue;
                var window = _pending.AsSpan(_windowStart, _pendingLength - _windowStart);
                var reader = new Utf8JsonReader(window, _eof, _jsonState);
                var committed = 0;
                var state = _jsonState;
                var needMore = false;
                if (!_arrayOpened)
                {
                    // The first token is the '[' the sniffing saw, unless something odd (a BOM after whitespace) makes
                    // this throw just as JsonDocument.Parse would.
                    if (reader.Read())
                    {
                        _arrayOpened = true;
                        committed = (int)reader.BytesConsumed;
                        state = reader.CurrentState;
                    }
                    else
                    {
                        needMore = true;
                    }
                }
                while (!needMore && _arrayOpened && !_arrayClosed && chunkLength < _chunkSize)
                {
                    if (!reader.Read())
                    {
                        needMore = true;
                        break;
                    }
                    if (reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == 0)
                    {
                        _arrayClosed = true;
                        committed = (int)reader.BytesConsumed;
                        state = reader.CurrentState;
                        break;
                    }
                    var start = (int)reader.TokenStartIndex;
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
                    {
                        needMore = true;
                        break;
                    }
                    var end = (int)reader.BytesConsumed;
                    Append(ref chunk, ref chunkLength, window[start..end]);
                    count++;
                    committed = end;
                    state = reader.CurrentState;
                }
                var finished = false;
                if (_arrayClosed && !needMore)
                {
                    if (_eof)
                    {
                        // Only whitespace may follow the array; the reader throws otherwise, as JsonDocument.Parse does.
                        while (reader.Read())
                        {
                        }
                        committed = window.Length;
                        finished = true;
                    }
                    else
                    {
                        needMore = true;
                    }
                }
                _windowStart += committed;
                _jsonState = state;
                if (!ValidateWindow())
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                    FailUtf8();
                    return null;
                }

                if (finished || chunkLength >= _chunkSize || (needMore && _eof))
                {
                    if (finished || (needMore && _eof)) _done = true;
                    if (count == 0)
                    {
                        ArrayPool<byte>.Shared.Return(chunk);
                        return null;
                    }
                    var result = new LedgerChunk(LedgerFormat.JsonArray, _chunkIndex++, _nextRow, count, chunk, chunkLength);
                    _nextRow += count;
                    return result;
                }
                Refill();
            }
        }
        catch (JsonException ex)
        {
            ArrayPool<byte>.Shared.Return(chunk);
            // Invalid UTF-8 anywhere in the file wins: the old reader decoded all the text before parsing it.
            if (!ValidateRest())
            {
                FailUtf8();
                return null;
            }
            Problem = $"ledger '{Path}': {LedgerReader.DescribeJsonError(ex)}";
            DiscardsRows = true;
            return null;
        }
    }

    /// <summary>Drops the leading BOMs the old reader trimmed from the text; false when more bytes are needed first.</summary>
    private bool SkipBoms()
    {
        while (_windowStart + 3 <= _pendingLength && _pending.AsSpan(_windowStart, 3).SequenceEqual("\uFEFF"u8)) _windowStart += 3;
        if (_windowStart + 3 > _pendingLength && !_eof)
        {
            Refill();
            return false;
        }
        _validatedTo = _windowStart;
        _boms = false;
        return true;
    }

    /// <summary>Keeps the unread part of the window at its start and reads more after it, growing the window when full.</summary>
    private void Refill()
    {
        if (_windowStart > 0)
        {
            var rest = _pendingLength - _windowStart;
            _pending.AsSpan(_windowStart, rest).CopyTo(_pending);
            _pendingLength = rest;
            _validatedTo -= _windowStart;
            _windowStart = 0;
        }
        Fill(_pendingLength < _pending.Length ? _pending.Length : _pending.Length * 2);
    }

    /// <summary>Checks the UTF-8 of the window up to where the JSON reader got (always just after a token).</summary>
    private bool ValidateWindow()
    {
        var end = _eof && _arrayClosed ? _pendingLength : _windowStart;
        if (end <= _validatedTo) return true;
        var valid = Utf8.IsValid(_pending.AsSpan(_validatedTo, end - _validatedTo));
        _validatedTo = end;
        return valid;
    }

    /// <summary>Whether everything from the validated point to the end of the input is valid UTF-8.</summary>
    private bool ValidateRest()
    {
        var from = _validatedTo;
        while (true)
        {
            var data = _pending.AsSpan(from, _pendingLength - from);
            var tail = _eof ? 0 : IncompleteTail(data);
            if (!Utf8.IsValid(data[..^tail])) return false;
            if (_eof) return true;
            var keep = data[^tail..].ToArray();
            keep.CopyTo(_pending, 0);
            _pendingLength = keep.Length;
            from = 0;
            Fill(Math.Max(_pending.Length, 16));
        }
    }

    /// <summary>How many bytes at the end of <paramref name="data"/> start a character that continues beyond it.</summary>
    private static int IncompleteTail(ReadOnlySpan<byte> data)
    {
        for (var k = 1; k <= Math.Min(3, data.Length); k++)
        {
            var b = data[^k];
            if ((b & 0xC0) == 0x80) continue;
            if (b < 0xC0) return 0;
            var size = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            return size > k ? k : 0;
        }
        return 0;
    }

    private static void Append(ref byte[] chunk, ref int length, ReadOnlySpan<byte> element)
    {
        var needed = length + 4 + element.Length;
        if (needed > chunk.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, chunk.Length * 2));
            chunk.AsSpan(0, length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(chunk);
            chunk = bigger;
        }
        BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(length), element.Length);
        element.CopyTo(chunk.AsSpan(length + 4));
        length = needed;
    }

    /// <summary>Some bytes already read, then the rest of a stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _offset;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_offset < prefix.Length)
            {
                var n = Math.Min(buffer.Length, prefix.Length - _offset);
                prefix.AsSpan(_offset, n).CopyTo(buffer);
                _offset += n;
                return n;
            }
            return inner.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>The UTF-8 bytes of a <see cref="TextReader"/>'s text.</summary>
    private sealed class TextReaderStream(TextReader text) : Stream
    {
        private readonly char[] _chars = new char[4096];
        private readonly byte[] _bytes = new byte[4096 * 3 + 8];
        private readonly Encoder _encoder = Utf8NoBom.GetEncoder();
        private int _offset;
        private int _count;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_offset == _count)
            {
                var chars = text.Read(_chars, 0, _chars.Length);
                // A lone surrogate cannot be UTF-8: it becomes U+FFFD (the only difference from reading the text as is).
                _count = _encoder.GetBytes(_chars, 0, chars, _bytes, 0, flush: chars == 0);
                _offset = 0;
                if (chars == 0 && _count == 0) return 0;
            }
            var n = Math.Min(buffer.Length, _count - _offset);
            _bytes.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
