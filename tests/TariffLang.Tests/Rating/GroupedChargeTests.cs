using Shouldly;
using TariffLang.Examples;
using TariffLang.Invoicing;
using TariffLang.Tests.Compilation;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>
/// <c>charge "L" by KEY = AMOUNT</c>: a charge computed per value of a key attribute (a charging session) with its minimum,
/// maximum and per-group aggregates, then summed into one line. Rated every way (both engines, streamed, oracle).
/// </summary>
public sealed class GroupedChargeTests
{
    internal const string Source = """
        tariff ev {
          currency EUR
          period month in "Europe/Paris"
          unit kWh
          event charging(session: text, energy: kWh)
          event idle(session: text)
          // Each session: 0.30 EUR per kWh, at least 1.00 EUR and at most 10.00 EUR, plus 0.05 EUR per idle minute.
          charge "Charging sessions" by session =
            min(max(sum(charging, energy) * 0.30 EUR per kWh, 1.00 EUR), 10.00 EUR) + count(idle) * 0.05 EUR

          example "each session has its own minimum and maximum" {
            charging(session: "s1", energy: 2 kWh)
            charging(session: "s1", energy: 1.5 kWh)
            charging(session: "s2", energy: 0.5 kWh)
            3 idle(session: "s2")
            charging(session: "s3", energy: 40 kWh)
            2 idle(session: "s4")
            // s1: 3.5 kWh × 0.30 = 1.05. s2: 0.15 → the minimum 1.00, + 3 × 0.05 = 1.15. s3: 12.00 → the maximum 10.00.
            // s4 (idle only): 0 → 1.00, + 2 × 0.05 = 1.10. Four sessions: 1.05 + 1.15 + 10.00 + 1.10 = 13.30.
            expect line "Charging sessions" quantity 4 amount 13.30
            expect total 13.30
          }
        }
        """;

    [Fact]
    public void GroupedCharge_WorkedExample_PassesInBothEngines() => EveryWay.ExamplesPass(Source, "ev.tariff").ShouldHaveSingleItem();

    [Fact]
    public void GroupedCharge_TwoAccountsTwoMonths_GroupsEachPeriodsOwnEvents()
    {
        var result = EveryWay.Rate(Source, "time,account,event,session,energy", [
            "2024-01-10T10:00:00Z,a,charging,s1,10",
            "2024-01-10T11:00:00Z,b,charging,s1,50",   // account b's s1 is its own session
            "2024-01-31T22:00:00Z,a,charging,s2,2",    // 23:00 local: still January
            "2024-01-31T23:30:00Z,a,charging,s2,2",    // 00:30 local on 1 February: the February part of s2
        ]);

        result.Rejected.ShouldBeEmpty();
        var a = result.Invoices.Where(i => i.Account == "a").OrderBy(i => i.Period.From).ToList();
        // January: s1 10 kWh → 3.00; s2 2 kWh → 0.60 → 1.00. February: s2's other 2 kWh → 1.00 (sessions split at the period).
        var january = a[0].Lines.Single(l => l.Label == "Charging sessions");
        (january.Quantity, january.Amount, january.UnitPrice).ShouldBe((2m, 4.00m, (decimal?)null));
        a[1].Lines.Single(l => l.Label == "Charging sessions").Amount.ShouldBe(1.00m);
        result.Invoices.Single(i => i.Account == "b").Lines.Single(l => l.Label == "Charging sessions").Amount.ShouldBe(10.00m);
    }

    /// <summary>The same sessions, billed whole in the month of their first event when the rest comes within 2 days.</summary>
    private const string Whole = """
        tariff ev {
          currency EUR
          period month in "Europe/Paris"
          unit kWh
          event charging(session: text, energy: kWh)
          charge "Sessions" by session whole within 2d = min(max(sum(charging, energy) * 0.30 EUR per kWh, 1.00 EUR), 10.00 EUR)
          charge "Energy" = sum(charging, energy) * 0.01 EUR per kWh
        }
        """;

    private const string Header = "time,account,event,session,energy";

    // February's grace ends 48 h after 1 February 00:00 in Paris (31 January 23:00 UTC): 2 February 23:00 UTC.
    private static readonly string[] ThreeMonths = [
        "2024-01-10T10:00:00Z,a,charging,s1,10",
        "2024-01-31T22:00:00Z,a,charging,s2,2",     // 23:00 local, January
        "2024-01-31T22:00:00Z,b,charging,s2,2",     // account b's own s2
        "2024-01-31T23:30:00Z,a,charging,s2,2",     // 00:30 local on 1 February: billed with January's s2
        "2024-02-01T10:00:00Z,a,charging,s3,1",
        "2024-02-02T22:59:00Z,a,charging,s2,20",    // a minute before the grace ends: January's s2
        "2024-02-02T23:00:00Z,a,charging,s2,20",    // at the grace's end: February's own s2
        "2024-02-02T23:30:00Z,b,charging,s2,5",     // after the grace: account b's February
        "2024-03-01T10:00:00Z,a,charging,s3,1",     // February's s3 goes on into March
        "2024-03-05T10:00:00Z,a,charging,s4,1",
    ];

