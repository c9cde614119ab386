using System.Collections.Immutable;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using TariffLang.Ledgers;
using TariffLang.Semantics;

namespace TariffLang.Tests.Compilation;

/// <summary>Where a row's time comes from: an absolute local time (month and day boundaries are likely), or the previous row's time plus a
/// step (24 h window edges are likely).</summary>
internal sealed record TimeSpec(bool Relative, int MonthOffset, int Day, int Hour, int Minute, int Second, TimeSpan Step);

/// <summary>One attribute: its text (null: left out) or, for times, an offset from the row's own time.</summary>
internal sealed record AttrSpec(string Name, string? Value, TimeSpan? FromRowTime);

internal sealed record RowSpec(string Account, string Event, TimeSpec Time, decimal Quantity, string? Id,
    ImmutableArray<AttrSpec> Attributes);

/// <summary>A generated rating case: rows, contract values per account, and maybe a reported month.</summary>
internal sealed record LedgerCase(ImmutableArray<LedgerRow> Rows, AccountTable Accounts, RatingOptions Options)
{
    public Ledger Ledger => new("generated", Rows, ImmutableArray<LedgerError>.Empty);

    /// <summary>Readable and reproducible when a property fails: the accounts, then the ledger as CSV-like lines.</summary>
    public override string ToString()
    {
        var lines = new List<string>();
        foreach (var (account, values) in Accounts.Accounts.OrderBy(a => a.Key, StringComparer.Ordinal))
            lines.Add($"account {account}: "
                + string.Join(", ", values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}")));
        if (Options.Month is { } m) lines.Add($"month {m.Year}-{m.Month:00}");
        foreach (var r in Rows)
        {
            lines.Add(
                $"{r.Row},{r.Time:yyyy-MM-ddTHH:mm:sszzz},{r.Account},{r.Event},"
                + $"q={r.Quantity.ToString(CultureInfo.InvariantCulture)},id={r.Id}," +
                      string.Join(",", r.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}")));
        }
        return string.Join("\n", lines);
    }
}

/// <summary>
/// Ledgers for any checked tariff, driven by its declarations: events and attribute types from the model, text values
/// from the string literals, table keys, plan names and example values the tariff itself contains. So a new vendor
/// tariff is covered as soon as it lands. Per-file hints add values a vendor's rules hinge on.
/// </summary>
internal static class LedgerGenerator
{
    private static readonly string[] Accounts = ["acme", "beta", "gamma"];

    /// <summary>Extra values per tariff file (the boundaries its rules turn on); files not yet written are simply absent.</summary>
    private static readonly Dictionary<string, string[]> Hints = new(StringComparer.Ordinal)
    {
        ["calendoc.tariff"] = ["159", "160", "161", "320", "321", "0"],
        ["web1on1.tariff"] = ["agent", "bot"],
        ["aircall.tariff"] = ["inbound", "outbound", "marketing", "utility", "free_form", "delivered", "failed"],
        ["wazo.tariff"] = ["admin", "user", "finance", "subscription_management", "admin;finance:subscription_management", "monthly",
            "yearly"],
        ["analys.tariff"] = ["accepted", "refused", "quoted", "10", "50", "100"],
    };

    public static Gen<LedgerCase> For(CheckedTariff model, string fileName)
    {
        var strings = Strings(model, fileName);
        var zone = model.Period.Zone;
        var start = model.EffectiveFrom ?? new DateOnly(2024, 1, 1);
        var baseMonth = new DateOnly(start.Year, start.Month, 1);

        var rows = Gen.Sized(size => Gen.Choose(0, Math.Max(1, Math.Min(size, 40)))
            .SelectMany(n => Gen.ListOf(Row(model, strings, fileName), n)));
        var accounts = Gen.ListOf(AccountValues(model, strings), Accounts.Length);
        var month = Gen.Frequency(
            (4, Gen.Constant<(int, int)?>(null)),
            (1, Gen.Choose(-1, 3).Select(o => MonthOf(baseMonth.AddMonths(o)))));

        return from specs in rows
               from values in accounts
               from m in month
               select Build(specs, values, m, zone, baseMonth);
    }

    /// <summary>One value from each generator, in order.</summary>
    private static Gen<ImmutableList<T>> Sequence<T>(IEnumerable<Gen<T>> gens) =>
        gens.Aggregate(Gen.Constant(ImmutableList<T>.Empty), (acc, g) => acc.SelectMany(list => g.Select(list.Add)));

    private static (int, int)? MonthOf(DateOnly d) => (d.Year, d.Month);

    private static LedgerCase Build(IEnumerable<RowSpec> specs, IEnumerable<ImmutableDictionary<string, string>> values, (int, int)? month,
        DateTimeZone zone, DateOnly baseMonth)
    {
        var rows = ImmutableArray.CreateBuilder<LedgerRow>();
        var previous = Absolute(new TimeSpec(false, 0, 1, 9, 0, 0, TimeSpan.Zero), zone, baseMonth);
        foreach (var spec in specs)
        {
            var time = spec.Time.Relative ? previous + spec.Time.Step : Absolute(spec.Time, zone, baseMonth);
            previous = time;
            var attributes = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var a in spec.Attributes)
            {
                if (a.FromRowTime is { } offset) attributes[a.Name] = Iso(time + offset);
                else if (a.Value is not null) attributes[a.Name] = a.Value;
            }
            rows.Add(new LedgerRow(rows.Count + 1, spec.Id, time, spec.Account, spec.Event, spec.Quantity, attributes.ToImmutable()));
        }
        var table = ImmutableDictionary.CreateBuilder<string, ImmutableDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (account, v) in Accounts.Zip(values)) table[account] = v;
        return new LedgerCase(rows.ToImmutable(), new AccountTable(table.ToImmutable()), new RatingOptions(Month: month));
    }

