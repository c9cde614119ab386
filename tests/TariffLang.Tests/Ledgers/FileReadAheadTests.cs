using System.Text;
using Shouldly;
using TariffLang.Ledgers;

namespace TariffLang.Tests.Ledgers;

public sealed class FileReadAheadTests : IDisposable
{
    private const long MB = 1L << 20;

    private readonly string _directory = Directory.CreateTempSubdirectory("tariff-read-ahead-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void NextRequest_ReaderAtStart_AsksStepByStepUpToTheWindow()
    {
        var asked = 0L;
        var requests = new List<(long, long)>();
        while (FileReadAhead.NextRequest(asked, 0, 100 * MB) is var (from, length) && length > 0)
        {
            requests.Add((from, length));
            asked = from + length;
        }

        requests.ShouldBe([(0, 8 * MB), (8 * MB, 8 * MB), (16 * MB, 8 * MB), (24 * MB, 8 * MB)]);
        asked.ShouldBe(FileReadAhead.Window);
    }

    [Theory]
    [InlineData(32, 1, 100, 32, 8)] // the reader moved on: one step more
    [InlineData(40, 1, 100, 40, 0)] // the window is full: nothing now
    [InlineData(8, 50, 100, 50, 8)] // the reader is past what was asked: start at the reader
    [InlineData(97, 90, 100, 97, 3)] // near the end: cut at the file's length
    [InlineData(100, 90, 100, 100, 0)] // all asked: nothing more
    public void NextRequest_WhereTheReaderIs_AsksTheNextRange(long askedMb, long positionMb, long fileMb, long fromMb,
        long lengthMb)
    {
        var (from, length) = FileReadAhead.NextRequest(askedMb * MB, positionMb * MB, fileMb * MB);

        length.ShouldBe(lengthMb * MB);
        if (length > 0) from.ShouldBe(fromMb * MB);
    }

    [Fact]
    public void For_LargeFileOnLinux_KernelTakesEveryRequest()
    {
        // The same condition as FileReadAhead.For: elsewhere there is nothing to ask (For_Elsewhere_IsNull).
        if (!AsksAhead) return;
        var path = Path.Combine(_directory, "large.csv");
        using (var write = File.Create(path)) write.SetLength(20 * MB);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);

        var readAhead = FileReadAhead.For(file).ShouldNotBeNull();
        readAhead.Reached(0);
        readAhead.Reached(20 * MB);

        readAhead.Asked.ShouldBe(20 * MB);
        readAhead.Refused.ShouldBe(0);
    }

    private static bool AsksAhead => OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    [Fact]
    public void For_Elsewhere_IsNull()
    {
        if (AsksAhead) return;
        var path = Path.Combine(_directory, "large.csv");
        using (var write = File.Create(path)) write.SetLength(20 * MB);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);

        FileReadAhead.For(file).ShouldBeNull();
    }

    [Fact]
    public void For_SmallFile_IsNull()
    {
        var path = Path.Combine(_directory, "small.csv");
        File.WriteAllText(path, "time,account,event\n");
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);

        FileReadAhead.For(file).ShouldBeNull();
    }

    [Theory]
    [InlineData("utf-8", 300_000)]
    [InlineData("utf-16", 150_000)] // read through a transcoding stream: the read-ahead follows the file's own bytes
    public void Open_LedgerLargerThanTheWindow_EveryRowReadOnceAndTheWholeFileAsked(string encoding, int rows)
    {
        // Rows of about 150 characters, more than the window: the reader asks ahead again and again as it moves.
        var path = Path.Combine(_directory, "usage.csv");
        var note = new string('x', 100);
        var text = encoding == "utf-8" ? new UTF8Encoding(false) : (Encoding)new UnicodeEncoding(false, true);
        using (var writer = new StreamWriter(path, append: false, text))
        {
            writer.Write("time,account,event,n,note\n");
            for (var i = 0; i < rows; i++) writer.Write($"2024-01-03T09:15:00Z,account{i % 97},sms,{i},{note}\n");
        }
        var length = new FileInfo(path).Length;
        length.ShouldBeGreaterThan(FileReadAhead.Window + FileReadAhead.Step);

        using var reader = LedgerStreamReader.Open(path);
        var parser = reader.CreateParser();
        var seen = new List<int>();
        while (reader.TryReadChunk(out var chunk))
        {
            using (chunk)
            {
                parser.Reset(chunk);
                while (parser.MoveNext()) seen.Add(parser.Row);
            }
        }

        reader.Problem.ShouldBeNull();
        // Rows are numbered as lines of the file, the header being line 1.
        seen.ShouldBe(Enumerable.Range(2, rows));
        reader.ReadAheadAsked.ShouldBe(AsksAhead ? length : null);
    }
}
