using Shouldly;
using TariffLang.Examples;
using TariffLang.Tests.Compilation;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>
/// <c>elapsed(W)</c>: pricing by the time since a session's first event, where a session is a window kept open by its
/// events (a break longer than the window starts a new one). Both engines, streamed and the oracle agree.
/// </summary>
public sealed class ElapsedTests
{
    internal const string Source = """
        tariff parking {
          currency EUR
          period month in "Europe/Paris"
          event tick(session: text)
          // One row per minute a car stays at a charger; a break of 10 minutes or more ends the session.
          window parked 10min per session, opened by tick
          let since per tick = elapsed(parked)
          free tick where since < 30min because "first 30 minutes free"
          charge "Parking 30 min to 1 h" per tick where since < 1h at 0.10 EUR
          charge "Parking after 1 h" per tick where since >= 1h at 0.20 EUR

          example "a session of 71 minutes, then a new one after a break" {
            // Ticks at 0, 1, …, 70 minutes: 0–29 free (30), 30–59 at 0.10 (30 × 0.10 = 3.00), 60–70 at 0.20 (11 × 0.20 = 2.20).
            71 at 2024-01-10T10:00 tick(session: "s1")
            // 14:00 is hours after the last tick: a new session, its first 5 minutes free.
            5 at 2024-01-10T14:00 tick(session: "s1")
            expect line "Parking 30 min to 1 h" quantity 30 amount 3.00
            expect line "Parking after 1 h" quantity 11 amount 2.20
            expect free 35
            expect total 5.20
          }
        }
        """;

    [Fact]
    public void Elapsed_WorkedExample_PassesInBothEngines() => EveryWay.ExamplesPass(Source, "parking.tariff").ShouldHaveSingleItem();

    [Fact]
    public void Elapsed_InterleavedSessionsAndABreak_CountsFromEachSessionsFirstEvent()
    {
        var result = EveryWay.Rate(Source, "time,account,event,session", [
            "2024-01-10T10:00:00Z,a,tick,s1",   // s1 starts: 0 min
            "2024-01-10T10:05:00Z,a,tick,s2",   // s2 starts: 0 min
            "2024-01-10T10:09:00Z,a,tick,s1",   // 9 min
            "2024-01-10T10:18:00Z,a,tick,s1",   // 18 min
            "2024-01-10T10:27:00Z,a,tick,s1",   // 27 min
            "2024-01-10T10:36:00Z,a,tick,s1",   // 36 min: 0.10
            "2024-01-10T10:14:59Z,b,tick,s2",   // another account's s2 has its own session: 0 min
            "2024-01-10T10:15:00Z,a,tick,s2",   // s2's window closed at 10:15 (10 min after 10:05): a new session, 0 min
            "2024-01-10T10:45:00Z,a,tick,s1",   // 45 min: 0.10
            "2024-01-10T11:00:00Z,a,tick,s1",   // 11:00 is 15 min after 10:45: a new session, free
        ]);

        result.Rejected.ShouldBeEmpty();
        var a = result.Invoices.Single(i => i.Account == "a");
        a.Lines.Single(l => l.Label == "Parking 30 min to 1 h").Quantity.ShouldBe(2m);
        a.Lines.ShouldNotContain(l => l.Label == "Parking after 1 h");
        result.Invoices.Single(i => i.Account == "b").Total.ShouldBe(0m);
    }

    [Fact]
    public void Elapsed_OfAWindowTheEventCannotKey_IsRefused()
    {
        const string source = """
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              event tick(session: text)
              event other(x: text)
              window parked 10min per session, opened by tick
              charge "Other" per other where elapsed(parked) > 1h at 1 EUR
            }
            """;
        var error = Tariff.Compile(source, "t.tariff").Diagnostics.ShouldHaveSingleItem();
        // TL0028: event 'other' has no 'session' to find its window by; the span is the window's name.
        error.Code.ShouldBe("TL0028");
        error.Span.Start.ShouldBe(source.IndexOf("elapsed(parked)", StringComparison.Ordinal) + "elapsed(".Length);
        error.Span.Length.ShouldBe("parked".Length);
    }
}
