using System.Globalization;
using System.Text;
using TariffLang.Tests.Reference;
using TariffLang.Ledgers;
using TariffLang.Runtime;
using TariffLang.Semantics;

namespace TariffLang.Tests.Ledgers;

public sealed class AttributeParserTests
{
    private static readonly TlType[] Types =
    [
        TlType.Number, TlType.Int, TlType.Money, TlType.Text, TlType.Bool, TlType.Date, TlType.Time, TlType.Duration, TlType.Tags,
        TlType.Quantity("sms"), TlType.MoneyPer("sms"), TlType.EventSetOf("sms"), TlType.Error,
    ];

    private static readonly string[] Fixed =
    [
        "", "0", "-0", "+0", "-0.00", "1", "1.50", "+5", "5.", ".5", "-.5", "+.5", ".", "+", "-", "1e3", "1E3", "5%", "-5%", "5.5%", "%",
        "%5", "5 %", " 5", "5 ", "1,5", "1_000", "0x10", "٣", "３", "12345678901234567890", "1234567890123456789", "9999999999999999999",
        "18446744073709551615", "18446744073709551616", "79228162514264337593543950335", "79228162514264337593543950336",
        "0.0000000000000000000000000001", "0.00000000000000000000000000001", "1.0", "2.00", "-7.000", "007", "00.10", "1..2",
        "true", "TRUE", "True", "tRue", "1", "yes", "Yes", "false", "FALSE", "False", "0", "no", "No", "", " true",
        "2024-01-15", "2024-02-29", "2023-02-29", "0000-01-01", "0001-01-01", "9999-12-31", "2024-1-15", "2024-01-15 ", "2024/01/15",
        "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32", "２０２４-01-15",
        "2024-01-20T10:00:00+01:00", "2024-01-20T10:00:00Z", "2024-01-20T10:00:00z", "2024-01-20t10:00:00Z", "2024-01-20T10:00:00",
        "2024-01-20T10:00+01:00", "2024-01-20T10:00:00.1234567+01:00", "2024-01-20T10:00:00.12345678+01:00", "2024-01-20T10:00:00.+01:00",
        "2024-01-20T10:00:00+0100", "2024-01-20T10:00:00+01", "2024-01-20T10:00:00+14:00", "2024-01-20T10:00:00-14:00",
        "2024-01-20T10:00:00+14:01", "2024-01-20T10:00:00+13:59", "2024-01-20T10:00:00+15:00", "2024-01-20T24:00:00Z",
        "2024-01-20T23:59:60Z", "0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00-01:00", "9999-12-31T23:59:59-01:00",
        "9999-12-31T23:59:59+01:00", "2024-01-20 10:00:00+01:00", "2024-01-20T10:00:00 +01:00", "2024-01-20T10:00:00+01:00 ",
        " 2024-01-20T10:00:00Z", "2024-01-20", "10:00", "2024-02-30T10:00:00Z", "2024-01-20T10:00:00,5Z", "2024-01-20T10:00:00.5Z",
        "01:30:00", "1.02:03:04", "90", "-00:30", "25:00", "1:2:3", "PT1H", "80s", "2min", "1h", "7d", "PT1M20S", "P1DT2H", "P2W", "P1W2D",
        "P1Y", "P1M", "PT", "P", "PT1.5S", "PT1.5M", "P1DT", "PT1S1M", "80.5", "-5s", "1:20", "0s", "P36525D", "P36526D", "１s", "PT٣S",
        "80 s", "80S", "1e3s", "999999999999999s", "PT99999999999999999999H", "P0D", "a;b", "a|b; c ;;", " ", ";", "x", "é", "😀",
        "\u00A0",
        "hello world", "calendoc",
    ];

    public static TheoryData<int> Batches()
    {
        var data = new TheoryData<int>();
        for (var batch = 0; batch < 8; batch++) data.Add(batch);
        return data;
    }

