using System.Collections.Immutable;
using System.Globalization;
using TariffLang.Ledgers;

namespace TariffLang.Benchmarks;

/// <summary>Deterministic ledgers of a chosen size for the bundled tariffs.</summary>
internal static class SyntheticLedgers
{
    private static readonly string[] Outcomes = ["test_drive", "video_call", "showroom_visit", "quote_request", "workshop_appointment",
        "crm_lead"];

    public static Ledger Calendoc(int rows, int accounts)
    {
        var random = new Random(11);
        var start = new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.FromHours(1));
        var list = ImmutableArray.CreateBuilder<LedgerRow>(rows);
        for (var i = 0; i < rows; i++)
        {
            var time = start.AddSeconds(i * 0.5);
            var account = "store-" + (i % accounts).ToString(CultureInfo.InvariantCulture);
            var kind = random.Next(10);
            var (name, attributes) = kind switch
            {
                < 5 => ("appointment", ImmutableDictionary<string, string>.Empty
                    .Add("source", kind == 0 ? "google_sync" : "calendoc")
                    .Add("starts_at", time.AddDays(2).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture))),
                < 9 => ("sms",
                    ImmutableDictionary<string, string>.Empty.Add("length", random.Next(1, 480).ToString(CultureInfo.InvariantCulture))),
                _ => ("email", ImmutableDictionary<string, string>.Empty),
            };
            list.Add(new LedgerRow(i + 2, null, time, account, name, 1m, attributes));
        }
        return new Ledger("synthetic", list.MoveToImmutable(), ImmutableArray<LedgerError>.Empty);
    }

    public static Ledger Web1on1(int rows, int accounts)
    {
        var random = new Random(42);
        var start = new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.FromHours(1));
        var list = ImmutableArray.CreateBuilder<LedgerRow>(rows);
        for (var i = 0; i < rows; i++)
        {
            var time = start.AddSeconds(i * 90);
            var account = "dealer-" + (i % accounts).ToString(CultureInfo.InvariantCulture);
            var attributes = random.Next(3) == 0
                ? ImmutableDictionary<string, string>.Empty.Add("contact", "c" + random.Next(5000).ToString(CultureInfo.InvariantCulture))
                : ImmutableDictionary<string, string>.Empty
                    .Add("outcome", Outcomes[random.Next(Outcomes.Length)])
                    .Add("handled_by", random.Next(2) == 0 ? "agent" : "bot");
            var name = attributes.ContainsKey("contact") ? "contact_engaged" : "chat_completed";
            list.Add(new LedgerRow(i + 2, null, time, account, name, 1m, attributes));
        }
        return new Ledger("synthetic", list.MoveToImmutable(), ImmutableArray<LedgerError>.Empty);
    }

    public static AccountTable Web1on1Accounts(int accounts)
    {
        var plans = new[] { "BASE", "GROW", "SCALE" };
        var builder = ImmutableDictionary.CreateBuilder<string, ImmutableDictionary<string, string>>();
        for (var i = 0; i < accounts; i++)
            builder["dealer-" + i.ToString(CultureInfo.InvariantCulture)] = ImmutableDictionary<string, string>.Empty.Add("plan",
                plans[i % plans.Length]);
        return new AccountTable(builder.ToImmutable());
    }

    public static Ledger Aircall(int rows, int accounts)
    {
        var random = new Random(7);
        var start = new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.FromHours(1));
        var list = ImmutableArray.CreateBuilder<LedgerRow>(rows);
        string[] kinds = ["marketing", "utility", "free_form"];
        for (var i = 0; i < rows; i++)
        {
            var account = "co-" + (i % accounts).ToString(CultureInfo.InvariantCulture);
            var time = start.AddMinutes(i * 7);
            if (i < accounts)
            {
                list.Add(new LedgerRow(i + 2, null, time, account, "licence_assigned", 1m,
                    ImmutableDictionary<string, string>.Empty.Add("user", "u1")));
                continue;
            }
            var contact = "+336" + random.Next(200).ToString("D8", CultureInfo.InvariantCulture);
            var attributes = random.Next(3) == 0
                ? ImmutableDictionary<string, string>.Empty.Add("contact", contact).Add("direction", "inbound")
                : ImmutableDictionary<string, string>.Empty.Add("contact", contact).Add("direction", "outbound")
                    .Add("kind", kinds[random.Next(kinds.Length)]).Add("user", "u1").Add("delivered", "true");
            list.Add(new LedgerRow(i + 2, null, time, account, "message", 1m, attributes));
        }
        return new Ledger("synthetic", list.MoveToImmutable(), ImmutableArray<LedgerError>.Empty);
    }

    public static AccountTable AircallAccounts(int accounts)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, ImmutableDictionary<string, string>>();
        for (var i = 0; i < accounts; i++)
            builder["co-" + i.ToString(CultureInfo.InvariantCulture)] = ImmutableDictionary<string, string>.Empty
                .Add("licence_price", "15").Add("marketing_price", "0.085").Add("utility_price", "0.04");
        return new AccountTable(builder.ToImmutable());
    }
}
