using Shouldly;
using TariffLang.Invoicing;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>
/// Durations as numbers (minutes(d), d / 1min, round_up(d, 60s)), the ledger's duration forms, and the text functions of
/// messaging tariffs, rated every way (both engines, in memory and streamed, and the reference oracle) with the values
/// worked out by hand.
/// </summary>
public sealed class DurationAndTextBuiltinTests
{
    private static decimal? Quantity(RatingResult result, string account, string label) =>
        result.Invoices.Single(i => i.Account == account).Lines.SingleOrDefault(l => l.Label == label)?.Quantity;

    private const string Calls = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          unit minute, hour
          event call(d: duration)
          // Billed per started minute, call by call; the month's exact time in hours, from the same durations.
          charge "Minutes" = sum(call, minutes(round_up(d, 60s))) * 1 minute at 0.10 EUR per minute
          charge "Exact hours" = sum(call, d / 1h) * 1 hour at 1 EUR per hour
          charge "Twice, halved" = sum(call, seconds(d * 2 / 2 + 0s)) * 1 minute at 0 EUR per minute
        }
        """;

    [Fact]
    public void DurationForms_EveryAcceptedWriting_ReadAsTheSameTime()
    {
        // 80 seconds written five ways, then an hour, and the forms that are refused with a reason.
        var result = EveryWay.Rate(Calls, "time,account,event,d", [
            "2024-01-10T10:00:00+01:00,a,call,80s",
            "2024-01-10T10:01:00+01:00,a,call,PT1M20S",
            "2024-01-10T10:02:00+01:00,a,call,80",
            "2024-01-10T10:03:00+01:00,a,call,80.0",
            "2024-01-10T10:04:00+01:00,a,call,PT80S",
            "2024-01-10T10:05:00+01:00,a,call,1h",
            "2024-01-10T10:06:00+01:00,a,call,1:20",
            "2024-01-10T10:07:00+01:00,a,call,P1M",
            "2024-01-10T10:08:00+01:00,a,call,-80s",
            "2024-01-10T10:09:00+01:00,a,call,80 seconds",
        ]);

        // Five calls of 80 s bill 2 started minutes each, the hour 60: 70 minutes; exactly 5 × 80 s + 3600 s = 4000 s.
        Quantity(result, "a", "Minutes").ShouldBe(70m);
        // Each call's 80/3600 h is a repeating decimal: the sum agrees with 4000/3600 to 26 places.
        Math.Round(Quantity(result, "a", "Exact hours")!.Value, 26).ShouldBe(Math.Round(4000m / 3600m, 26));
        Quantity(result, "a", "Twice, halved").ShouldBe(4000m);
        result.Rejected.Select(r => r.Row).ShouldBe([8, 9, 10, 11]);
        result.Rejected[0].Reason.ShouldContain("'1:20' is ambiguous");
        result.Rejected[1].Reason.ShouldContain("years or months");
        result.Rejected[2].Reason.ShouldContain("negative");
        result.Rejected[3].Reason.ShouldContain("is not a duration");
    }

    [Fact]
    public void RoundDuration_OnAStepBoundaryAndOneTickOver_RoundsAsNumbersDo()
    {
        // 60 s is already a whole minute; 60.0000001 s (one tick over) starts a second one; 0 s bills nothing.
        var result = EveryWay.Rate(Calls, "time,account,event,d", [
            "2024-01-10T10:00:00+01:00,a,call,60",
            "2024-01-10T10:01:00+01:00,a,call,60.0000001",
            "2024-01-10T10:02:00+01:00,a,call,0s",
        ]);
        Quantity(result, "a", "Minutes").ShouldBe(3m);
    }

    private const string Sms = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          unit sms
          event message(body: text)
          // GSM-7: 160 septets in one SMS, 153 per part beyond; UCS-2 (any other character): 70, then 67 per part.
          let parts = sum(message,
            if is_gsm7(body) then (if gsm7_length(body) <= 160 then 1 else ceil(gsm7_length(body) / 153))
            else (if length(body) <= 70 then 1 else ceil(length(body) / 67)))
          charge "SMS" = parts * 1 sms at 0.05 EUR per sms
          charge "Promotions" per message where starts_with(body, "PROMO") and not ends_with(body, "STOP") at 0.01 EUR
        }
        """;

    [Fact]
    public void SmsParts_Gsm7AndUcs2_CountedFromTheText()
    {
        var gsm160 = new string('a', 160);
        var gsm161 = new string('a', 161);
        var euro80 = new string('€', 80);           // 80 extension characters: 160 septets, one SMS
        var euro81 = "b" + new string('€', 80);     // 161 septets: two parts
        var ucs70 = new string('ж', 70);
        var emoji = string.Concat(Enumerable.Repeat("😀", 71)); // 71 characters, each two UTF-16 units: two parts
        var result = EveryWay.Rate(Sms, "time,account,event,body", [
            $"2024-01-10T10:00:00+01:00,a,message,{gsm160}",
            $"2024-01-10T10:01:00+01:00,a,message,{gsm161}",
            $"2024-01-10T10:02:00+01:00,a,message,{euro80}",
            $"2024-01-10T10:03:00+01:00,a,message,{euro81}",
            $"2024-01-10T10:04:00+01:00,a,message,{ucs70}",
            $"2024-01-10T10:05:00+01:00,a,message,{emoji}",
            "2024-01-10T10:06:00+01:00,a,message,PROMO soldes",
            "2024-01-10T10:07:00+01:00,a,message,PROMO soldes STOP",
        ]);

        // 1 + 2 + 1 + 2 + 1 + 2 + 1 + 1 = 11 parts; one promotion (the other ends with STOP).
        Quantity(result, "a", "SMS").ShouldBe(11m);
        Quantity(result, "a", "Promotions").ShouldBe(1m);
    }

    [Theory]
    [InlineData("charge \"A\" = sum(call, minutes(d) + 1 minute) at 1 EUR per minute", "TL0022")]
    [InlineData("charge \"A\" = sum(call, seconds(d * 1 minute)) * 1 minute at 1 EUR per minute", "TL0021")]
    [InlineData("charge \"A\" = sum(call, seconds(d + 5)) * 1 minute at 1 EUR per minute", "TL0021")]
    [InlineData("charge \"A\" = sum(call, seconds(round_up(d, 0s))) * 1 minute at 1 EUR per minute", "TL0085")]
    [InlineData("charge \"A\" = sum(call, length(d)) * 1 minute at 1 EUR per minute", "TL0020")]
    public void Checker_DurationMisuse_IsReported(string charge, string code)
    {
        var tariff = Tariff.Compile(
            $"tariff t {{\n  currency EUR\n  period month in \"UTC\"\n  unit minute\n  event call(d: duration)\n  {charge}\n}}\n");
        tariff.Diagnostics.Select(d => d.Code).ShouldContain(code, string.Join("\n", tariff.Diagnostics));
    }
}
