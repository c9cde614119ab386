using System.Globalization;

namespace TariffLang.Bench;

/// <summary>
/// Builds ASCII CSV rows byte by byte and streams them to a file. The generator writes up to ten million rows,
/// so rows are formatted without a string per field, and only the start offset of each row is remembered
/// (for the shuffled variant), never the rows themselves.
/// </summary>
internal sealed class CsvRowWriter : IDisposable
{
    /// <summary>2024-01-01T00:00 in Paris (and Amsterdam), the instant every generated time counts from.</summary>
    public static readonly DateTime EpochUtc = new(2023, 12, 31, 23, 0, 0, DateTimeKind.Utc);

    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    private readonly FileStream _file;
    private readonly byte[] _line = new byte[512];
    private int _length;
    private readonly List<long>? _offsets;

    public CsvRowWriter(string path, bool rememberOffsets)
    {
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _offsets = rememberOffsets ? new List<long>() : null;
    }

    public long Position { get; private set; }

    /// <summary>Where each data row starts (the header is not a data row); null unless asked for.</summary>
    public List<long>? Offsets => _offsets;

    public CsvRowWriter Text(string value)
    {
        foreach (var c in value) _line[_length++] = (byte)c;
        return this;
    }

    public CsvRowWriter Comma()
    {
        _line[_length++] = (byte)',';
        return this;
    }

    public CsvRowWriter Int(long value)
    {
        if (!value.TryFormat(_line.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture))
            throw new InvalidOperationException("row buffer too small");
        _length += written;
        return this;
    }

    /// <summary>Zero-padded to <paramref name="width"/> digits.</summary>
    public CsvRowWriter Padded(long value, int width)
    {
        var start = _length;
        Int(value);
        var digits = _length - start;
        if (digits >= width) return this;
        var pad = width - digits;
        Array.Copy(_line, start, _line, start + pad, digits);
        for (var i = 0; i < pad; i++) _line[start + i] = (byte)'0';
        _length += pad;
        return this;
    }

    /// <summary>
    /// The instant <paramref name="seconds"/> after 2024-01-01T00:00 in Paris, written as Paris wall time with its
    /// offset (+01:00 in winter, +02:00 in summer: Amsterdam keeps the same clock), or in UTC ("Z") when
    /// <paramref name="utc"/> is set. The caller's arithmetic stays in seconds of real time.
    /// </summary>
    public CsvRowWriter Time(long seconds, bool utc = false)
    {
        var instant = EpochUtc.AddSeconds(seconds);
        var offset = utc ? TimeSpan.Zero : Paris.GetUtcOffset(instant);
        var t = instant + offset;
        Padded(t.Year, 4).Byte('-').Padded(t.Month, 2).Byte('-').Padded(t.Day, 2).Byte('T');
        Padded(t.Hour, 2).Byte(':').Padded(t.Minute, 2).Byte(':').Padded(t.Second, 2);
        return utc ? Byte('Z') : Text(offset.Hours == 2 ? "+02:00" : "+01:00");
    }

    /// <summary>Seconds from the epoch to the first day of the month <paramref name="months"/> later, midnight in Paris.</summary>
    public static double SecondsToMonthStart(int months)
    {
        var local = new DateTime(2024, 1, 1).AddMonths(months);
        return (TimeZoneInfo.ConvertTimeToUtc(local, Paris) - EpochUtc).TotalSeconds;
    }

    private CsvRowWriter Byte(char c)
    {
        _line[_length++] = (byte)c;
        return this;
    }

    public void EndRow()
    {
        _line[_length++] = (byte)'\n';
        _offsets?.Add(Position);
        _file.Write(_line, 0, _length);
        Position += _length;
        _length = 0;
    }

    /// <summary>The header line: not counted as a row and not remembered as an offset.</summary>
    public void Header(string columns)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(columns + "\n");
        _file.Write(bytes);
        Position += bytes.Length;
    }

    public void Dispose() => _file.Dispose();
}
