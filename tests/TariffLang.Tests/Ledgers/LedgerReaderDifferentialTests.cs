using System.Globalization;
using System.Text;
using TariffLang.Ledgers;

namespace TariffLang.Tests.Ledgers;

/// <summary>
/// The streaming reader against the oracle (the reader it replaces, kept verbatim): for hundreds of seeded hostile
/// ledgers, read from files, from trickling streams and from text, with chunk sizes down to one byte, the ledgers must
/// be identical: rows with their attributes, errors, the problem, or the very same exception.
/// </summary>
public sealed class LedgerReaderDifferentialTests : IDisposable
{
    private const int Batches = 10;
    private static readonly int[] ChunkSizes = [1, 5, 17, 100, LedgerStreamReader.DefaultChunkSize];

    private readonly string _directory = Directory.CreateTempSubdirectory("tariff-ledger-diff-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var format in (string[])["csv", "jsonl", "json-array", "json-lines"])
        {
            for (var batch = 0; batch < Batches; batch++) data.Add(format, batch);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Read_SeededHostileFiles_GiveTheOraclesLedger(string format, int batch)
    {
        var failures = new List<string>();
        for (var seed = batch * 40; seed < (batch + 1) * 40; seed++)
        {
            var (text, extension) = Generate(format, seed);
            var bytes = LedgerCorpus.Encode(text, seed);
            var path = Path.Combine(_directory, $"{format}-{seed}{extension}");
            File.WriteAllBytes(path, bytes);
            var expected = Outcome.Of(() => ReferenceLedgerReader.Read(path));

            Check(failures, seed, text, "Read(path)", expected, Outcome.Of(() => LedgerReader.Read(path)));
            foreach (var size in ChunkSizes)
            {
                Check(failures, seed, text, $"Open(path, {size})", expected,
                    Outcome.Of(() => LedgerReader.Materialise(LedgerStreamReader.Open(path, size))));
            }
            Check(failures, seed, text, "Open(trickling stream, 3)", expected, Outcome.Of(() =>
                LedgerReader.Materialise(LedgerStreamReader.Open(new TricklingStream(bytes, seed), extension, path, 3))));
        }
        failures.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReadText_SeededHostileText_GivesTheOraclesLedger(string format, int batch)
    {
        var failures = new List<string>();
        for (var seed = batch * 40; seed < (batch + 1) * 40; seed++)
        {
            var (text, _) = Generate(format, seed);
            Func<TextReader, string, Ledger> oracle = format switch
            {
                "csv" => ReferenceLedgerReader.ReadCsv,
                "jsonl" => ReferenceLedgerReader.ReadJsonLines,
                _ => ReferenceLedgerReader.ReadJson,
            };
            Func<TextReader, string, Ledger> subject = format switch
            {
                "csv" => LedgerReader.ReadCsv,
                "jsonl" => LedgerReader.ReadJsonLines,
                _ => LedgerReader.ReadJson,
            };
            LedgerFormat? streamFormat = format switch { "csv" => LedgerFormat.Csv, "jsonl" => LedgerFormat.JsonLines, _ => null };
            var expected = Outcome.Of(() => oracle(new StringReader(text), "usage"));

            Check(failures, seed, text, "text", expected, Outcome.Of(() => subject(new StringReader(text), "usage")));
            foreach (var size in (int[])[1, 3, 64])
            {
                Check(failures, seed, text, $"text, chunk {size}", expected, Outcome.Of(() =>
                    LedgerReader.Materialise(LedgerStreamReader.OpenText(new StringReader(text), streamFormat, "usage", size))));
            }
        }
        failures.ShouldBeEmpty();
    }

    private static (string Text, string Extension) Generate(string format, int seed) => format switch
    {
        "csv" => (LedgerCorpus.Csv(seed), seed % 5 == 0 ? ".CSV" : ".csv"),
        "jsonl" => (LedgerCorpus.JsonLines(seed), seed % 2 == 0 ? ".jsonl" : ".ndjson"),
        "json-array" => (LedgerCorpus.JsonArray(seed), ".json"),
        _ => (LedgerCorpus.JsonLines(seed), ".json"),
    };

    private static void Check(List<string> failures, int seed, string text, string how, Outcome expected, Outcome actual)
    {
        if (failures.Count >= 5) return;
        var difference = expected.Difference(actual);
        if (difference is not null)
        {
            failures.Add($"seed {seed}, {how}: {difference}\n  input: {Show(text)}");
        }
    }

    private static string Show(string text)
    {
        var shown = new StringBuilder();
        foreach (var c in text.Length > 600 ? text[..600] + "…" : text)
        {
            shown.Append(c is >= ' ' and < '\x7f' ? c.ToString() : $"\\u{(int)c:X4}");
        }
        return shown.ToString();
    }
}

/// <summary>A ledger, or the exception reading it threw; compared exactly (offsets of times and scales of decimals too).</summary>
internal sealed record Outcome(Ledger? Ledger, Exception? Exception)
{
    public static Outcome Of(Func<Ledger> read)
    {
        try
        {
            return new Outcome(read(), null);
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            return new Outcome(null, ex);
        }
    }

    public string? Difference(Outcome actual)
    {
        if (Exception is not null || actual.Exception is not null)
        {
            if (Exception?.GetType() == actual.Exception?.GetType() && Exception?.Message == actual.Exception?.Message) return null;
            return $"expected {Describe(this)} but got {Describe(actual)}";
        }
        return Difference(Ledger!, actual.Ledger!);
    }

    private static string Describe(Outcome outcome) => outcome.Exception is { } ex
        ? $"{ex.GetType().Name}: {ex.Message}"
        : $"a ledger ({outcome.Ledger!.Rows.Length} rows, {outcome.Ledger.Errors.Length} errors, "
          + $"problem {outcome.Ledger.Problem ?? "none"})";

    public static string? Difference(Ledger expected, Ledger actual)
    {
        if (expected.Path != actual.Path) return $"path '{expected.Path}' vs '{actual.Path}'";
        if (expected.Problem != actual.Problem) return $"problem '{expected.Problem}' vs '{actual.Problem}'";
        for (var i = 0; i < Math.Max(expected.Errors.Length, actual.Errors.Length); i++)
        {
            var e = i < expected.Errors.Length ? expected.Errors[i] : null;
            var a = i < actual.Errors.Length ? actual.Errors[i] : null;
            if (e != a) return $"error {i}: {e} vs {a}";
        }
        for (var i = 0; i < Math.Max(expected.Rows.Length, actual.Rows.Length); i++)
        {
            var e = i < expected.Rows.Length ? Show(expected.Rows[i]) : "none";
            var a = i < actual.Rows.Length ? Show(actual.Rows[i]) : "none";
            if (e != a) return $"row {i}:\n    expected {e}\n    actual   {a}";
        }
        return null;
    }

    /// <summary>Everything a row holds, exactly: the time with its offset, the decimal with its scale and sign.</summary>
    public static string Show(LedgerRow row)
    {
        var attributes = string.Join(", ",
            row.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={Quote(a.Value)}"));
        var quantity = string.Join(",", decimal.GetBits(row.Quantity).Select(b => b.ToString(CultureInfo.InvariantCulture)));
        return $"row {row.Row} id={Quote(row.Id)} time={row.Time.Ticks}{row.Time.Offset} account={Quote(row.Account)} "
               + $"event={Quote(row.Event)} quantity={row.Quantity.ToString(CultureInfo.InvariantCulture)}[{quantity}] {{{attributes}}}";
    }

    private static string Quote(string? text) =>
        text is null ? "null" : "'" + string.Concat(text.Select(c => c is >= ' ' and < '\x7f' ? c.ToString() : $"\\u{(int)c:X4}")) + "'";
}

/// <summary>A stream that hands out a few bytes per read, so that every record and character straddles reads.</summary>
internal sealed class TricklingStream(byte[] bytes, int seed) : MemoryStream(bytes)
{
    private readonly Random _random = new(seed);

    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, _random.Next(1, 8)));

    public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, _random.Next(1, 8))]);
}
