using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using TariffLang.Ledgers;
using TariffLang.Rating;
using TariffLang.Tests.Compilation;

namespace TariffLang.Tests.Rating;

/// <summary>
/// The streamed rating (parallel parse workers, account partitions, replays) must say exactly what the in-memory rating
/// says — invoices, rejected rows and accounting — whatever the number of threads, the size of chunks and the order of
/// the rows in the file.
/// </summary>
public sealed class StreamRaterTests
{
    private const int Cases = 60;

    public static TheoryData<string> Tariffs() => CompilerTestSupport.TariffNamesAndEverything();

    public static TheoryData<string> Vendors() => ExampleLedgerTests.Vendors();

    private static string Streamed(CompiledTariff tariff, Ledger ledger, AccountTable accounts, RatingOptions options, int threads,
        int rowsPerChunk)
    {
        using var input = new MemoryLedgerInput(ledger, rowsPerChunk);
        return new StreamRater(tariff.Plan!, tariff.Program!, accounts, options, threads).Rate(input).ToJson();
    }

    /// <summary>
    /// The rows in another order, numbered as the file written in that order would number them: a file's row numbers
    /// grow with its order, and both raters break a tie of times by row number. Keeping the old numbers once gave two
    /// rows of one time, read 2 then 1, which the streamed rating rated in file order and the in-memory one by number.
    /// The set of numbers is kept, so the rows never take a number of the ledger's unreadable rows.
    /// </summary>
    private static Ledger Shuffled(Ledger ledger, int seed)
    {
        var random = new Random(seed);
        var numbers = ledger.Rows.Select(r => r.Row).Order().ToArray();
        var rows = ledger.Rows.OrderBy(_ => random.Next()).Select((r, i) => r with { Row = numbers[i] });
        return ledger with { Rows = rows.ToImmutableArray() };
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void RateFile_LedgerSplitByAccount_GivesEveryAccountTheSameInvoices(string vendor)
    {
        // The months are derived from each account's own rows, so a run over one account's rows must bill that account
        // exactly as the run over everyone's does (the same accounts file in every run).
        var folder = Path.Combine(Cli.TestPaths.RepoRoot, "examples", vendor);
        var tariff = Tariff.Load(Path.Combine(Cli.TestPaths.Tariffs, vendor + ".tariff"));
        var accountsFile = Path.Combine(folder, "accounts.csv");
        var accounts = File.Exists(accountsFile) ? Tariff.ReadAccounts(accountsFile).Accounts : AccountTable.Empty;
        var lines = File.ReadAllLines(Path.Combine(folder, "ledger.csv"));
        var accountColumn = Array.IndexOf(lines[0].Split(','), "account");
        var whole = tariff.RateFile(Path.Combine(folder, "ledger.csv"), accounts, new RatingOptions { Threads = 2 });

        var byAccount = lines.Skip(1).Where(l => l.Length > 0).GroupBy(l => l.Split(',')[accountColumn]).ToList();
        byAccount.Count.ShouldBeGreaterThan(1);
        foreach (var group in byAccount)
        {
            var path = Path.Combine(TestTemp.NewDirectory("split-"), "ledger.csv");
            File.WriteAllLines(path, [lines[0], .. group]);
            var alone = tariff.RateFile(path, accounts, new RatingOptions { Threads = 2 });
            alone.Invoices.Select(i => i.Account).Distinct().ShouldAllBe(a => a == group.Key);
            alone.Invoices.Select(i => (i.Period.From, i.Total)).ShouldBe(
                whole.Invoices.Where(i => i.Account == group.Key).Select(i => (i.Period.From, i.Total)), customMessage: group.Key);
        }
    }

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void StreamRater_GeneratedLedgers_MatchTheInMemoryRating(string name)
    {
        var (interpreted, compiled) = CompilerTestSupport.Both(CompilerTestSupport.TextOf(name), name);
        var cases = Arb.From(LedgerGenerator.For(interpreted.Model!, name).SelectMany(c =>
            Gen.Choose(1, 4).SelectMany(threads => Gen.Choose(1, 9).SelectMany(chunk =>
                Gen.Choose(0, 1000).Select(seed => (c, threads, chunk, seed))))));
        var property = Prop.ForAll(cases, x =>
        {
            var (c, threads, chunk, seed) = x;
            foreach (var tariff in new[] { interpreted, compiled })
            {
                var expected = tariff.Rate(c.Ledger, c.Accounts, c.Options).ToJson();
                Streamed(tariff, c.Ledger, c.Accounts, c.Options, threads, chunk)
                    .ShouldBe(expected, customMessage: $"{tariff.Engine}, {threads} threads, chunks of {chunk}\n{c}");
                // Out of time order: the accounts are replayed from their held rows.
                var shuffled = Shuffled(c.Ledger, seed);
                Streamed(tariff, shuffled, c.Accounts, c.Options, threads, chunk)
                    .ShouldBe(tariff.Rate(shuffled, c.Accounts, c.Options).ToJson(), customMessage: $"{tariff.Engine}, shuffled\n{c}");
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithEndSize(40), property);
    }

    [Fact]
    public void StreamRater_ShuffledRowsOfOneTime_MatchTheInMemoryRating()
    {
        // The case the property above once found (CI, analys.tariff): two purchases of one account at one time, read
        // in the reverse of the generated order. Rated in file order, the lines must come in that order in both ratings.
        var text = CompilerTestSupport.TextOf("analys.tariff");
        var (interpreted, compiled) = CompilerTestSupport.Both(text, "analys.tariff");
        var time = DateTimeOffset.Parse("2021-01-01T10:39:00+01:00", System.Globalization.CultureInfo.InvariantCulture);
        LedgerRow Purchase(int row, decimal quantity, string pack) => new(row, null, time, "acme", "pack_purchased", quantity,
            ImmutableDictionary<string, string>.Empty.Add("pack", pack));
        var ledger = new Ledger("l.csv", [Purchase(1, 1, "PACK50"), Purchase(2, 1000, "PACK25")], []);
        var prices = ImmutableDictionary<string, string>.Empty.Add("atys_since", "2024-03-26").Add("price_pack10", "100")
            .Add("price_pack25", "0").Add("price_pack50", "962.31");
        var accounts = new AccountTable(ImmutableDictionary<string, ImmutableDictionary<string, string>>.Empty.Add("acme", prices));
        var seed = Enumerable.Range(0, 100).First(s => Shuffled(ledger, s).Rows[0].Attributes["pack"] == "PACK25");

        var shuffled = Shuffled(ledger, seed);

        shuffled.Rows.Select(r => (r.Row, r.Attributes["pack"])).ShouldBe([(1, "PACK25"), (2, "PACK50")]);
        foreach (var tariff in new[] { interpreted, compiled })
        {
            var inMemory = tariff.Rate(shuffled, accounts);
            inMemory.Invoices.Single().Lines.Select(l => l.Quantity).ShouldBe([1000m, 1m]);
            Streamed(tariff, shuffled, accounts, new RatingOptions(), 1, 1)
                .ShouldBe(inMemory.ToJson(), customMessage: tariff.Engine.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public void StreamRater_ExampleLedgers_GiveTheExpectedInvoicesWhateverThreadsChunksAndOrder(string vendor)
    {
        var folder = Path.Combine(CompilerTestSupport.RepoRoot, "examples", vendor);
        var expected = File.ReadAllText(Path.Combine(folder, "expected.json"));
        var ledger = Tariff.ReadLedger(Path.Combine(folder, "ledger.csv"));
        var accountsPath = Path.Combine(folder, "accounts.csv");
        var accounts = File.Exists(accountsPath) ? Tariff.ReadAccounts(accountsPath).Accounts : AccountTable.Empty;
        var args = ExampleLedgerTests.ExampleArgs.Read(folder);
        var options = args.Options();
        foreach (var engine in new[] { TariffEngine.Interpreted, TariffEngine.Compiled })
        {
            var tariff = Tariff.Load(Path.Combine(CompilerTestSupport.TariffsDir, vendor + ".tariff"), engine);
            foreach (var threads in new[] { 1, 2, 5 })
            {
                foreach (var chunk in new[] { 1, 13, 4096 })
                {
                    Streamed(tariff, ledger, accounts, options, threads, chunk)
                        .ShouldBe(expected, $"{vendor} {engine} {threads} threads, chunks of {chunk}");
                }
                // Shuffled, which copy of a repeated id comes first changes: compare with the in-memory rating of the same file.
                var shuffled = Shuffled(ledger, threads);
                Streamed(tariff, shuffled, accounts, options, threads, 7)
                    .ShouldBe(tariff.Rate(shuffled, accounts, options).ToJson(), $"{vendor} {engine} shuffled");
            }
        }
    }

    [Fact]
    public void StreamRater_AccountThatCannotBeRated_HasEveryRowRejectedAndNoInvoice()
    {
        // The marketing price is missing for 'b': that shows only at its third row, after two rows were rated.
        var tariff = Tariff.Load(Path.Combine(CompilerTestSupport.TariffsDir, "aircall.tariff"));
        var ledger = LedgerReader.ReadCsv(new StringReader("""
            time,account,event,user,contact,direction,kind,delivered
            2024-03-01T08:00:00+01:00,a,licence_assigned,u1,,,,
            2024-03-01T08:00:00+01:00,b,licence_assigned,u1,,,,
            2024-03-02T09:00:00+01:00,b,message,u1,c1,inbound,,
            2024-03-03T09:00:00+01:00,a,message,u1,c1,outbound,marketing,true
            2024-03-03T09:00:00+01:00,b,message,u1,c1,outbound,marketing,true
            """), "l.csv");
        var prices = ImmutableDictionary<string, string>.Empty.Add("licence_price", "15").Add("utility_price", "0.04");
        var accounts = new AccountTable(ImmutableDictionary<string, ImmutableDictionary<string, string>>.Empty
            .Add("a", prices.Add("marketing_price", "0.085")).Add("b", prices));

        var result = new StreamRater(tariff.Plan!, tariff.Program!, accounts, new RatingOptions(), 2)
            .Rate(new MemoryLedgerInput(ledger, 1));

        result.Invoices.Select(i => i.Account).ShouldBe(["a"]);
        result.Rejected.Select(r => r.Row).ShouldBe([3, 4, 6]);
        result.Rejected.ShouldAllBe(r => r.Reason == "account 'b': missing contract parameter 'marketing_price'");
        result.Accounting.ShouldBe(new TariffLang.Invoicing.Accounting(5, 2, 0, 3));
        result.ToJson().ShouldBe(tariff.Rate(ledger, accounts).ToJson());
    }

    [Fact]
    public void StreamRater_RowsOutOfOrder_HoldOnlyTheAccountsThatNeedIt()
    {
        var tariff = Tariff.Load(Path.Combine(CompilerTestSupport.TariffsDir, "calendoc.tariff"));
        var ledger = LedgerReader.ReadCsv(new StringReader("""
            time,account,event,length
            2024-03-01T08:00:00+01:00,in-order,sms,10
            2024-03-05T08:00:00+01:00,late,sms,10
            2024-03-02T08:00:00+01:00,in-order,sms,200
            2024-03-01T08:00:00+01:00,late,sms,400
            """), "l.csv");
        var rater = new StreamRater(tariff.Plan!, tariff.Program!, AccountTable.Empty, new RatingOptions(), 1);

        var result = rater.Rate(new MemoryLedgerInput(ledger));

        rater.Held.Rows.ShouldBe(2);
        rater.Held.Bytes.ShouldBeGreaterThan(0);
        result.ToJson().ShouldBe(tariff.Rate(ledger).ToJson());
    }
}