    [Fact]
    public void TryParse_FixedEdgeInputs_AgreeWithRuntimeOpsParse()
    {
        var failures = new List<string>();
        foreach (var text in Fixed)
        {
            foreach (var type in Types) Compare(failures, text, type);
        }
        failures.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Batches))]
    public void TryParse_SeededInputs_AgreeWithRuntimeOpsParse(int batch)
    {
        var failures = new List<string>();
        var random = new Random(batch);
        for (var i = 0; i < 2500; i++)
        {
            var text = Generate(random);
            foreach (var type in Types) Compare(failures, text, type);
        }
        failures.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("1.50", 150, 2)]
    [InlineData("-0", 0, 0)]
    [InlineData("00.10", 10, 2)]
    [InlineData("5.", 5, 0)]
    public void TryParse_PlainDecimal_KeepsTheScaleOfDecimalTryParse(string text, int units, int scale)
    {
        AttributeParser.TryParse(Encoding.UTF8.GetBytes(text), TlType.Number, out var value, out var error).ShouldBeTrue();

        error.ShouldBeNull();
        value.Number.Scale.ShouldBe((byte)scale);
        var expected = decimal.Parse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        decimal.GetBits(value.Number).ShouldBe(decimal.GetBits(expected));
        (value.Number * (decimal)Math.Pow(10, scale)).ShouldBe(units);
    }

    [Fact]
    public void TryParse_FractionForInt_IsTheRuntimeOpsError()
    {
        AttributeParser.TryParse("2.5"u8, TlType.Int, out var value, out var error).ShouldBeFalse();

        value.IsNone.ShouldBeTrue();
        error.ShouldBe("'2.5' is not a whole number");
    }

    [Fact]
    public void TryParse_TextWithCache_ReturnsTheSameStringForTheSameBytes()
    {
        var cache = new Utf8StringCache();

        AttributeParser.TryParse("calendoc"u8, TlType.Text, cache, out var first, out _).ShouldBeTrue();
        AttributeParser.TryParse("calendoc"u8, TlType.Text, cache, out var second, out _).ShouldBeTrue();

        second.Text.ShouldBeSameAs(first.Text);
    }

    private static void Compare(List<string> failures, string text, TlType type)
    {
        if (failures.Count >= 10) return;
        var expectedObject = RuntimeOps.Parse(text, type, out var expectedError);
        var ok = AttributeParser.TryParse(Encoding.UTF8.GetBytes(text), type, out var actual, out var actualError);
        if (ok != (expectedError is null) || expectedError != actualError || !SameValue(expectedObject, actual))
        {
            failures.Add($"'{text}' as {type.Kind}{(type.Integer ? " int" : "")}: "
                         + $"expected {Show(expectedObject)} / {expectedError ?? "ok"}, "
                         + $"got {actual} ({actual.Kind}) / {actualError ?? "ok"}");
        }
    }

    /// <summary>Exactly the same value: a decimal's sign of zero and scale, a time's offset, tags in order.</summary>
    private static bool SameValue(object? expected, Value actual) => expected switch
    {
        null => actual.IsNone,
        decimal d => actual.Kind == ValueKind.Number && decimal.GetBits(d).AsSpan().SequenceEqual(decimal.GetBits(actual.Number)),
        string s => actual.Kind == ValueKind.Text && actual.Text == s,
        bool b => actual.Kind == ValueKind.Bool && actual.Bool == b,
        DateOnly d => actual.Kind == ValueKind.Date && actual.Date == d,
        DateTimeOffset t => actual.Kind == ValueKind.Time && actual.Time.EqualsExact(t),
        TimeSpan d => actual.Kind == ValueKind.Duration && actual.Duration == d,
        string[] tags => actual.Kind == ValueKind.Tags && actual.Tags.AsSpan().SequenceEqual(tags),
        _ => false,
    };

    private static string Show(object? value) => value switch
    {
        null => "none",
        decimal d => $"{d.ToString(CultureInfo.InvariantCulture)} [{string.Join(",", decimal.GetBits(d))}]",
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        string[] tags => "[" + string.Join("|", tags) + "]",
        _ => value.ToString() ?? "",
    };

    private static string Generate(Random random)
    {
        switch (random.Next(5))
        {
            case 0:
            case 1:
            {
                var text = new StringBuilder();
                if (random.Next(3) == 0) text.Append("+-"[random.Next(2)]);
                var digits = random.Next(0, random.Next(2) == 0 ? 6 : 24);
                for (var i = 0; i < digits; i++) text.Append(random.Next(5) == 0 ? '0' : (char)('0' + random.Next(10)));
                if (random.Next(2) == 0)
                {
                    text.Append(random.Next(12) == 0 ? ',' : '.');
                    var fraction = random.Next(0, random.Next(2) == 0 ? 4 : 20);
                    for (var i = 0; i < fraction; i++) text.Append((char)('0' + random.Next(10)));
                }
                if (random.Next(10) == 0) text.Append("e" + random.Next(-3, 4));
                if (random.Next(6) == 0) text.Append('%');
                if (random.Next(20) == 0) text.Insert(random.Next(text.Length + 1), ' ');
                return text.ToString();
            }
            case 2:
            {
                var time = new DateTimeOffset(random.Next(1, 10000), random.Next(1, 13), random.Next(1, 29),
                    random.Next(24), random.Next(60), random.Next(60), TimeSpan.Zero);
                var text = time.ToString(random.Next(4) == 0 ? "yyyy-MM-dd" : "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
                if (random.Next(8) == 0) text = text.Replace("-0", "-3", StringComparison.Ordinal);
                if (random.Next(3) == 0) text += "." + new string('7', random.Next(0, 10));
                text += random.Next(5) switch
                {
                    0 => "Z",
                    1 => "",
                    _ => $"{"+-"[random.Next(2)]}{random.Next(0, 16):D2}:{(random.Next(3) == 0 ? random.Next(60) : 0):D2}",
                };
                return text;
            }
            case 3:
                return $"{random.Next(30)}:{random.Next(70):D2}" + (random.Next(2) == 0 ? $":{random.Next(70):D2}" : "");
            default:
            {
                string[] parts = ["a", "b", " ", ";", "|", "é", "true", "no", "1", "x y", "\u3000"];
                return string.Concat(Enumerable.Range(0, random.Next(0, 6)).Select(_ => parts[random.Next(parts.Length)]));
            }
        }
    }
}

