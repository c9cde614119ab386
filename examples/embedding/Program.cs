// Embedding TariffLang in a .NET application: compile a tariff once, rate ledgers in-process,
// and read the invoices as objects.
//
//   dotnet run --project examples/embedding                        (calenDoc example)
//   dotnet run --project examples/embedding -- TARIFF LEDGER [ACCOUNTS]

using System.Collections.Immutable;
using TariffLang;
using TariffLang.Invoicing;
using TariffLang.Ledgers;

var root = FindRepoRoot();
var tariffPath = args.Length > 0 ? args[0] : Path.Combine(root, "tariffs", "calendoc.tariff");
var ledgerPath = args.Length > 1 ? args[1] : Path.Combine(root, "examples", "calendoc", "ledger.csv");
var accountsPath = args.Length > 2 ? args[2] : null;

// 1. Compile once. Bad input never throws: problems come back as diagnostics. WarmUp (optional) has another core compile
//    the rating code meanwhile, so the first ledger runs optimized code from its first rows.
Tariff.WarmUp();
CompiledTariff tariff = Tariff.Load(tariffPath);
foreach (var diagnostic in tariff.Diagnostics)
{
    Console.Error.WriteLine(diagnostic); // path:line:col: error TL0123: message
}
if (tariff.HasErrors)
{
    Console.Error.WriteLine($"{tariffPath} has errors: nothing can be rated.");
    return 1;
}
Console.WriteLine(
    $"Tariff '{tariff.Name}' ({tariff.Currency}), plans: {(tariff.PlanNames.IsEmpty ? "none" : string.Join(", ", tariff.PlanNames))}");

// 2. Read a ledger (CSV or JSON Lines) and, if given, the contract values per account.
Ledger ledger = Tariff.ReadLedger(ledgerPath);
Console.WriteLine($"Ledger {Path.GetFileName(ledgerPath)}: {ledger.RowCount} rows, {ledger.Errors.Length} unreadable");

AccountTable? accounts = null;
if (accountsPath is not null)
{
    var (table, errors) = Tariff.ReadAccounts(accountsPath);
    foreach (var error in errors) Console.Error.WriteLine(error);
    accounts = table;
}

// 3. Rate. The same CompiledTariff can rate any number of ledgers, on any thread.
RatingResult result = tariff.Rate(ledger, accounts);
PrintInvoices(tariff, result);

// 4. Ledgers can also be built in memory, e.g. from your own database rows.
//    Attribute values are text, typed by the tariff as it rates.
if (tariff.Name == "calendoc")
{
    var paris = TimeSpan.FromHours(1);
    var inMemory = new Ledger("<memory>",
    [
        new LedgerRow(1, "a-1", new DateTimeOffset(2024, 3, 4, 9, 0, 0, paris), "krys-demo", "appointment", 1m,
            Attributes(("source", "calendoc"), ("starts_at", "2024-03-06T10:00:00+01:00"))),
        new LedgerRow(2, "s-1", new DateTimeOffset(2024, 3, 5, 9, 0, 0, paris), "krys-demo", "sms", 1m,
            Attributes(("length", "400"))),
    ], []);
    Console.WriteLine();
    Console.WriteLine("In-memory ledger, March 2024 only:");
    PrintInvoices(tariff, tariff.Rate(inMemory, options: new RatingOptions(Month: (2024, 3))));
}
return 0;

static void PrintInvoices(CompiledTariff tariff, RatingResult result)
{
    foreach (Invoice invoice in result.Invoices)
    {
        Console.WriteLine();
        Console.WriteLine($"{invoice.Account}  {invoice.Period.From:yyyy-MM-dd} .. {invoice.Period.To:yyyy-MM-dd}"
            + (invoice.Plan is null ? "" : $"  plan {invoice.Plan}"));
        foreach (InvoiceLine line in invoice.Lines)
        {
            var unitPrice = line.UnitPrice is { } price ? $" x {price}" : "";
            Console.WriteLine($"  {line.Label,-30} {line.Quantity,8} {line.Unit,-12}{unitPrice,-10} {tariff.FormatMoney(line.Amount),12}");
        }
        Console.WriteLine($"  {"Total",-30} {"",8} {"",-12}{"",-10} {tariff.FormatMoney(invoice.Total),12} {invoice.Currency}");
    }

    // Nothing is dropped silently: every row is rated, free or rejected (with its row number).
    foreach (var rejected in result.Rejected)
    {
        Console.WriteLine($"  rejected row {rejected.Row}: {rejected.Reason}");
    }
    var a = result.Accounting;
    Console.WriteLine($"  rows {a.Rows} = rated {a.Rated} + free {a.Free} + rejected {a.Rejected}");
}

static ImmutableDictionary<string, string> Attributes(params (string Name, string Value)[] values) =>
    values.ToImmutableDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);

static string FindRepoRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TariffLang.sln"))) return dir.FullName;
        }
    }
    return Directory.GetCurrentDirectory();
}
