using System.Text;
using TariffLang.Ledgers;

namespace TariffLang.Tests.Ledgers;

public sealed class LedgerStreamReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tariff-ledger-stream-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static LedgerStreamReader Open(string text, LedgerFormat format, int chunkSize) =>
        LedgerStreamReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(text)), format, "usage", chunkSize);

    /// <summary>Every chunk with its first row and the rows (or errors) its records get.</summary>
    private static List<(int Index, int FirstRow, int RowCount, string Bytes, int[] Rows)> Chunks(LedgerStreamReader reader)
    {
        var chunks = new List<(int, int, int, string, int[])>();
        var parser = reader.CreateParser();
        while (reader.TryReadChunk(out var chunk))
        {
            using (chunk)
            {
                parser.Reset(chunk);
                var rows = new List<int>();
                while (parser.MoveNext()) rows.Add(parser.Row);
                chunks.Add((chunk.Index, chunk.FirstRow, chunk.RowCount, Encoding.UTF8.GetString(chunk.Bytes), [.. rows]));
            }
        }
        return chunks;
    }

    private const string CsvText = "\n time ,account,event,note\r\n\r\n2024-01-03T09:15:00Z,a,sms,\"one\ntwo\"\n   \n"
                                   + "2024-01-03T09:16:00Z,b,sms,\"x\r\ny\"\r2024-01-03T09:17:00Z,c,sms,\"\u3000\"\n\u00A0\n"
                                   + "2024-01-03T09:18:00Z,d,sms,";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(1 << 20)]
    public void TryReadChunk_Csv_CutsWholeRecordsAndNumbersThemAsTheReader(int chunkSize)
    {
        using var reader = Open(CsvText, LedgerFormat.Csv, chunkSize);

        var chunks = Chunks(reader);

        reader.Problem.ShouldBeNull();
        chunks.Select(c => c.Index).ShouldBe(Enumerable.Range(0, chunks.Count));
        chunks.SelectMany(c => c.Rows).ShouldBe([2, 3, 4, 5]);
        string.Concat(chunks.Select(c => c.Bytes)).ShouldBe(CsvText[(CsvText.IndexOf("note\r\n", StringComparison.Ordinal) + 6)..]);
        for (var i = 0; i < chunks.Count; i++)
        {
            chunks[i].FirstRow.ShouldBe(i == 0 ? 2 : chunks[i - 1].FirstRow + chunks[i - 1].RowCount);
            if (chunks[i].Rows.Length > 0) chunks[i].Rows[0].ShouldBe(chunks[i].FirstRow);
            chunks[i].Rows.Length.ShouldBe(chunks[i].RowCount);
        }
        if (chunkSize == 1) chunks.Count.ShouldBeGreaterThanOrEqualTo(4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1 << 20)]
    public void TryReadChunk_JsonLines_FirstRowIsThePhysicalLine(int chunkSize)
    {
        const string text = "\uFEFF{\"time\":\"2024-01-03T09:15:00Z\",\"account\":\"a\",\"event\":\"sms\"}\r\n\r\n \n"
                            + "{\"time\":\"2024-01-03T09:16:00Z\",\"account\":\"b\",\"event\":\"sms\"}\r{\"bad\"\n";
        using var reader = Open(text, LedgerFormat.JsonLines, chunkSize);

        var chunks = Chunks(reader);

        chunks.SelectMany(c => c.Rows).ShouldBe([1, 4, 5]);
        chunks.Sum(c => c.RowCount).ShouldBe(5);
        for (var i = 1; i < chunks.Count; i++) chunks[i].FirstRow.ShouldBe(chunks[i - 1].FirstRow + chunks[i - 1].RowCount);
    }

    [Fact]
    public void TryReadChunk_JsonArrayWithTinyChunks_OneElementPerChunkNumberedByPosition()
    {
        const string text = "[ {\"time\":\"2024-01-03T09:15:00Z\",\"account\":\"a\",\"event\":\"sms\"},\n 42, [1, {\"x\": [2]}], \"s\" ]\n";
        using var reader = Open(text, LedgerFormat.JsonArray, chunkSize: 1);

        var chunks = Chunks(reader);

        reader.Problem.ShouldBeNull();
        chunks.Select(c => (c.FirstRow, c.RowCount)).ShouldBe([(1, 1), (2, 1), (3, 1), (4, 1)]);
        chunks.SelectMany(c => c.Rows).ShouldBe([1, 2, 3, 4]);
    }

    [Fact]
    public void TryReadChunk_RecordLongerThanTheChunk_IsCutWhole()
    {
        var note = new string('x', 5000);
        var text = $"time,account,event,note\n2024-01-03T09:15:00Z,a,sms,\"{note}\n{note}\"\n2024-01-03T09:16:00Z,b,sms,y\n";
        using var reader = Open(text, LedgerFormat.Csv, chunkSize: 64);
        var parser = reader.CreateParser();

        reader.TryReadChunk(out var chunk).ShouldBeTrue();
        using (chunk)
        {
            parser.Reset(chunk);
            parser.MoveNext().ShouldBeTrue();
            parser.Error.ShouldBeNull();
            Encoding.UTF8.GetString(parser.AttributeValue(0)).ShouldBe(note + "\n" + note);
        }
    }

    [Fact]
    public void TryReadChunk_InvalidUtf8AfterSomeChunks_EndsWithAProblemThatDiscardsRows()
    {
        var path = Path.Combine(_directory, "late.csv");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetBytes("time,account,event\n2024-01-03T09:15:00Z,a,sms\n2024-01-03T09:16:00Z,b,sms\n"),
            (byte)'x', 0xE9, (byte)'\n']);
        using var reader = LedgerStreamReader.Open(path, chunkSize: 8);

        var handedOut = 0;
        while (reader.TryReadChunk(out var chunk))
        {
            chunk.Dispose();
            handedOut++;
        }

        handedOut.ShouldBeGreaterThan(0);
        reader.DiscardsRows.ShouldBeTrue();
        reader.Problem.ShouldBe($"cannot read ledger '{path}': the file is not valid UTF-8 (save it as UTF-8 and try again)");
        reader.TryReadChunk(out _).ShouldBeFalse();
    }

    [Fact]
    public void Open_BadHeader_IsAProblemKnownAtOnceThatKeepsRowsAsErrors()
    {
        using var reader = Open("time,account\n2024-01-03T09:15:00Z,a\n", LedgerFormat.Csv, 1 << 20);

        reader.Problem.ShouldBe("ledger 'usage': ledger has no 'event' column");
        reader.DiscardsRows.ShouldBeFalse();
        var parser = reader.CreateParser();
        reader.TryReadChunk(out var chunk).ShouldBeTrue();
        parser.Reset(chunk);
        parser.MoveNext().ShouldBeTrue();
        parser.Error.ShouldBe("ledger has no 'event' column");
        chunk.Dispose();
    }

    [Theory]
    [InlineData("usage.txt", "Csv", true)]
    [InlineData("usage.CSV", "Csv", false)]
    [InlineData("usage.ndjson", "JsonLines", false)]
    [InlineData("usage.json", "JsonArray", false)]
    public void Open_Extension_ChoosesTheFormatAsTheReader(string name, string format, bool unknown)
    {
        using var reader = LedgerStreamReader.Open(new MemoryStream("\uFEFF \n[]"u8.ToArray()), Path.GetExtension(name), name);

        reader.Format.ToString().ShouldBe(format);
        (reader.Problem?.StartsWith("cannot tell the format", StringComparison.Ordinal) ?? false).ShouldBe(unknown);
    }

    [Fact]
    public void Dispose_Chunk_GivesItsBufferBackOnce()
    {
        using var reader = Open("time,account,event\n2024-01-03T09:15:00Z,a,sms\n", LedgerFormat.Csv, 1 << 20);
        reader.TryReadChunk(out var chunk).ShouldBeTrue();

        chunk.Dispose();
        chunk.Dispose();

        Should.Throw<ObjectDisposedException>(() => chunk.Bytes.Length);
    }

    [Fact]
    public void MoveNext_TypicalCsvRow_GivesReservedValuesAndAttributeSpans()
    {
        using var reader = Open("time,account,event,source,start,length,id\n"
                                + "2024-01-15T10:23:00+01:00, store-0042 ,appointment,calendoc,2024-01-20T10:00:00+01:00,,\n",
            LedgerFormat.Csv, 1 << 20);
        var parser = reader.CreateParser();
        reader.TryReadChunk(out var chunk).ShouldBeTrue();
        parser.Reset(chunk);

        parser.MoveNext().ShouldBeTrue();

        parser.Error.ShouldBeNull();
        parser.Row.ShouldBe(2);
        parser.Time.ShouldBe(new DateTimeOffset(2024, 1, 15, 10, 23, 0, TimeSpan.FromHours(1)));
        Encoding.UTF8.GetString(parser.Account).ShouldBe("store-0042");
        Encoding.UTF8.GetString(parser.Event).ShouldBe("appointment");
        parser.Quantity.ShouldBe(1m);
        parser.Id.IsEmpty.ShouldBeTrue();
        Enumerable.Range(0, parser.AttributeCount)
            .Select(i => (parser.ColumnName(parser.AttributeColumn(i)), Encoding.UTF8.GetString(parser.AttributeValue(i))))
            .ShouldBe([("source", "calendoc"), ("start", "2024-01-20T10:00:00+01:00")]);
        parser.MoveNext().ShouldBeFalse();
        chunk.Dispose();
    }

    [Fact]
    public void MoveNext_JsonRecordWithMoreNewKeysThanTheDuplicateTable_ReadsEveryKeyAndStillFindsRepeats()
    {
        var keys = Enumerable.Range(0, 40).Select(i => $"\"k{i}\":{i}");
        var first = "{\"time\":\"2024-01-15T10:23:00Z\",\"account\":\"a\",\"event\":\"sms\"," + string.Join(",", keys) + "}";
        var repeat = "{\"time\":\"2024-01-15T10:23:00Z\",\"account\":\"a\",\"event\":\"sms\",\"k39\":1,\"k39\":2}";
        using var reader = Open(first + "\n" + repeat + "\n", LedgerFormat.JsonLines, 1 << 20);
        var parser = reader.CreateParser();
        reader.TryReadChunk(out var chunk).ShouldBeTrue();
        parser.Reset(chunk);

        parser.MoveNext().ShouldBeTrue();
        parser.Error.ShouldBeNull();
        parser.AttributeCount.ShouldBe(40);
        parser.ColumnName(parser.AttributeColumn(39)).ShouldBe("k39");
        Encoding.UTF8.GetString(parser.AttributeValue(39)).ShouldBe("39");
        parser.MoveNext().ShouldBeTrue();
        parser.Error.ShouldNotBeNull().ShouldContain("k39");
        chunk.Dispose();
    }
}

