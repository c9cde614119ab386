using TariffLang.Runtime;

namespace TariffLang.Tests.Runtime;

public sealed class ShortTextSetTests
{
    [Theory]
    [InlineData("", true)]
    [InlineData("v003858", true)]
    [InlineData("\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff", true)]
    [InlineData("v0038580", false)]
    [InlineData("+33611111111", false)]
    [InlineData("\u0100", false)]
    public void WordOf_TextOfEachForm_FitsOnlySevenNarrowCharacters(string text, bool fits)
    {
        (ShortTextSet.WordOf(TextKey.From(text)) != 0).ShouldBe(fits);
    }

    [Fact]
    public void Add_ManyTextsTwice_KeepsEachOnceThroughGrowth()
    {
        var set = new ShortTextSet();
        var texts = Enumerable.Range(0, 5000).Select(i => "v" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))
            .Append("").Append("a").Append("a\0").ToArray();
        foreach (var t in texts)
        {
            var key = TextKey.From(t);
            set.Add(ShortTextSet.WordOf(key), key.Hash).ShouldBeTrue();
        }
        foreach (var t in texts)
        {
            var key = TextKey.From(new string(t.AsSpan()));
            set.Add(ShortTextSet.WordOf(key), key.Hash).ShouldBeFalse();
        }

        set.Count.ShouldBe(texts.Length);
        set.Capacity.ShouldBe(8192);
        set.Texts.Order(StringComparer.Ordinal).ShouldBe(texts.Order(StringComparer.Ordinal));
        set.Clear();
        set.Count.ShouldBe(0);
        set.Texts.ShouldBeEmpty();
    }
}
