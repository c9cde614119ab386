using System.Globalization;
using TariffLang.Runtime;

namespace TariffLang.Tests.Runtime;

public sealed class DistinctValuesTests
{
    private static Value Text(string s) => Value.FromText(s);

    [Fact]
    public void CountIn_TextsOverSeveralMonths_CountsEachValueOnceForTheMonthsAsked()
    {
        var set = new DistinctValues();
        set.Reset(months: 3);
        set.Add(0, Text("a"));
        set.Add(0, Text("a"));
        set.Add(1, Text("a"));
        set.Add(1, Text("b"));
        set.Add(2, Text("c"));
        // Equal texts that are different string instances are one value.
        set.Add(2, Text(new string('b', 1)));

        set.Count.ShouldBe(3);
        set.CountIn(new MonthRange(0, 0)).ShouldBe(1);
        set.CountIn(new MonthRange(1, 1)).ShouldBe(2);
        set.CountIn(new MonthRange(2, 2)).ShouldBe(2);
        set.CountIn(new MonthRange(0, 2)).ShouldBe(3);
    }

    [Fact]
    public void Add_ManyTextsNumbersAndTimes_KeepsEveryValueThroughGrowth()
    {
        var set = new DistinctValues();
        set.Reset(months: 1);
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 5000; i++) set.Add(0, Text("v" + i));
            for (var i = 0; i < 100; i++) set.Add(0, Value.FromNumber(i));
        }
        // 1 and 1.0 are one number; the text "1" is another value.
        set.Add(0, Value.FromNumber(1.0m));

        set.CountIn(new MonthRange(0, 0)).ShouldBe(5100);
        set.Reset(months: 1);
        set.Count.ShouldBe(0);
        set.CountIn(new MonthRange(0, 0)).ShouldBe(0);
    }

    [Fact]
    public void CountIn_PeriodLongerThanTheTableHolds_CountsLateMonthsToo()
    {
        var set = new DistinctValues();
        set.Reset(months: 70);
        set.Add(0, Text("a"));
        set.Add(40, Text("a"));
        set.Add(69, Text("b"));

        set.CountIn(new MonthRange(0, 69)).ShouldBe(2);
        set.CountIn(new MonthRange(40, 40)).ShouldBe(1);
        set.CountIn(new MonthRange(41, 68)).ShouldBe(0);
        set.CountIn(new MonthRange(69, 69)).ShouldBe(1);
    }

    [Fact]
    public void Pairs_RestoredIntoANewSet_GiveTheSameCountsAndTheSameOrder()
    {
        var set = new DistinctValues();
        set.Reset(months: 2);
        foreach (var s in (string[])["pear", "apple", "fig", "apple"]) set.Add(s == "fig" ? 1 : 0, Text(s));
        set.Add(1, Value.FromNumber(7));

        var pairs = set.Pairs().ToList();
        var copy = new DistinctValues();
        copy.Reset(months: 2);
        foreach (var (key, months) in pairs) copy.Restore(key, months);

        // Texts come in ordinal order whatever the per-process string hash put them in.
        pairs.Select(p => ValueText.Show(p.Key)).ShouldBe(["\"apple\"", "\"fig\"", "\"pear\"", "7"]);
        copy.Pairs().Select(p => ValueText.Show(p.Key)).ShouldBe(["\"apple\"", "\"fig\"", "\"pear\"", "7"]);
        copy.CountIn(new MonthRange(0, 0)).ShouldBe(2);
        copy.CountIn(new MonthRange(1, 1)).ShouldBe(2);
    }

    [Fact]
    public void CountIn_OneMonthOfShortAndLongerTexts_CountsEachTextOnceWhateverItsForm()
    {
        var set = new DistinctValues();
        set.Reset(months: 1);
        // Seven characters fit a word of the short set; eight, wide characters and long texts go to the table.
        string[] texts = ["", "a", "a\0", "v003858", "v0038580", "v00385", "\u00ffabcdef", "\u0100", "+33611111111", new string('x', 40)];
        for (var round = 0; round < 3; round++)
        {
            foreach (var t in texts) set.Add(0, Text(new string(t.AsSpan())));
        }
        for (var i = 0; i < 3000; i++) set.Add(0, Text("u" + i));

        set.Count.ShouldBe(texts.Length + 3000);
        set.CountIn(new MonthRange(0, 0)).ShouldBe(texts.Length + 3000);
        var all = texts.Concat(Enumerable.Range(0, 3000).Select(i => "u" + i)).Order(StringComparer.Ordinal);
        set.Pairs().Select(p => p.Key.Text).ShouldBe(all);
        set.Pairs().Select(p => p.Months.Any(new MonthRange(0, 0))).ShouldAllBe(seen => seen);
    }

    [Fact]
    public void Restore_OneMonthPairs_GiveTheSameCountAndPairs()
    {
        var set = new DistinctValues();
        set.Reset(months: 1);
        foreach (var t in (string[])["v1", "visitor-with-a-long-name", "v0038580", "v2", "v1"]) set.Add(0, Text(t));
        set.Add(0, Value.FromNumber(3));

        var copy = new DistinctValues();
        copy.Reset(months: 1);
        foreach (var (key, months) in set.Pairs()) copy.Restore(key, months);
        copy.Add(0, Text("v2"));

        copy.Count.ShouldBe(5);
        copy.Pairs().Select(p => ValueText.Show(p.Key)).ShouldBe(set.Pairs().Select(p => ValueText.Show(p.Key)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 3)]
    public void CountIn_RandomTextsOfEveryForm_AgreesWithASetPerMonthThroughSnapshots(int seed, int months)
    {
        var random = new Random(seed);
        // Words of narrow characters and of phone numbers, texts of 8 to 15 characters that fit no word, long and wide ones.
        string[] forms =
            ["v{0}", "+336{0:D8}", "0{0}.", "({0}) 1-2 3", "contact-{0}", "a contact beyond fifteen {0}", "é\u0100{0}", "{0}\0"];
        var set = new DistinctValues();
        set.Reset(months);
        var seen = Enumerable.Range(0, months).Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            var n = random.Next(2_000);
            var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, forms[n % forms.Length], n);
            var month = random.Next(months);
            set.Add(month, Text(text));
            seen[month].Add(text);
            if (i % 5_000 == 2_499)
            {
                // A snapshot read back into a new set, which then goes on (more values after the last one).
                var copy = new DistinctValues();
                copy.Reset(months);
                foreach (var (key, bits) in set.Pairs()) copy.Restore(key, bits);
                set = copy;
            }
        }

        for (var first = 0; first < months; first++)
        {
            for (var last = first; last < months; last++)
            {
                var expected = seen[first..(last + 1)].SelectMany(s => s).Distinct(StringComparer.Ordinal).Count();
                set.CountIn(new MonthRange(first, last)).ShouldBe(expected, $"months {first}..{last}");
            }
        }
        set.Count.ShouldBe(seen.SelectMany(s => s).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Add_TextsHeldAsWords_CountsThemWithTheirStringFormsWithoutMakingStrings()
    {
        var set = new DistinctValues();
        set.Reset(months: 1);
        var words = Enumerable.Range(0, 1000)
            .Select(i => Value.FromWord(TextWord.Of("v" + i.ToString("D6", CultureInfo.InvariantCulture))))
            .ToArray();
        // Once, so that the set has grown to its size before the allocations are counted.
        foreach (var word in words) set.Add(0, word);
        set.Reset(months: 1);

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var word in words) set.Add(0, word);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        set.Add(0, Text("v000007"));
        set.Add(0, Text("v999999"));

        allocated.ShouldBe(0L);
        set.CountIn(new MonthRange(0, 0)).ShouldBe(1001);
        set.Pairs().Select(p => p.Key.Text).ShouldContain("v000999");
    }
}
