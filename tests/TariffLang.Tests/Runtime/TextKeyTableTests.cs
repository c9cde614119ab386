using TariffLang.Runtime;

namespace TariffLang.Tests.Runtime;

public sealed class TextKeyTableTests
{
    // Texts that pack (up to 15 characters below U+0100) and texts that do not, side by side.
    private static readonly string[] Edge =
    [
        "", "\0", "\0\0", "a", "a\0", "é", "+33611111111", "fifteen-chars-x", "sixteen-chars-xx", "ł", "v\u0100",
        "a much longer text than any packed one", new string('\u00ff', 15),
    ];

    [Fact]
    public void TryPack_EdgeTexts_PacksOnlyShortLatin1TextsAndUnpacksThemUnchanged()
    {
        Span<char> buffer = stackalloc char[TextKey.MaxPacked];
        foreach (var text in Edge)
        {
            var packs = TextKey.TryPack(text, out var lo, out var hi);
            packs.ShouldBe(text.Length <= 15 && text.All(c => c <= '\u00ff'), text);
            if (packs) TextKey.Unpack(lo, hi, buffer).ToString().ShouldBe(text);
        }
    }

    [Fact]
    public void GetValueRefOrAddDefault_EdgeTexts_KeepsEachApartAndFindsEqualInstances()
    {
        var table = new TextKeyTable<int>();
        for (var i = 0; i < Edge.Length; i++) table.GetValueRefOrAddDefault(TextKey.From(Edge[i]), out _) = i + 1;

        table.Count.ShouldBe(Edge.Length);
        for (var i = 0; i < Edge.Length; i++)
        {
            // A different instance with the same characters is the same key.
            table.TryGetValue(TextKey.From(new string(Edge[i].AsSpan())), out var value).ShouldBeTrue(Edge[i]);
            value.ShouldBe(i + 1);
        }
        table.TryGetValue(TextKey.From("b"), out _).ShouldBeFalse();
        table.Pairs.Select(p => p.Key).Order(StringComparer.Ordinal).ShouldBe(Edge.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Pairs_PackedKey_GivesAnEqualTextNotTheInstanceAdded()
    {
        // The point of packing: the table does not keep the ledger's string alive.
        var table = new TextKeyTable<int>();
        var added = new string("+33611111111".AsSpan());
        table.GetValueRefOrAddDefault(TextKey.From(added), out _) = 1;

        var (key, _) = table.Pairs.Single();
        key.ShouldBe(added);
        ReferenceEquals(key, added).ShouldBeFalse();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void GetValueRefOrAddDefaultAndRemove_RandomOperations_AgreeWithADictionary(int seed)
    {
        // Many keys over many operations: the table grows, shrinks by removals and grows again.
        var random = new Random(seed);
        var keys = Enumerable.Range(0, 300)
            .Select(i => (i % 5) switch { 0 => "k" + i, 1 => "visitor-" + i, 2 => "contact-number-" + i, 3 => "ł" + i, _ => "" + (char)i })
            .ToArray();
        var table = new TextKeyTable<int>();
        var model = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var step = 0; step < 20_000; step++)
        {
            var key = keys[random.Next(keys.Length)];
            if (random.Next(3) == 0)
            {
                table.Remove(TextKey.From(key)).ShouldBe(model.Remove(key));
            }
            else
            {
                ref var value = ref table.GetValueRefOrAddDefault(TextKey.From(key), out var existed);
                existed.ShouldBe(model.ContainsKey(key));
                value = step;
                model[key] = step;
            }
            if (step % 500 != 0) continue;
            table.Count.ShouldBe(model.Count);
            foreach (var k in keys)
            {
                table.TryGetValue(TextKey.From(k), out var found).ShouldBe(model.TryGetValue(k, out var expected), k);
                found.ShouldBe(expected);
            }
        }
        table.Pairs.OrderBy(p => p.Key, StringComparer.Ordinal)
            .ShouldBe(model.Select(p => (p.Key, p.Value)).OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Clear_AfterGrowth_ForgetsEveryKeyAndAddsAgain()
    {
        var table = new TextKeyTable<int>();
        for (var i = 0; i < 10_000; i++)
            table.GetValueRefOrAddDefault(TextKey.From(i % 2 == 0 ? "v" + i : "a long key number " + i), out _) = i;
        table.Count.ShouldBe(10_000);

        table.Clear();

        table.Count.ShouldBe(0);
        table.Pairs.ShouldBeEmpty();
        table.TryGetValue(TextKey.From("v0"), out _).ShouldBeFalse();
        table.TryGetValue(TextKey.From("a long key number 1"), out _).ShouldBeFalse();
        table.GetValueRefOrAddDefault(TextKey.From("a long key number 1"), out var existed) = 7;
        existed.ShouldBeFalse();
        table.TryGetValue(TextKey.From("a long key number 1"), out var value).ShouldBeTrue();
        value.ShouldBe(7);
    }

    [Theory]
    [InlineData(1, 12)]
    [InlineData(2, 11)]
    [InlineData(3, 12)]
    public void Remove_TableThreeQuartersFull_ShiftsRunsBackAcrossTheEndOfTheSlots(int seed, int keyCount)
    {
        // At most 12 keys stay in the first 16 slots, so runs of taken slots are long and often wrap past the last slot.
        var random = new Random(seed);
        var keys = Enumerable.Range(0, keyCount).Select(i => i % 4 == 0 ? "a text longer than fifteen #" + i : "k" + i).ToArray();
        var table = new TextKeyTable<int>();
        var model = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var step = 0; step < 20_000; step++)
        {
            var key = keys[random.Next(keys.Length)];
            if (random.Next(2) == 0) table.Remove(TextKey.From(key)).ShouldBe(model.Remove(key));
            else table.GetValueRefOrAddDefault(TextKey.From(key), out _) = model[key] = step;
            table.Count.ShouldBe(model.Count);
            foreach (var k in keys)
            {
                table.TryGetValue(TextKey.From(k), out var found).ShouldBe(model.TryGetValue(k, out var expected), $"step {step}, key {k}");
                found.ShouldBe(expected);
            }
        }
    }

    [Fact]
    public void Remove_LongKey_LetsItsStringGo()
    {
        var table = new TextKeyTable<int>();
        var added = AddAndRemoveLongKey(table);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        added.IsAlive.ShouldBeFalse();
        table.Count.ShouldBe(0);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference AddAndRemoveLongKey(TextKeyTable<int> table)
    {
        var text = new string('x', 40);
        table.GetValueRefOrAddDefault(TextKey.From(text), out _) = 1;
        table.Remove(TextKey.From(text)).ShouldBeTrue();
        return new WeakReference(text);
    }

    [Fact]
    public void GetValueRefOrAddDefault_ExistingKeyAtThreeQuartersFull_FindsItWithoutGrowing()
    {
        var table = new TextKeyTable<int>();
        for (var i = 0; i < 12; i++) table.GetValueRefOrAddDefault(TextKey.From("k" + i), out _) = i;

        table.GetValueRefOrAddDefault(TextKey.From("k0"), out var existed) = 100;

        existed.ShouldBeTrue();
        table.Capacity.ShouldBe(16);
        table.GetValueRefOrAddDefault(TextKey.From("k12"), out existed) = 12;
        existed.ShouldBeFalse();
        table.Capacity.ShouldBe(32);
        table.TryGetValue(TextKey.From("k0"), out var value).ShouldBeTrue();
        value.ShouldBe(100);
        table.Count.ShouldBe(13);
    }

    [Fact]
    public void TryPack_WideCharacter_GivesZeroWords()
    {
        TextKey.TryPack("aĀ", out var lo, out var hi).ShouldBeFalse();
        (lo, hi).ShouldBe((0UL, 0UL));
    }
}