    [Fact]
    public void GroupedCharge_WholeWithinGrace_LaterEventsAreBilledInTheFirstPeriod()
    {
        var result = EveryWay.Rate(Whole, Header, ThreeMonths);

        result.Rejected.ShouldBeEmpty();
        result.Outcomes.ShouldAllBe(o => o.Kind == RowOutcomeKind.Rated);
        string Lines(string account, int month) => string.Join("; ", result.Invoices
            .Single(i => i.Account == account && i.Period.From.Month == month).Lines.Select(l => $"{l.Label} {l.Quantity} {l.Amount}"));
        // January: s1 10 kWh → 3.00, s2 2 + 2 + 20 kWh → 7.20; energy only January's own 12 kWh.
        Lines("a", 1).ShouldBe("Sessions 2 10.20; Energy 1 0.12");
        // February: s3 1 + 1 kWh (its March event within the grace) → 1.00; s2's 20 kWh after the grace → 6.00.
        Lines("a", 2).ShouldBe("Sessions 2 7.00; Energy 1 0.43");
        // March: s4 only.
        Lines("a", 3).ShouldBe("Sessions 1 1.00; Energy 1 0.02");
        Lines("b", 1).ShouldBe("Sessions 1 1.00; Energy 1 0.02");
        Lines("b", 2).ShouldBe("Sessions 1 1.50; Energy 1 0.05");
    }