public sealed class Utf8StringCacheTests
{
    [Fact]
    public void GetString_SameBytes_ReturnsTheCachedString()
    {
        var cache = new Utf8StringCache();

        var first = cache.GetString("store-0042"u8);
        var second = cache.GetString("store-0042"u8);

        second.ShouldBe("store-0042");
        second.ShouldBeSameAs(first);
    }

    [Theory]
    [InlineData("")]
    [InlineData("é😀")]
    [InlineData("a longer value than the cache keeps, so it is decoded each time it is met, never stored")]
    public void GetString_AnyText_DecodesExactly(string text)
    {
        new Utf8StringCache(slots: 8, maxLength: 16).GetString(Encoding.UTF8.GetBytes(text)).ShouldBe(text);
    }

    [Fact]
    public void GetString_ManyDistinctValues_StaysCorrectWithinItsFixedSlots()
    {
        var cache = new Utf8StringCache(slots: 64, maxLength: 32);

        for (var i = 0; i < 200_000; i++)
        {
            var text = "account-" + i.ToString(CultureInfo.InvariantCulture);
            cache.GetString(Encoding.UTF8.GetBytes(text)).ShouldBe(text);
        }

        cache.Slots.ShouldBe(64);
    }

    [Fact]
    public void GetString_CollidingSlots_NeverConfusesValues()
    {
        var cache = new Utf8StringCache(slots: 1, maxLength: 8);

        cache.GetString("abcdef"u8).ShouldBe("abcdef");
        cache.GetString("abc"u8).ShouldBe("abc");
        cache.GetString("abcdef"u8).ShouldBe("abcdef");
        cache.GetString("abd"u8).ShouldBe("abd");
    }

