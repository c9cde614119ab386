namespace TariffLang.Tests.Compilation;

/// <summary>Tariffs written for the compiled backend's tests.</summary>
internal static class TestTariffs
{
    /// <summary>Uses every kind of bound expression, every operator, builtin, aggregate, plan field and state aggregate.</summary>
    public const string Everything = """
// Every kind of bound expression, for the compiled backend's coverage test.
tariff everything "All constructs" {
  currency EUR
  period by cycle { "monthly": 1 month, "quarterly": 3 months } in "Europe/Paris"
  effective from 2024-01-01
  unit call, credit

  param plan: text = "SMALL"
  param discount: number = 10%
  param signup: date = 2015-03-15
  param rate: money per call = 0.05 EUR per call
  param note: text?
  param opened_at: time = 2024-01-01T00:00:00+01:00
  param limit: number?

  event call(kind: text, minutes: decimal, caller: text, labels: tags, booked: date?, vip: bool, due: time?, flag: bool?)
  event inbound(caller: text)
  event topup(credits: int)
  event switch(to: text)
  event session(d: duration, text: text, note: text?)

  plan SMALL "Petit" { fee 10.00 EUR  includes 100 call  extra 0.10 EUR per call }
  plan BIG "Grand" { fee 50 EUR  includes 1000 call  extra param rate }

  table price for call by (kind): money per call { "local": 0.01 EUR per call  "intl": 0.20 EUR per call  "blocked": none }
  table bonus by (kind, caller): number { "local": "a" 1, "b" 2.50 }

  window service 24h per caller, opened by inbound where caller != "nobody"
  counter seen per caller { on call where vip or minutes > 30 add 1 }
  wallet credits: credit = 5 credit expires after 12 months { on topup add credits * 1 credit priority 1  on call where kind = "intl" subtract 1 credit }
  setting cycle: text = "monthly" { on switch set to at next period }
  setting last_kind: text = "none" { on call set kind }
  allowance inbound_bundle: call = plan.includes { on inbound where caller != "test" use 1 call }
  counter inbound_seen, reset every period { on inbound add 1 }
  tiers call_tiers graduated {
    up to 10 call at 0.01 EUR per call
    above at 0.005 EUR per call flat 0.10 EUR
  }
  charge "Tiered calls" = count(call) * 1 call at call_tiers
  charge "Tiered minimum" = max(0 EUR - tiered(call_tiers, count(call) * 1 call), 0 EUR)
  group calls { "Per call", "Late" }
  maximum "Calls cap" 1000 EUR for calls
  minimum "Invoice floor" 0 EUR
  tax "VAT" 20%
  tax "Calls VAT" param vat_rate for calls rounded per line
  charge "Per caller" by caller = max(count(call) * 0.01 EUR, 0.05 EUR)
  charge "Per caller, whole" by caller whole within 1d = max(count(call where kind != "local") * 0.02 EUR, 0.03 EUR)
  charge "Night part" per session at hours(overlap(time, d, 22h, 6h)) * 0.01 EUR
  charge "Long service" per call where elapsed(service) > 2h at 0.001 EUR per call
  charge "Inbound beyond" per inbound at beyond(inbound_bundle) * 0.01 EUR + covered(inbound_bundle) * 0 EUR
  charge "Inbound seen" = level(inbound_seen) * 1 call at 0.001 EUR per call

  reject call where kind = "banned" because "banned"
  free call where within service and not vip because "inside the service window"
  free call where booked is not none and booked < 2024-01-05 because "early booking"
  reject call where due is none and minutes > 500 and minutes <= 100000 because "long calls need a due time"
  // A time minus a time is a duration; durations compare.
  reject call where due is not none and due - time > 47h because "due too far ahead"

  charge "Per call" per call where labels contains "billable" or caller contains "vip" at price[kind]
  charge "Late" per call where due is not none and due < time + 1h and quantity >= 1 at if seen > 2 then 0.02 EUR per call else 0.01 EUR per call

  // None must propagate through typed comparisons and negations exactly as in the interpreter.
  charge "Unflagged" per call where not flag at 0.03 EUR per call
  charge "Not under limit" per call where not (minutes < param limit) at 0.04 EUR per call
  charge "Not twice the limit" per call where not (param limit * 2 = minutes) at 0.05 EUR per call
  let ties = distinct(call, min(minutes, 1.0, 1.00)) + distinct(call, max(minutes, 2.0))
  charge "Ties" = ties * 1 call at 0.001 EUR per call

  // A let bound to an event set (let billable = call where …) is left out: the compiled engine cannot compile one yet
  // (CoverageTests.Compiler_LetBoundToAnEventSet_CompilesAndMatchesTheOracle); the set is written in the aggregate.
  let minutes_total = sum(call where kind != "free" and -minutes < 0, round(minutes) + floor(minutes) - ceil(minutes) + abs(0 - minutes))
  let callers = distinct(call, caller)
  let shortest = min(call where minutes > 0, minutes)
  let longest = max(call, minutes / 2)
  let tiers = count(call where bonus[kind, caller] is not none)
  charge "Plan {plan}" = plan.fee * period_months()
  charge "Minutes" = max(minutes_total * 1 call - plan.includes, 0 call) at plan.extra
  charge "Callers" = callers * 1 call at 0.01 EUR per call
  charge "Spread" = (longest - shortest + tiers) * 1 call at 0.001 EUR per call
  charge "Peak seen" = (peak(seen) + level(seen)) * 1 call at 0.001 EUR per call
  charge "Discount" = -(plan.fee * param discount)
  charge "Named" = if plan.name = "Petit" and param note is none then 1 EUR else 2 EUR
  charge "Years" = years_since(param signup) * 0.1 EUR
  charge "Credits" = level(credits) * 0.5 EUR
  let stepped = sum(call, round_up(minutes, 5) + round_down(minutes, 5) - round_nearest(minutes, 5) + blocks(minutes, 10) + blocks(minutes, 10, 5))
  charge "Steps" = stepped * 1 call at 0.01 EUR per call
  charge "Days" = (days_in_period() - day_of_period(param opened_at) + days_between(param signup, 2015-03-20)) * 0.01 EUR

  // Durations as numbers and their arithmetic; texts measured and tested.
  charge "Sessions" per session where starts_with(text, "A") or ends_with(text, "z") or is_gsm7(text) or starts_with(note, "x")
    at (minutes(round_up(d + d - 1min, 60s)) + seconds(round_down(d * 2, 30s) / 2) / 60 + hours(round_nearest(2 * d, 15min))
      + days(d) + d / 1min + length(text) + gsm7_length(text) + length(note)) * 0.001 EUR
  reject session where ends_with(note, "!") because "shouting"
  // The calendar, in the tariff's zone.
  holidays { 2024-01-01, 2024-05-01 }
  param closed_days: tags?
  param vat_rate: decimal = 0.1
  free session where time_of_day(time) >= 22h or day_of_week(time) = 7 or month_of_year(time) = 8 or day_of_month(time) = 15
    or is_holiday(time) or is_holiday(time, param closed_days) because "off-peak"

  grant "Welcome" once on 2024-01-01 add 2 credit to credits
  grant "Loyalty" every year on 06-01 add min(years_since(param signup), 5) * 1 credit to credits

  example "a month" {
    inbound(caller: "a")
    call(kind: "local", minutes: 3.5, caller: "a", labels: "billable;x", vip: false)
    call(kind: "intl", minutes: 12, caller: "b", labels: "", vip: true, booked: 2024-01-02)
    topup(credits: 3)
    // 16.30 before steps and days: both calls are free (the service window, the early booking), so "Steps" bills
    // nothing, and "Days" is (31 days in January − day 1 + 5 days from 03-15 to 03-20) × 0.01 EUR = 0.35 EUR.
    expect total 16.65
  }
}
""";

