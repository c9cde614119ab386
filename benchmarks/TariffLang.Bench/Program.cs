using System.Globalization;
using TariffLang.Bench;

// tariff-bench: the end-to-end benchmark of TariffLang against DuckDB and a hand-written C# program.
// `bash benchmarks/run.sh` builds everything in Release and runs the `run` verb; docs/performance.md explains it.
const string Usage = """
    usage:
      tariff-bench generate --tariff calendoc|web1on1|aircall --rows N [--accounts K] [--seed S] [--shuffled]
                            [--rows-per-month N] --out DIR
      tariff-bench baseline LEDGER                  hand-written calenDoc rating; prints invoice JSON
      tariff-bench duckdb LEDGER                    DuckDB's calenDoc rating; prints invoice JSON, query time on stderr
      tariff-bench normalize INVOICE_JSON           canonical lines (account | from | label | quantity | amount)
      tariff-bench compare EXPECTED_JSON ACTUAL_JSON  exit 0 when both agree to the cent, 1 with the differences
      tariff-bench run [--rows 1M,5M,10M] [--tariffs calendoc,web1on1,aircall] [--shuffled] [--rows-per-month N] [--runs 3]
                       [--threads auto|none|N,M] [--contestants LIST] [--data DIR] [--seed S] [--tariff-dll PATH]
    N accepts 20000, 200k, 1M, 2.5M. Without --rows-per-month every ledger is one month (January 2024); with it, a
    ledger spans as many months as it needs at N rows a month (the same accounts over a longer history).
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    (args.Length == 0 ? Console.Error : Console.Out).WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    var options = CommandLine.Parse(args.Skip(1));
    switch (args[0])
    {
        case "generate":
        {
            var tariff = options.Required("--tariff");
            var rows = CommandLine.ParseCount(options.Required("--rows"));
            var accounts = options.Get("--accounts") is { } k ? int.Parse(k, CultureInfo.InvariantCulture) : (int?)null;
            var seed = ulong.Parse(options.Get("--seed") ?? "42", CultureInfo.InvariantCulture);
            var perMonth = options.Get("--rows-per-month") is { } m ? CommandLine.ParseCount(m) : (long?)null;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            LedgerGenerator.Generate(
                new GenerateOptions(tariff, rows, accounts, seed, options.Flag("--shuffled"), options.Required("--out"), perMonth));
            Console.Error.WriteLine(FormattableString.Invariant($"generated {rows} {tariff} rows in {clock.Elapsed.TotalSeconds:F1} s"));
            return 0;
        }
        case "baseline":
        {
            var (invoices, accounting) = CalendocBaseline.Rate(options.Single("LEDGER"));
            Console.Out.Write(InvoiceJson.Write(invoices, accounting));
            return 0;
        }
        case "duckdb":
        {
            var (invoices, accounting, queryTime) = DuckDbCalendoc.Rate(options.Single("LEDGER"));
            Console.Out.Write(InvoiceJson.Write(invoices, accounting));
            // The harness times the whole process; the query alone is reported for whoever wants it.
            Console.Error.WriteLine(FormattableString.Invariant($"duckdb: query {queryTime.TotalMilliseconds:F0} ms"));
            return 0;
        }
        case "normalize":
        {
            foreach (var line in InvoiceNormalizer.Normalize(File.ReadAllText(options.Single("INVOICE_JSON")))) Console.Out.WriteLine(line);
            return 0;
        }
        case "compare":
        {
            if (options.Positional.Count != 2) throw new UsageException("compare needs EXPECTED_JSON ACTUAL_JSON");
            var expected = InvoiceNormalizer.Normalize(File.ReadAllText(options.Positional[0]));
            var actual = InvoiceNormalizer.Normalize(File.ReadAllText(options.Positional[1]));
            var differences = InvoiceNormalizer.Differences(expected, actual, max: 50);
            foreach (var d in differences) Console.Out.WriteLine(d);
            Console.Out.WriteLine(differences.Count == 0 ? $"agree: {expected.Count} lines" : "DIFFER");
            return differences.Count == 0 ? 0 : 1;
        }
        case "run":
            return Harness.Run(HarnessOptions.From(options));
        default:
            throw new UsageException($"unknown verb '{args[0]}'");
    }
}
catch (UsageException e)
{
    Console.Error.WriteLine("tariff-bench: " + e.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}
catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
{
    Console.Error.WriteLine("tariff-bench: " + e.Message);
    return 1;
}
