using TariffLang.Runtime;

namespace TariffLang.Tests.Runtime;

public sealed class ShortTextSetTests
{
    [Fact]
    public void Add_ManyTextsTwice_KeepsEachOnceThroughGrowth()
    {
        var set = new ShortTextSet();
        var texts = Enumerable.Range(0, 5000).Select(i => "v" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))
            .Append("").Append("a").Append("a\0").Append("+33611111111").ToArray();
        foreach (var t in texts) set.Add(TextWord.Of(t)).ShouldBeTrue();
        foreach (var t in texts) set.Add(TextWord.Of(new string(t.AsSpan()))).ShouldBeFalse();

        set.Count.ShouldBe(texts.Length);
        set.Capacity.ShouldBe(8192);
        set.Texts.Order(StringComparer.Ordinal).ShouldBe(texts.Order(StringComparer.Ordinal));
        set.Clear();
        set.Count.ShouldBe(0);
        set.Texts.ShouldBeEmpty();
    }
}