/// <summary>
/// Behaviour of the old reader that looks like a bug but is kept, so that the new reader changes no result: each test
/// runs the oracle and the new reader on the same input.
/// </summary>
public sealed class LedgerReaderQuirkTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tariff-ledger-quirks-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Read_Utf8BomThenInvalidBytes_IsReadWithReplacementCharactersNotAsAProblem()
    {
        // StreamReader switches to the lenient Encoding.UTF8 when it sees a UTF-8 BOM, so the strict decoding the
        // reader asks for only applies to files without one.
        var path = Path.Combine(_directory, "bom.csv");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "time,account,event,note\n2024-01-03T09:15:00Z,caf"u8, 0xE9, .. ",sms,x\n"u8]);

        var expected = ReferenceLedgerReader.Read(path);
        var actual = LedgerReader.Read(path);

        expected.Problem.ShouldBeNull();
        expected.Rows.ShouldHaveSingleItem().Account.ShouldBe("caf\uFFFD");
        Outcome.Difference(expected, actual).ShouldBeNull();
    }

    [Fact]
    public void Read_OffsetWithNonAsciiDigits_ThrowsFormatExceptionOutOfTheRead()
    {
        // The time regex's \d matches any Unicode digit; int.Parse then throws instead of the row getting an error.
        var path = Path.Combine(_directory, "offset.csv");
        File.WriteAllText(path, "time,account,event\n2024-01-03T09:15:00+\u0661\u0662:00,a,sms\n");

        var expected = Should.Throw<FormatException>(() => ReferenceLedgerReader.Read(path));
        var actual = Should.Throw<FormatException>(() => LedgerReader.Read(path));

        actual.Message.ShouldBe(expected.Message);
    }

    [Theory]
    [InlineData("{\"time\":\"2024-01-03T09:15:00Z\",\"account\":\"\\ud800\",\"event\":\"sms\"}")]
    [InlineData("{\"\\udc00\":1}")]
    public void ReadJsonLines_LoneSurrogateEscape_ThrowsInvalidOperationExceptionOutOfTheRead(string line)
    {
        // JsonElement.GetString throws on it, and only JsonException was caught.
        var expected = Should.Throw<InvalidOperationException>(() => ReferenceLedgerReader.ReadJsonLines(new StringReader(line), "u"));
        var actual = Should.Throw<InvalidOperationException>(() => LedgerReader.ReadJsonLines(new StringReader(line), "u"));

        actual.Message.ShouldBe(expected.Message);
    }

    [Fact]
    public void ReadJsonLines_LoneSurrogateAfterAnEarlierProblem_IsThatProblem()
    {
        const string line = "{\"a\":{},\"b\":\"\\ud800\"}";

        var expected = ReferenceLedgerReader.ReadJsonLines(new StringReader(line), "u");
        var actual = LedgerReader.ReadJsonLines(new StringReader(line), "u");

        expected.Errors.ShouldHaveSingleItem().Message.ShouldStartWith("key 'a' holds an object");
        Outcome.Difference(expected, actual).ShouldBeNull();
    }

    [Fact]
    public void ReadCsv_TextWithALoneSurrogate_GetsAReplacementCharacter()
    {
        // The one known difference, for in-memory text only: UTF-8 cannot carry a lone surrogate (a file never has one).
        var ledger = LedgerReader.ReadCsv(new StringReader("time,account,event\n2024-01-03T09:15:00Z,a\uD800,sms\n"), "u");

        ledger.Rows.ShouldHaveSingleItem().Account.ShouldBe("a\uFFFD");
        ReferenceLedgerReader.ReadCsv(new StringReader("time,account,event\n2024-01-03T09:15:00Z,a\uD800,sms\n"), "u")
            .Rows.ShouldHaveSingleItem().Account.ShouldBe("a\uD800");
    }
}