    /// <summary>Steps, packages and a licence prorated by days, with examples worked out by hand.</summary>
    public const string StepsAndDays = """
tariff hosting "Calls per started minute, data in packs, a licence prorated by days" {
  currency EUR
  period month in "Europe/Paris"
  effective from 2024-01-01
  unit s, GB

  param licence_start: date = 2024-01-01
  event call(duration: s)
  event transfer(size: GB)

  // Each call is rounded up to the minute on its own (inside sum); n s / 60 s is a plain number of minutes.
  charge "Calls" = sum(call, round_up(duration, 60 s)) / 60 s * 0.02 EUR
  // Packs of 10 GB once the first 5 GB of the month are used.
  charge "Data packs" = blocks(sum(transfer, size), 10 GB, 5 GB) * 3 EUR
  // 30 EUR a month, for the days from the licence's start (day 1 when it started before the month).
  charge "Licence" = if day_of_period(param licence_start) > days_in_period() then 0 EUR
    else 30 EUR * (days_in_period() - max(day_of_period(param licence_start), 1) + 1) / days_in_period()

  example "February, the licence from the 20th" {
    with licence_start = 2024-02-20
    at 2024-02-05T10:00 call(duration: 61)
    at 2024-02-05T11:00 call(duration: 60)
    at 2024-02-05T12:00 call(duration: 1)
    at 2024-02-06T10:00 transfer(size: 12)
    at 2024-02-07T10:00 transfer(size: 13)
    // 120 + 60 + 60 s = 4 minutes (rounding the 122 s total instead would give 3): 4 × 0.02 = 0.08
    expect line "Calls" amount 0.08
    // 25 GB − 5 free = 20 GB: 2 packs × 3 = 6.00
    expect line "Data packs" amount 6.00
    // February 2024 has 29 days; the 20th is day 20, so 29 − 20 + 1 = 10 days: 30 × 10 / 29 = 10.3448… → 10.34
    expect line "Licence" amount 10.34
    expect total 16.42
  }

  example "March, the licence all month" {
    with licence_start = 2024-02-20
    at 2024-03-05T10:00 call(duration: 30)
    at 2024-03-06T10:00 transfer(size: 5)
    // 30 s rounds up to 1 minute: 0.02; 5 GB is exactly the free part: no pack
    expect line "Calls" amount 0.02
    expect no line "Data packs"
    // 2024-02-20 is before March (day −9): the licence runs all 31 days, 30 × 31 / 31 = 30.00
    expect line "Licence" amount 30.00
    expect total 30.02
  }
}
""";
}
