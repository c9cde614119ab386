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

    [Fact]
    public void Add_EveryCountUpTo20000_KeepsTheTableBetweenThreeEighthsAndThreeQuartersFull()
    {
        var set = new ShortTextSet();
        for (var i = 1; i <= 20_000; i++)
        {
            set.Add(TextWord.Of("c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ShouldBeTrue();
            set.Count.ShouldBe(i);
            // A table just grown holds what filled the old one, three quarters of half its slots.
            if (i > 12) (set.Count * 8L).ShouldBeGreaterThan(set.Capacity * 3L, $"after {i} texts");
            (set.Count * 4L).ShouldBeLessThanOrEqualTo(set.Capacity * 3L, $"after {i} texts");
        }
        set.Add(TextWord.Of("c7")).ShouldBeFalse();
        set.Add(TextWord.Of("c20001")).ShouldBeTrue();
    }
}