    [Fact]
    public void GetString_ValuesDifferingInTheirLastByte_AllStayCached()
    {
        // The hash once left such values in a handful of slots, where they kept evicting each other.
        var cache = new Utf8StringCache(slots: 1 << 10);
        var names = Enumerable.Range(1, 8)
            .Select(i => Encoding.UTF8.GetBytes("agent-" + i.ToString(CultureInfo.InvariantCulture)))
            .ToArray();
        var random = new Random(1);
        var instances = new HashSet<string>(ReferenceEqualityComparer.Instance);

        for (var i = 0; i < 10_000; i++) instances.Add(cache.GetString(names[random.Next(names.Length)]));

        instances.Count.ShouldBe(8);
    }

    [Theory]
    [InlineData("kept")]
    [InlineData("fifteen-bytes-x")]
    [InlineData("sixteen-bytes-xy")]
    [InlineData("é😀 non-ASCII")]
    [InlineData("a value longer than fifteen bytes, checked against the string")]
    public void GetString_InlineOrLongerValue_DecodesExactlyAndReusesItsString(string text)
    {
        // Up to 15 bytes a value is compared inline, longer ones against the string: both ways around the boundary.
        var cache = new Utf8StringCache(slots: 1, maxLength: 128);
        var bytes = Encoding.UTF8.GetBytes(text);

        var first = cache.GetString(bytes);
        var second = cache.GetString(bytes);
        var other = cache.GetString(Encoding.UTF8.GetBytes(text + "\0"));

        first.ShouldBe(text);
        second.ShouldBeSameAs(first);
        other.ShouldBe(text + "\0");
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0x62 }, "ab", true)]
    [InlineData(new byte[] { 0x61, 0x62 }, "ac", false)]
    [InlineData(new byte[] { 0x61, 0x62 }, "ab\0", false)]
    [InlineData(new byte[] { 0xC3, 0xA9, 0x61 }, "éa", true)]
    [InlineData(new byte[] { 0xC3, 0xA9, 0x61 }, "éb", false)]
    [InlineData(new byte[] { 0xC3, 0xA9 }, "\u00C3\u00A9", false)]
    [InlineData(new byte[] { 0xFF, 0x61 }, "\uFFFDa", true)]
    [InlineData(new byte[] { 0xFF, 0x61 }, "xa", false)]
    public void Same_BytesAgainstAString_TrueOnlyWhenTheyDecodeToIt(byte[] utf8, string text, bool same)
    {
        // A value of the same hash but other content must not be taken for the cached string; hashes rarely collide, so
        // the comparison the cache relies on then is tested on its own.
        Utf8StringCache.Same(utf8, text).ShouldBe(same);
    }

    [Theory]
    [InlineData("v003858")]
    [InlineData("+33611111111")]
    [InlineData("")]
    public void KeyText_AsciiTextWithAWord_IsHeldAsItsWordAndEqualsItsString(string text)
    {
        var value = AttributeParser.KeyText(Encoding.UTF8.GetBytes(text), new Utf8StringCache());

        value.Word.ShouldBe(TextWord.Of(text));
        value.Text.ShouldBe(text);
        value.Equals(Value.FromText(text)).ShouldBeTrue();
        Value.FromText(text).Equals(value).ShouldBeTrue();
        value.GetHashCode().ShouldBe(Value.FromText(text).GetHashCode());
        value.Equals(Value.FromText(text + "1")).ShouldBeFalse();
        value.Equals(Value.FromWord(TextWord.Of(text + "1"))).ShouldBeFalse();
    }

    [Theory]
    [InlineData("calendoc")]
    [InlineData("\u00e9t\u00e9")]
    [InlineData("+331234567890123")]
    [InlineData("a longer value than any word holds")]
    public void KeyText_TextWithoutAnAsciiWord_IsHeldAsItsCachedString(string text)
    {
        var cache = new Utf8StringCache();

        var first = AttributeParser.KeyText(Encoding.UTF8.GetBytes(text), cache);
        var second = AttributeParser.KeyText(Encoding.UTF8.GetBytes(text), cache);

        first.Word.ShouldBe(0UL);
        first.Text.ShouldBe(text);
        second.Text.ShouldBeSameAs(first.Text);
    }
}
