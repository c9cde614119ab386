using System.Runtime.CompilerServices;
using TariffLang.Ledgers;
using TariffLang.Runtime;
using TariffLang.Semantics;

namespace TariffLang.Rating;

/// <summary>
/// A ledger file streamed from disk: the reader thread cuts it into chunks of whole records, and each worker types the
/// records of a chunk straight from their UTF-8 bytes into the event's slots (no dictionary, no string per value unless
/// it is a new text). The checks and messages are the <see cref="EventBinder"/>'s, as for a ledger in memory.
/// </summary>
internal sealed class FileLedgerInput : LedgerInput
{
    private readonly string _path;
    private readonly int _chunkSize;
    private readonly LedgerStreamReader _reader;

    private readonly IProgress<double>? _progress;
    private readonly CancellationToken _cancellation;
    private readonly long _size;
    private long _read;

    public FileLedgerInput(string path, int chunkSize = LedgerStreamReader.DefaultChunkSize, IProgress<double>? progress = null,
        CancellationToken cancellation = default)
    {
        _path = path;
        _chunkSize = chunkSize;
        _progress = progress;
        _cancellation = cancellation;
        _reader = LedgerStreamReader.Open(path, _chunkSize);
        _size = progress is null ? 0 : Math.Max(1, new FileInfo(path) is { Exists: true } file ? file.Length : 1);
    }

    public override string? Problem => _reader.Problem;

    public override bool ProblemVoidsRows => _reader.DiscardsRows;

    private sealed class Chunk(LedgerChunk inner) : InputChunk
    {
        public LedgerChunk Inner { get; } = inner;

        public override void Dispose() => Inner.Dispose();
    }

    public override bool TryRead(out InputChunk chunk)
    {
        _cancellation.ThrowIfCancellationRequested();
        if (_reader.TryReadChunk(out var inner))
        {
            chunk = new Chunk(inner) { Index = inner.Index };
            if (_progress is not null)
            {
                _read += inner.Length;
                _progress.Report(Math.Min(1.0, (double)_read / _size));
            }
            return true;
        }
        // The header and the end of the file are in no chunk: the end is the whole file read.
        _progress?.Report(1.0);
        chunk = null!;
        return false;
    }

    public override ChunkParser CreateParser(RowTyper typer) => new Parser(_reader.CreateParser(), typer);

    public override LedgerInput Reopen() => new FileLedgerInput(_path, _chunkSize, _progress, _cancellation);

    public override void Dispose() => _reader.Dispose();

    private sealed class Parser(LedgerRecordParser records, RowTyper typer) : ChunkParser
    {
        private readonly Utf8StringCache _names = new();
        private readonly Utf8Map<(AccountEntry Entry, int Partition)> _accounts = new();
        // Texts repeat (users, kinds, contacts): a cache per column spares a string for each repeat, and a column of many
        // values (contacts) does not evict those of a column of few.
        private Utf8StringCache?[] _textsOfColumn = new Utf8StringCache?[8];
        private readonly CheckedTariff _tariff = typer.Binder.Tariff;

        // For each event kind, the attribute each column is (by column id), or -1 when the event has no such attribute.
        private readonly int[][] _attributeOfColumn = typer.Binder.Tariff.Events.Select(_ => Array.Empty<int>()).ToArray();

        // For each event kind, which attributes are texts read only as keys (typed as words).
        private readonly bool[][] _keyOnly = typer.Binder.KeyOnlyTexts.Select(e => e.ToArray()).ToArray();

        // For the record in hand: which of its attributes each of the event's attributes is (-1: absent).
        private int[] _given = new int[8];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Parse(InputChunk input, ParsedChunk into, bool replayOnly)
        {
            records.Reset(((Chunk)input).Inner);
            while (records.MoveNext())
            {
                if (records.Error is { } error)
                {
                    if (!replayOnly) into.Errors.Add((records.Row, error));
                    continue;
                }
                var accountBytes = records.Account;
                var hash = Utf8StringCache.Hash(accountBytes);
                if (!_accounts.TryGetValue(accountBytes, hash, out var known))
                {
                    known.Entry = typer.Account(System.Text.Encoding.UTF8.GetString(accountBytes), out known.Partition);
                    _accounts.Add(accountBytes, hash, known);
                }
                var (account, partition) = known;
                if (replayOnly && !account.Replay) continue;
                var batch = into.Batches[partition];
                ref var r = ref batch.Add();
                r.Row = records.Row;
                r.Account = account;
                r.Quantity = records.Quantity;
                r.Id = records.Id.IsEmpty ? null : System.Text.Encoding.UTF8.GetString(records.Id);
                var kind = typer.Binder.Kind(records.Event);
                var problem = typer.Head(ref r, records.Time, kind, kind < 0 ? _names.GetString(records.Event) : null);
                if (problem is null)
                {
                    r.SlotBase = batch.ReserveSlots(typer.Binder.AttributeCount(r.Kind));
                    problem = BindAttributes(r.Kind, batch.Slots, r.SlotBase);
                }
                r.Problem = problem;
            }
        }

        /// <summary>The record's attributes into the event's slots: the same checks, in the same order, as <see
        /// cref="EventBinder.BindAttributes"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private string? BindAttributes(int kind, Value[] slots, int slotBase)
        {
            var symbol = _tariff.Events[kind];
            var attributes = symbol.Attributes;
            var keyOnly = _keyOnly[kind];
            if (_given.Length < attributes.Length) _given = new int[attributes.Length * 2];
            Array.Fill(_given, -1, 0, attributes.Length);
            List<string>? unknown = null;
            var map = _attributeOfColumn[kind];
            for (var i = 0; i < records.AttributeCount; i++)
            {
                var column = records.AttributeColumn(i);
                if (column >= map.Length) map = Extend(kind, column);
                var attribute = map[column];
                if (attribute < 0) (unknown ??= new List<string>()).Add(records.ColumnName(column));
                else _given[attribute] = i;
            }
            for (var a = 0; a < attributes.Length; a++)
            {
                var attribute = attributes[a];
                if (_given[a] < 0)
                {
                    slots[slotBase + a] = Value.None;
                    if (attribute.Type.Optional) continue;
                    return EventBinder.NeedsAttribute(symbol, attribute);
                }
                var texts = attribute.Type.Kind == TypeKind.Text ? Texts(records.AttributeColumn(_given[a])) : null;
                if (keyOnly[a])
                {
                    slots[slotBase + a] = AttributeParser.KeyText(records.AttributeValue(_given[a]), texts!);
                    continue;
                }
                if (!AttributeParser.TryParse(records.AttributeValue(_given[a]), attribute.Type, texts, out var value, out var error))
                    return EventBinder.BadAttribute(attribute, error!);
                slots[slotBase + a] = value;
            }
            return unknown is null ? null : EventBinder.UnknownAttributes(symbol, unknown);
        }

        private Utf8StringCache Texts(int column)
        {
            if (column >= _textsOfColumn.Length) Array.Resize(ref _textsOfColumn, Math.Max(column + 1, _textsOfColumn.Length * 2));
            return _textsOfColumn[column] ??= new Utf8StringCache();
        }

        /// <summary>Learns the columns up to <paramref name="column"/> (JSON keys get ids as they are met).</summary>
        private int[] Extend(int kind, int column)
        {
            var old = _attributeOfColumn[kind];
            var map = new int[column + 1];
            old.CopyTo(map, 0);
            var symbol = _tariff.Events[kind];
            for (var c = old.Length; c <= column; c++) map[c] = symbol.Find(records.ColumnName(c))?.Index ?? -1;
            _attributeOfColumn[kind] = map;
            return map;
        }
    }
}
