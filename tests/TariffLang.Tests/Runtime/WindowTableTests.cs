using System.Globalization;
using TariffLang.Runtime;

namespace TariffLang.Tests.Runtime;

public sealed class WindowTableTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 0, 0, 0, TimeSpan.FromHours(1));

    [Fact]
    public void Within_OpenedThenExactlyOneLengthLater_IsOpenUntilTheLastTickOnly()
    {
        var table = new WindowTable(TimeSpan.FromHours(24), tracksStart: false);
        var key = Value.FromText("+33611111111");
        table.Open(key, T0, out _, out _);

        table.Within(key, T0).ShouldBeTrue();
        table.Within(key, T0.AddHours(24).AddTicks(-1)).ShouldBeTrue();
        table.Within(key, T0.AddHours(24)).ShouldBeFalse();
        table.Within(Value.FromText("+33622222222"), T0.AddHours(1)).ShouldBeFalse();
    }

    [Fact]
    public void Within_KeyHeldAsItsWordOrAsItsString_IsOneKey()
    {
        var table = new WindowTable(TimeSpan.FromHours(24), tracksStart: false);
        table.Open(Value.FromWord(TextWord.Of("+33611111111")), T0, out _, out _);
        table.Open(Value.FromText("v42"), T0, out _, out _);

        table.Within(Value.FromText("+33611111111"), T0.AddHours(1)).ShouldBeTrue();
        table.Within(Value.FromWord(TextWord.Of("v42")), T0.AddHours(1)).ShouldBeTrue();
        table.Within(Value.FromWord(TextWord.Of("+33611111112")), T0.AddHours(1)).ShouldBeFalse();
    }

    [Fact]
    public void Elapsed_RefreshedAcrossGenerations_CountsFromTheFirstOpeningWithoutABreak()
    {
        var table = new WindowTable(TimeSpan.FromHours(1), tracksStart: true);
        var key = Value.FromText("s");
        // Refreshed every 50 minutes for five hours: the table changes generation several times meanwhile.
        for (var minutes = 0; minutes <= 300; minutes += 50) table.Open(key, T0.AddMinutes(minutes), out _, out _);

        table.Elapsed(key, T0.AddMinutes(310)).ShouldBe(TimeSpan.FromMinutes(310));
        table.Elapsed(key, T0.AddMinutes(360)).ShouldBe(TimeSpan.Zero);
        table.Open(key, T0.AddMinutes(400), out _, out _);
        table.Elapsed(key, T0.AddMinutes(430)).ShouldBe(TimeSpan.FromMinutes(30));
    }

    [Fact]
    public void Count_ManyKeysOverManyLengths_KeepsOnlyTheLastTwoLengthsOfOpenings()
    {
        var table = new WindowTable(TimeSpan.FromHours(1), tracksStart: true);
        for (var minute = 0; minute < 24 * 60; minute++) table.Open(Value.FromText($"k{minute}"), T0.AddMinutes(minute), out _, out _);

        // 1 440 keys were opened; what is kept is at most two windows' worth (120 minutes), not every key seen.
        table.Count.ShouldBeLessThanOrEqualTo(120);
        table.Within(Value.FromText("k1439"), T0.AddMinutes(1440)).ShouldBeTrue();
        table.Within(Value.FromText("k1380"), T0.AddMinutes(1440)).ShouldBeFalse();
    }

    [Fact]
    public void Restore_OpeningRolledBack_AnswersAsBeforeTheOpening()
    {
        var table = new WindowTable(TimeSpan.FromHours(1), tracksStart: true);
        var key = Value.FromText("s");
        table.Open(key, T0, out _, out _);
        // The next opening comes after a change of generation, so the earlier one is in the previous generation.
        table.Open(key, T0.AddMinutes(70), out var had, out var old);
        table.Restore(key, had, old);

        table.Within(key, T0.AddMinutes(70)).ShouldBeFalse();
        table.Open(key, T0.AddMinutes(30 + 60), out had, out old);
        table.Within(key, T0.AddMinutes(100)).ShouldBeTrue();
        table.Restore(key, had, old);
        table.Within(key, T0.AddMinutes(100)).ShouldBeFalse();
    }

    // Keys of every form a generation keeps apart: a word of narrow characters, a phone number's word, texts of 8 to 15
    // characters that fit no word, long and wide texts.
    private static readonly string[] KeyForms = ["k{0}", "+336{0:D8}", "contact-{0}", "a contact beyond fifteen {0}", "é{0}é"];

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    [InlineData(5, false)]
    public void Within_RandomOpeningsInTimeOrder_AgreesWithAMapOfEveryOpening(int seed, bool tracksStart)
    {
        var random = new Random(seed);
        var length = TimeSpan.FromMinutes(random.Next(5, 120));
        var table = new WindowTable(length, tracksStart);
        var opened = new Dictionary<string, (DateTimeOffset Opened, DateTimeOffset Start)>();
        var now = T0;
        for (var i = 0; i < 20_000; i++)
        {
            // Mostly short steps, sometimes a long silence that outlasts every window.
            now = now.AddMinutes(random.Next(100) == 0 ? random.Next(200, 2_000) : random.Next(0, 4));
            var n = random.Next(40);
            var key = string.Format(CultureInfo.InvariantCulture, KeyForms[n % KeyForms.Length], n);
            var isOpen = opened.TryGetValue(key, out var entry) && now - entry.Opened < length;
            table.Within(Value.FromText(key), now).ShouldBe(isOpen, $"step {i}, key {key}");
            if (tracksStart)
                table.Elapsed(Value.FromText(key), now).ShouldBe(isOpen ? now - entry.Start : TimeSpan.Zero, $"step {i}, key {key}");
            if (random.Next(3) == 0)
            {
                table.Open(Value.FromText(key), now, out var had, out var old);
                if (random.Next(10) == 0) table.Restore(Value.FromText(key), had, old);
                else opened[key] = (now, isOpen ? entry.Start : now);
            }
        }
    }

    [Fact]
    public void Pairs_KeysOpenedInAnyOrder_ComeOutTextsInOrdinalOrderThenOtherKeys()
    {
        // A snapshot writes the pairs in this order: it must not follow the per-process string hash.
        var table = new WindowTable(TimeSpan.FromHours(1), tracksStart: false);
        string[] texts = ["b", "a long contact key beyond fifteen", "B", "+33611111111", "é", ""];
        table.Open(Value.FromNumber(2), T0, out _, out _);
        foreach (var text in texts) table.Open(Value.FromText(text), T0.AddMinutes(1), out _, out _);
        table.Open(Value.FromNumber(1), T0.AddMinutes(2), out _, out _);
        // The first openings move to the previous generation; "b" is opened again in the current one.
        table.Open(Value.FromText("b"), T0.AddMinutes(61), out _, out _);

        var pairs = table.Pairs.ToList();
        pairs.Select(p => p.Key.Kind == ValueKind.Text ? p.Key.Text : p.Key.Number.ToString(CultureInfo.InvariantCulture))
            .ShouldBe(["", "+33611111111", "B", "a long contact key beyond fifteen", "b", "é", "2", "1"]);
        pairs.Single(p => p.Key.Kind == ValueKind.Text && p.Key.Text == "b").Value.Opened.ShouldBe(T0.AddMinutes(61).UtcTicks);
        table.Count.ShouldBe(8);
    }
}
