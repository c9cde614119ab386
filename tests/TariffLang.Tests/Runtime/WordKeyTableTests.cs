using System.Globalization;
using TariffLang.Runtime;

namespace TariffLang.Tests.Runtime;

public sealed class WordKeyTableTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void GetValueRefOrAddDefaultAndRemove_RandomOperations_AgreeWithADictionary(int seed)
    {
        var random = new Random(seed);
        var table = new WordKeyTable<long>();
        var expected = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < 30_000; i++)
        {
            var n = random.Next(3_000);
            var text = n % 2 == 0 ? "+336" + n.ToString("D8", CultureInfo.InvariantCulture) : "v" + n;
            var word = TextWord.Of(text);
            switch (random.Next(4))
            {
                case 0:
                    table.Remove(word).ShouldBe(expected.Remove(text), $"step {i}");
                    break;
                case 1:
                    table.TryGetValue(word, out var found).ShouldBe(expected.TryGetValue(text, out var value), $"step {i}");
                    found.ShouldBe(value);
                    break;
                default:
                    ref var slot = ref table.GetValueRefOrAddDefault(word, out var existed);
                    existed.ShouldBe(expected.ContainsKey(text), $"step {i}");
                    slot = i;
                    expected[text] = i;
                    break;
            }
            table.Count.ShouldBe(expected.Count);
        }
        table.Pairs.OrderBy(p => p.Key, StringComparer.Ordinal)
            .ShouldBe(expected.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)));
        table.Clear();
        table.Count.ShouldBe(0);
        table.Pairs.ShouldBeEmpty();
    }
}