    private static DateTimeOffset Absolute(TimeSpec t, DateTimeZone zone, DateOnly baseMonth)
    {
        var month = baseMonth.AddMonths(t.MonthOffset);
        var day = Math.Min(t.Day, DateTime.DaysInMonth(month.Year, month.Month));
        // Lenient: a local time in a DST gap moves forward, an ambiguous one takes the earlier instant.
        return new LocalDateTime(month.Year, month.Month, day, t.Hour, t.Minute, t.Second).InZoneLeniently(zone).ToDateTimeOffset();
    }

    private static string Iso(DateTimeOffset t) => t.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);

    private static Gen<TimeSpec> Time()
    {
        var absolute =
            from month in Gen.Choose(-1, 3)
            from day in Gen.Frequency((2, Gen.Elements(1, 28, 29, 30, 31)), (3, Gen.Choose(1, 31)))
            from hour in Gen.Frequency((2, Gen.Elements(0, 23)), (3, Gen.Choose(0, 23)))
            from minute in Gen.Frequency((1, Gen.Elements(0, 59)), (2, Gen.Choose(0, 59)))
            from second in Gen.Elements(0, 30, 59)
            select new TimeSpec(false, month, day, hour, minute, second, TimeSpan.Zero);
        var step = Gen.Frequency(
            (3, Gen.Elements(TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1),
                TimeSpan.FromHours(24), TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1), TimeSpan.FromHours(1))),
            (3, Gen.Choose(1, 60 * 48).Select(m => TimeSpan.FromMinutes(m))),
            (1, Gen.Choose(1, 40).Select(d => TimeSpan.FromDays(d))));
        return Gen.Frequency(
            (2, absolute),
            (3, step.Select(s => new TimeSpec(true, 0, 1, 0, 0, 0, s))));
    }

    private static Gen<RowSpec> Row(CheckedTariff model, string[] strings, string fileName)
    {
        var events = model.Events.Select(e => e.Name).ToArray();
        var eventName = Gen.Frequency((30, Gen.Elements(events)), (1, Gen.Constant("no_such_event")));
        var quantity = Gen.Frequency(
            (12, Gen.Constant(1m)),
            (2, Gen.Choose(2, 5).Select(q => (decimal)q)),
            (1, Gen.Elements(0.5m, 0m, 10m, 1.50m)),
            // Large batches push usage past plan quotas, where overage lines appear.
            (1, Gen.Elements(100m, 1000m, 250.25m)));
        var id = Gen.Frequency((9, Gen.Constant<string?>(null)), (1, Gen.Choose(0, 5).Select(i => (string?)("id-" + i))));
        return from account in Gen.Frequency((4, Gen.Constant(Accounts[0])), (1, Gen.Elements(Accounts)))
               from name in eventName
               from time in Time()
               from q in quantity
               from i in id
               from attributes in Attributes(model, model.FindEvent(name), strings)
               select new RowSpec(account, name, time, q, i, attributes);
    }

    private static Gen<ImmutableArray<AttrSpec>> Attributes(CheckedTariff model, EventSymbol? symbol, string[] strings)
    {
        if (symbol is null) return Gen.Constant(ImmutableArray.Create(new AttrSpec("x", "1", null)));
        var gens = symbol.Attributes.Select(a => Attribute(a,
            TableKeys(model, symbol, a) is { Length: > 0 } keys && a.Type.Kind == TypeKind.Text
            ? Gen.Frequency((6, Gen.Elements(keys)), (1, Gen.Elements(strings))).Select(v => new AttrSpec(a.Name, v, null))
            : Value(a.Type, strings, a.Name))).ToList();
        var extra = Gen.Frequency((40, Gen.Constant<AttrSpec?>(null)),
            (1, Gen.Constant<AttrSpec?>(new AttrSpec("not_declared", "1", null))));
        return Sequence(gens).SelectMany(list => extra.Select(x =>
            (x is null ? list : list.Append(x)).ToImmutableArray()));
    }

    /// <summary>The keys a table of this event has for this attribute: rows that find a cell get rated, not rejected.</summary>
    private static string[] TableKeys(CheckedTariff model, EventSymbol e, AttributeSymbol a) =>
        model.Tables.Where(t => t.ForEvent == e && t.Keys.Contains(a.Name))
            .SelectMany(t => t.Cells.Keys.Select(k => k.Split(TableSymbol.KeySeparator)[t.Keys.IndexOf(a.Name)]))
            .Distinct().Order(StringComparer.Ordinal).ToArray();

    private static Gen<AttrSpec> Attribute(AttributeSymbol a, Gen<AttrSpec> value)
    {
        // Optional attributes are often missing; a required one rarely (the row is then rejected).
        var omitted = a.Type.Optional ? 6 : 1;
        return Gen.Frequency(
            (omitted, Gen.Constant(new AttrSpec(a.Name, null, null))),
            (40, value));
    }

    private static Gen<AttrSpec> Value(TlType type, string[] strings, string name)
    {
        AttrSpec Text(string v) => new(name, v, null);
        return type.Kind switch
        {
            TypeKind.Text => Gen.Frequency(
                (8, Gen.Elements(strings)),
                (2, Gen.Choose(0, 3).Select(i => "k" + i))).Select(Text),
            TypeKind.Number or TypeKind.Money => Gen.Frequency(
                (4, Gen.Elements("0", "1", "2", "3", "10", "0.5", "1.50", "159", "160", "161", "480", "-1")),
                // Equal numbers written differently: which one an operation keeps shows in distinct keys.
                (2, Gen.Elements("1.0", "1.00", "2.0", "160.0")),
                (2, Gen.Elements(strings.Where(s => decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
                    .DefaultIfEmpty("7").ToArray())),
                (4, Gen.Choose(0, 1000).Select(i => i.ToString(CultureInfo.InvariantCulture))),
                (2, Gen.Choose(0, 100000).Select(i => (i / 100m).ToString(CultureInfo.InvariantCulture))),
                (1, Gen.Constant("abc"))).Select(Text),
            TypeKind.Bool => Gen.Frequency((10, Gen.Elements("true", "false", "1", "0")), (1, Gen.Constant("maybe"))).Select(Text),
            TypeKind.Date => Gen.Frequency(
                (10, Gen.Choose(-400, 400)
                    .Select(d => new DateOnly(2024, 1, 1).AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
                (1, Gen.Constant("01/02/2024"))).Select(Text),
            TypeKind.Time => Gen.Frequency(
                (10, Gen.Elements(-48, -24, -1, 0, 1, 23, 24, 25).Select(h => new AttrSpec(name, null, TimeSpan.FromHours(h)))),
                (3, Gen.Choose(-3000, 3000).Select(m => new AttrSpec(name, null, TimeSpan.FromMinutes(m)))),
                (1, Gen.Constant(Text("noon")))),
            TypeKind.Duration => Gen.Elements("PT30M", "3600", "1d", "90s", "P1DT2H", "1:00:00", "bad").Select(Text),
            TypeKind.Tags =>
                Gen.ListOf(Gen.Elements(strings), 3).SelectMany(all => Gen.Choose(0, 3).Select(n => string.Join(";", all.Take(n))))
                .Select(Text),
            _ => Gen.Constant(Text("?")),
        };
    }

    /// <summary>Contract values: plans by name (sometimes an unknown one), parameters by type, sometimes left out.</summary>
    private static Gen<ImmutableDictionary<string, string>> AccountValues(CheckedTariff model, string[] strings)
    {
        var plans = model.Plans.Select(p => p.Name).ToArray();
        var gens = new List<Gen<(string Name, string? Value)>>();
        foreach (var p in model.Params)
        {
            Gen<string?> value;
            if (p.Name == "plan" && plans.Length > 0)
                value = Gen.Frequency((20, Gen.Elements(plans).Select(s => (string?)s)), (1, Gen.Constant<string?>("NO_SUCH_PLAN")));
            else
                value = Value(p.Type, strings, p.Name).Select(a => (string?)(a.Value ?? "2024-03-01T10:00:00+01:00"));
            var leaveOut = p.Default is not null || p.Type.Optional ? 4 : 1;
            gens.Add(Gen.Frequency((leaveOut, Gen.Constant<string?>(null)), (30, value)).Select(v => (p.Name, v)));
        }
        return Sequence(gens).Select(list => list.Where(x => x.Value is not null)
            .ToImmutableDictionary(x => x.Name, x => x.Value!, StringComparer.Ordinal));
    }

    /// <summary>The text values the tariff's own rules mention, and a few it does not.</summary>
    private static string[] Strings(CheckedTariff model, string fileName)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal) { "", "other" };
        foreach (var node in CompilerTestSupport.ModelExpressions(model))
        {
            if (node is BoundLiteral { Value: string s }) found.Add(s);
        }
        foreach (var table in model.Tables)
        {
            foreach (var key in table.Cells.Keys) found.UnionWith(key.Split(TableSymbol.KeySeparator));
        }
        found.UnionWith(model.Plans.Select(p => p.Name));
        found.UnionWith(model.Period.ChoiceMonths.Keys);
        foreach (var usage in model.Examples.SelectMany(e => e.Usages))
            found.UnionWith(usage.Args.Select(a => a.Value.Replace("{n}", "1")));
        if (Hints.TryGetValue(fileName, out var hints)) found.UnionWith(hints);
        return found.ToArray();
    }
}