    [Fact]
    public void GroupedCharge_WholeWithinGrace_RowsSaySharesOfTheFirstPeriod()
    {
        var result = EveryWay.Rate(Whole, Header, ThreeMonths);

        // Row 5 (00:30 on 1 February) fed January's s2 and February's energy: each share names its period.
        var row = result.Outcomes.Single(o => o.Row == 5);
        row.Detail.ShouldContain("billed in the period from 2024-01-01");
        row.Shares.Select(s => (s.Period.Month, s.Label)).OrderBy(s => s.Month).ShouldBe([(1, "Sessions"), (2, "Energy")]);
        // Every line's shares add up to it, the carried rows' included.
        foreach (var invoice in result.Invoices.Where(i => i.Account == "a"))
        {
            foreach (var line in invoice.Lines)
                result.Outcomes.Where(o => o.Account == "a").SelectMany(o => o.Shares)
                    .Where(s => s.Period == invoice.Period.From && s.Label == line.Label)
                    .Sum(s => s.Amount).ShouldBe(line.Amount, $"{invoice.Period.From} {line.Label}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void GroupedCharge_WholeWithin_RandomLedgersAroundMonthEnds_AllWaysAgree(int seed)
    {
        // Rows of three accounts and five sessions within a day of each month's end, some free (energy 0 is refused by
        // a rule, so rejected) — rated by both engines, streamed on one and two threads and by the oracle.
        var source = Whole.Replace("charge \"Energy\"", "reject charging where energy = 0 kWh because \"no energy\"\n  charge \"Energy\"",
            StringComparison.Ordinal);
        var random = new Random(seed);
        var rows = new List<string>();
        for (var month = 0; month < 4; month++)
        {
            var end = new DateTimeOffset(2024, 1, 31, 23, 0, 0, TimeSpan.Zero).AddMonths(month);
            for (var n = 0; n < 40; n++)
            {
                var time = end.AddMinutes(random.Next(-24 * 60, 3 * 24 * 60));
                rows.Add($"{time:yyyy-MM-ddTHH:mm:ssZ},{"abc"[random.Next(3)]},charging,s{random.Next(5)},{random.Next(0, 30)}");
            }
        }
        rows.Sort(StringComparer.Ordinal);
        rows.Reverse(0, rows.Count / 2);   // out of time order too

        var whole = EveryWay.Rate(source, Header, [.. rows]);
        var split = EveryWay.Rate(source.Replace("whole within 2d", "split", StringComparison.Ordinal), Header, [.. rows]);

        whole.Outcomes.Length.ShouldBe(rows.Count);
        whole.Outcomes.Select(o => (o.Row, o.Kind)).ShouldBe(split.Outcomes.Select(o => (o.Row, o.Kind)));
        // Sessions went on past month ends: whole, there are fewer of them to bill than split.
        whole.Invoices.Sum(i => i.Lines.Where(l => l.Label == "Sessions").Sum(l => l.Quantity))
            .ShouldBeLessThan(split.Invoices.Sum(i => i.Lines.Where(l => l.Label == "Sessions").Sum(l => l.Quantity)));
    }

    /// <summary>A January whose invoice overflows (the square of a huge sum), and sessions that go on into February.</summary>
    private const string Overflowing = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          event charging(session: text, energy: number)
          charge "Sessions" by session whole within 2d = sum(charging, energy) * 1 EUR
          let big = sum(charging where session = "big", energy)
          charge "Square" = big * big / 1000000 * 1 EUR
        }
        """;

    [Fact]
    public void GroupedCharge_HeldPeriodCannotBeBilled_LaterRowsThatFedItAreRejectedWithIt()
    {
        var result = EveryWay.Rate(Overflowing, Header, [
            "2024-01-31T20:00:00Z,a,charging,big,100000000000000000",
            "2024-01-31T20:00:00Z,a,charging,s1,1",
            "2024-02-01T10:00:00Z,a,charging,s1,5",     // row 4: fed January's s1 only
            "2024-02-10T10:00:00Z,a,charging,s2,3",
        ]);

        result.Invoices.Select(i => i.Period.From.Month).ShouldBe([2]);
        var reasons = result.Rejected.ToDictionary(r => r.Row, r => r.Reason);
        reasons.Keys.Order().ShouldBe([2, 3, 4]);
        reasons[4].ShouldStartWith("account 'a', period 2024-01-01 to 2024-01-31:");
        result.Invoices[0].Lines.Single(l => l.Label == "Sessions").Amount.ShouldBe(3m);
    }

    [Fact]
    public void GroupedCharge_LaterPeriodCannotBeBilled_ItsRowsAreRejectedThoughOneFedTheEarlierGroup()
    {
        // A known limit, stated in the reference: January was billed (with row 3's 5 kWh) before February failed, and the
        // failure rejects every row dated in February, row 3 included.
        var result = EveryWay.Rate(Overflowing, Header, [
            "2024-01-31T20:00:00Z,a,charging,s1,1",
            "2024-02-01T10:00:00Z,a,charging,s1,5",
            "2024-02-10T10:00:00Z,a,charging,big,100000000000000000",
        ]);

        result.Invoices.Single().Lines.Single(l => l.Label == "Sessions").Amount.ShouldBe(6m);
        result.Rejected.Select(r => r.Row).Order().ShouldBe([3, 4]);
    }

    [Fact]
    public void GroupedCharge_VersionStartsInTheQuarter_GroupsOfEarlierMonthsAreNotBilled()
    {
        // B applies from March: January's s1 is no group of B's months, so Q1 bills s2 only (not s1 at its minimum).
        var result = EveryWay.Rate("""
            tariff ev {
              currency EUR
              period 3 months in "Europe/Paris"
              unit kWh
              event charging(session: text, energy: kWh)
              versions v {
                until 2024-02-29 { charge "A" = sum(charging, energy) * 0 EUR per kWh }
                from 2024-03-01 { charge "B" by session = max(sum(charging, energy) * 1 EUR per kWh, 1 EUR) }
              }
            }
            """, Header, [
            "2024-01-10T10:00:00Z,a,charging,s1,1",
            "2024-03-10T10:00:00Z,a,charging,s2,2",
            "2024-04-01T10:00:00Z,a,charging,s1,5",
        ]);

        result.Invoices.Select(i => i.Lines.Where(l => l.Label == "B").Select(l => (l.Quantity, l.Amount)).Single())
            .ShouldBe([(1m, 2m), (1m, 5m)]);
    }

    [Theory]
    [InlineData("split")]
    [InlineData("whole within 2d")]
    public void GroupedCharge_EventsWithoutTheValue_StillMakeTheirGroup(string span)
    {
        // s1's January event has no energy: s1 is a group all the same (its minimum is due), as the reference says of groups.
        var result = EveryWay.Rate($$"""
            tariff ev {
              currency EUR
              period month in "Europe/Paris"
              unit kWh
              event charging(session: text, energy: kWh?)
              charge "Sessions" by session {{span}} = max(sum(charging, energy) * 1 EUR per kWh, 1 EUR)
            }
            """, Header, [
            "2024-01-31T20:00:00Z,a,charging,s1,",
            "2024-02-10T10:00:00Z,a,charging,s2,3",
        ]);

        result.Invoices.Select(i => i.Lines.Single().Amount).ShouldBe([1m, 3m]);
    }

    [Fact]
    public void GroupedCharge_SplitWritten_IsWhatNotWritingItMeans()
    {
        var split = EveryWay.Rate(Whole.Replace("whole within 2d", "split", StringComparison.Ordinal), Header, ThreeMonths);
        var unsaid = EveryWay.Rate(Whole.Replace(" whole within 2d", "", StringComparison.Ordinal), Header, ThreeMonths);

        split.ToJson().ShouldBe(unsaid.ToJson());
        // Split, January's s2 has its own 2 kWh only (1.00) and February bills the rest.
        split.Invoices.First(i => i.Account == "a").Lines[0].Amount.ShouldBe(4.00m);
    }

    [Fact]
    public void GroupedCharge_GraceOverTheClocksGoingBack_IsElapsedTime()
    {
        // 27 days from 1 October 00:00 CEST (30 September 22:00 UTC) end on 27 October 22:00 UTC, which is 23:00 on the
        // clock since the clocks went back that morning: elapsed time, not days on the calendar.
        var result = EveryWay.Rate(Whole.Replace("2d", "27d", StringComparison.Ordinal), Header, [
            "2024-09-30T12:00:00Z,a,charging,s1,1",
            "2024-10-27T21:59:00Z,a,charging,s1,10",   // 22:59 CET: within
            "2024-10-27T22:00:00Z,a,charging,s1,20",   // 23:00 CET: the grace has ended
        ]);

        result.Invoices[0].Lines[0].Amount.ShouldBe(3.30m);
        result.Invoices[1].Lines[0].Amount.ShouldBe(6.00m);
    }

    [Fact]
    public void GroupedCharge_WholeWithin_RestoredFromASnapshotAfterAnyEvent_GoesOnAsWithout()
    {
        foreach (var engine in new[] { TariffEngine.Interpreted, TariffEngine.Compiled })
        {
            var tariff = Tariff.Compile(Whole, "t.tariff", engine);
            var events = ThreeMonths.Select(r => r.Split(',')).Where(f => f[1] == "a")
                .Select((f, n) => new UsageEvent(DateTimeOffset.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture), f[2],
                    new Dictionary<string, string> { ["session"] = f[3], ["energy"] = f[4] }, Row: n + 2)).ToList();
            string Rate(bool restore)
            {
                var rating = tariff.RateAccount("a", new Dictionary<string, string>()).ShouldNotBeNull();
                var invoices = new List<Invoice>();
                foreach (var e in events)
                {
                    rating.Feed(e).Kind.ShouldBe(RowOutcomeKind.Rated);
                    if (!restore) continue;
                    var snapshot = rating.Snapshot();
                    invoices.AddRange(rating.TakeInvoices());
                    rating = tariff.RestoreAccount("a", new Dictionary<string, string>(), snapshot, out var problem)
                        .ShouldNotBeNull(problem);
                }
                rating.Finish();
                invoices.AddRange(rating.TakeInvoices());
                return new RatingResult([.. invoices], []).ToJson();
            }
            var straight = Rate(restore: false);
            straight.ShouldContain("10.2");
            Rate(restore: true).ShouldBe(straight, engine.ToString());
        }
    }

    [Theory]
    [InlineData("""charge "X" by session = count(other) * 1 EUR""", "TL0107", "other")]
    [InlineData("""charge "X" by session = count(charging) at 1 EUR""", "TL0108", "1 EUR")]
    [InlineData("""charge "X" by session = 1 EUR""", "TL0108", "session")]
    [InlineData("""charge "X" by session whole within 29d = count(charging) * 1 EUR""", "TL0121", "29d")]
    [InlineData("""charge "X" by session whole within 0s = count(charging) * 1 EUR""", "TL0121", "0s")]
    [InlineData("""versions v { from 2024-02-01 { charge "X" by session whole within 2d = count(charging) * 1 EUR } }""", "TL0122", "2d")]
    public void GroupedCharge_Misuse_IsReported(string charge, string code, string spanText)
    {
        var source = $$"""
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              event charging(session: text)
              event other(x: text)
              {{charge}}
            }
            """;
        var error = Tariff.Compile(source, "t.tariff").Diagnostics.ShouldHaveSingleItem();
        error.Code.ShouldBe(code);
        error.Span.Start.ShouldBe(
            source.IndexOf(spanText, source.IndexOf("charge \"X\"", StringComparison.Ordinal), StringComparison.Ordinal));
        error.Span.Length.ShouldBe(spanText.Length);
    }
}
