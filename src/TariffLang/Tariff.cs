using System.Collections.Immutable;
using TariffLang.Diagnostics;
using TariffLang.Emitter;
using TariffLang.Examples;
using TariffLang.Invoicing;
using TariffLang.Ledgers;
using TariffLang.Rating;
using TariffLang.Runtime;
using TariffLang.Semantics;
using TariffLang.Syntax;
using TariffLang.Text;

namespace TariffLang;

/// <summary>Which backend rates: the reference interpreter, or delegates compiled with Roslyn.</summary>
public enum TariffEngine
{
    Interpreted,
    Compiled,
}

/// <summary>
/// The entry point for embedding TariffLang: compile a tariff once, then rate ledgers with it.
/// Bad input never throws: it comes back as diagnostics (tariff) or rejected rows (ledger).
/// </summary>
public static class Tariff
{
    /// <summary>
    /// Starts, on a background thread, building what loading a tariff meets first (the parser's tables, the time zone
    /// database) and then compiling the rating engine's hot code, so that loading finds them ready and the first ledger a
    /// fresh process rates runs optimized code from its first rows. Optional: call it once, early (before
    /// <see cref="Load"/>), in a process that is going to rate; later calls, and calls on a machine with one core, do
    /// nothing.
    /// </summary>
    public static void WarmUp() => RatingWarmUp.Start();

    /// <summary>Parses and checks tariff text. <paramref name="path"/> names the file in diagnostics.</summary>
    public static CompiledTariff Compile(string text, string path = "<memory>", TariffEngine engine = TariffEngine.Interpreted)
    {
        var source = new SourceText(text, path);
        return LargeStack.Run(() =>
        {
            var diagnostics = new DiagnosticBag(source);
            var syntax = SyntaxParser.Parse(source, diagnostics);
            var checkedTariff = syntax is null ? null : Checker.Check(syntax, diagnostics);
            return new CompiledTariff(source, checkedTariff, diagnostics.Items.ToImmutableArray(), engine);
        });
    }

    /// <summary>Reads and compiles a <c>.tariff</c> file; an unreadable file is a diagnostic too.</summary>
    public static CompiledTariff Load(string path, TariffEngine engine = TariffEngine.Interpreted)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, LedgerReader.StrictUtf8);
        }
        catch (Exception e) when (LedgerReader.IsFileProblem(e))
        {
            var source = new SourceText("", path);
            var bag = new DiagnosticBag(source);
            bag.Report(DiagnosticCatalog.SyntaxError, new TextSpan(0, 0), "cannot read the file: " + LedgerReader.FileProblem(e));
            return new CompiledTariff(source, null, bag.Items.ToImmutableArray(), engine);
        }
        return Compile(text, path, engine);
    }

    /// <summary>
    /// The canonical layout of tariff text (what <c>tariff fmt</c> writes): same tokens and comments, canonical spaces and
    /// indentation. A text that does not parse is returned with its diagnostics and no formatted text.
    /// </summary>
    public static FormattedTariff Format(string text, string path = "<memory>")
    {
        var source = new SourceText(text, path);
        return LargeStack.Run(() =>
        {
            var diagnostics = new DiagnosticBag(source);
            var formatted = TariffFormatter.Format(source, diagnostics);
            return new FormattedTariff(formatted, formatted is not null && formatted != text, diagnostics.Items.ToImmutableArray());
        });
    }

    /// <summary>Reads a CSV or JSON Lines ledger. Rows that cannot be read are kept as errors with their row number.</summary>
    public static Ledger ReadLedger(string path) => LedgerReader.Read(path);

    /// <summary>Reads contract values per account (CSV or JSON). Problems are returned, not thrown.</summary>
    public static (AccountTable Accounts, ImmutableArray<string> Errors) ReadAccounts(string path)
    {
        var result = AccountReader.Read(path);
        return (result.Table, result.Errors);
    }

    /// <summary>The invoice JSON of DESIGN.md's contract.</summary>
    public static string ToJson(this RatingResult result) => InvoiceJsonWriter.Write(result);

    /// <summary>The invoices as readable text.</summary>
    public static string ToText(this RatingResult result) => InvoiceTextWriter.Write(result);

    /// <summary>Writes the invoice JSON to a stream as it goes (never as one string).</summary>
    public static void WriteJson(this RatingResult result, Stream output) => InvoiceJsonWriter.Write(result, output);

    /// <summary>Writes the invoices as readable text, invoice by invoice.</summary>
    public static void WriteText(this RatingResult result, TextWriter output) => InvoiceTextWriter.Write(result, output);
}

/// <summary>A checked tariff, ready to rate, or its diagnostics when it has errors.</summary>
public sealed class CompiledTariff
{
    private readonly SourceText _source;

    internal CompiledTariff(SourceText source, CheckedTariff? model, ImmutableArray<Diagnostic> diagnostics, TariffEngine engine)
    {
        _source = source;
        Model = model;
        Engine = engine;
        var all = diagnostics;
        if (model is not null && !diagnostics.Any(d => d.IsError))
        {
            Plan = RatingPlan.Build(model);
            if (engine == TariffEngine.Interpreted) Program = new Interpreter.InterpretedProgram(Plan);
            else
            {
                (Compiled, var backendDiagnostics) = TariffCompiler.Create(Plan, source);
                Program = Compiled?.Program;
                all = all.AddRange(backendDiagnostics);
                if (Compiled?.CacheNotice is { } notice) Notices = [notice];
            }
        }
        Diagnostics = all.OrderBy(d => d.Span.Start).ToImmutableArray();
    }

    /// <summary>
    /// What the caller should hear about that changes no result, such as why the compiled-code cache was not used.
    /// Not diagnostics: nothing is wrong with the tariff.
    /// </summary>
    public ImmutableArray<string> Notices { get; } = ImmutableArray<string>.Empty;

    internal CheckedTariff? Model { get; }

    public TariffEngine Engine { get; }

    /// <summary>The tariff laid out for rating; null when the tariff has errors.</summary>
    internal RatingPlan? Plan { get; }

    /// <summary>The backend that rates (the interpreter or the compiled program); null when the tariff has errors.</summary>
    internal RatingProgram? Program { get; }

    /// <summary>The compiled program and where it came from (compiled now, or the cache), for the compiled engine.</summary>
    internal CompiledProgram? Compiled { get; }

    public ImmutableArray<Diagnostic> Diagnostics { get; }

    public bool HasErrors => Model is null || Program is null || Diagnostics.Any(d => d.IsError);

    public string? Name => Model?.Name;

    public string Path => _source.Path;

    /// <summary>The tariff's currency (ISO 4217), or null when it has errors.</summary>
    public string? Currency => Model?.Currency;

    /// <summary>The contract parameters the tariff declares (including <c>plan</c> when it has plans).</summary>
    public ImmutableArray<string> ParamNames => Model?.Params.Select(p => p.Name).ToImmutableArray() ?? ImmutableArray<string>.Empty;

    /// <summary>
    /// What is accepted in contract values but likely a mistake, one warning each: a negative <c>money</c> value (a charge
    /// priced by it credits the customer). Values that are not of the parameter's type are not warnings: rating rejects the
    /// account's rows with the reason.
    /// </summary>
    /// <param name="accounts">The accounts and their contract values.</param>
    /// <param name="source">Where the values come from, to begin each message (a file name).</param>
    public ImmutableArray<string> CheckContracts(AccountTable accounts, string source = "accounts")
    {
        ArgumentNullException.ThrowIfNull(accounts);
        var warnings = ImmutableArray.CreateBuilder<string>();
        foreach (var (account, values) in accounts.Accounts.OrderBy(a => a.Key, StringComparer.Ordinal))
            warnings.AddRange(CheckContract(values, $"{source}: account '{account}'"));
        return warnings.ToImmutable();
    }

    /// <summary>The same checks as <see cref="CheckContracts"/> on one set of values (e.g. given on the command line).</summary>
    /// <param name="values">Contract values by parameter name.</param>
    /// <param name="source">Where the values come from, to begin each message.</param>
    public ImmutableArray<string> CheckContract(IReadOnlyDictionary<string, string> values, string source)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (Model is null) return ImmutableArray<string>.Empty;
        var warnings = ImmutableArray.CreateBuilder<string>();
        foreach (var param in Model.Params)
        {
            if (param.Type.Kind != TypeKind.Money || !values.TryGetValue(param.Name, out var text)) continue;
            var value = ValueText.Parse(text.Trim(), param.Type, out var error);
            if (error is null && value.NumberOrNull is < 0m)
                warnings.Add($"{source}: '{param.Name}' is negative ({text.Trim()}): a charge priced by it credits the customer");
        }
        return warnings.ToImmutable();
    }

    /// <summary>The names of the tariff's plans, in declaration order.</summary>
    public ImmutableArray<string> PlanNames => Model?.Plans.Select(p => p.Name).ToImmutableArray() ?? ImmutableArray<string>.Empty;

    /// <summary>An amount in the tariff's currency, rounded to its minor unit.</summary>
    public string FormatMoney(decimal amount) => Currencies.Format(amount, Currency ?? "EUR");

    /// <summary>Rates a ledger. With errors in the tariff, every row is rejected with that reason.</summary>
    public RatingResult Rate(Ledger ledger, AccountTable? accounts = null, RatingOptions? options = null)
    {
        if (HasErrors)
        {
            var rows = ledger.Rows.Select(r =>
                new RowOutcome(r.Row, r.Account, r.Event, r.Time, RowOutcomeKind.Rejected, $"the tariff {Path} has errors"))
                .Concat(ledger.Errors.Select(e => new RowOutcome(e.Row, "", "", null, RowOutcomeKind.Rejected, e.Message)));
            return new RatingResult(ImmutableArray<Invoice>.Empty, rows.OrderBy(r => r.Row).ToImmutableArray());
        }
        if (options?.Problem() is { } problem) return new RatingResult(ImmutableArray<Invoice>.Empty,
            ImmutableArray<RowOutcome>.Empty) { Problem = problem };
        return LargeStack.Run(() =>
            new LedgerRater(Plan!, Program!).Rate(ledger, accounts ?? AccountTable.Empty, options ?? new RatingOptions(), explain: true));
    }

    /// <summary>
    /// Rates a ledger file (CSV, JSON Lines or a JSON array) as a stream, on every core unless
    /// <see cref="RatingOptions.Threads"/> says otherwise: memory grows with the accounts and their open state, not with
    /// the rows. The result holds the invoices, the rejected rows and the accounting (not every row's outcome: use
    /// <see cref="Rate"/> on a <see cref="Ledger"/> for that); <see cref="RatingResult.Problem"/> says what is wrong with
    /// the file as a whole, if anything.
    /// </summary>
    public RatingResult RateFile(string ledgerPath, AccountTable? accounts = null, RatingOptions? options = null)
    {
        options ??= new RatingOptions();
        accounts ??= AccountTable.Empty;
        if (HasErrors)
        {
            var ledger = LedgerReader.Read(ledgerPath);
            return Rate(ledger, accounts, options) is var all
                ? new RatingResult(all.Invoices, all.Rejected, all.Accounting) { Problem = ledger.Problem } : all;
        }
        if (options.Problem() is { } problem)
            return new RatingResult(ImmutableArray<Invoice>.Empty, ImmutableArray<RejectedRow>.Empty,
                new Accounting(0, 0, 0, 0)) { Problem = problem };
        var threads = options.Threads ?? Environment.ProcessorCount;
        using var input = new FileLedgerInput(ledgerPath, progress: options.Progress, cancellation: options.Cancellation);
        return new StreamRater(Plan!, Program!, accounts, options, threads).Rate(input);
    }

    /// <summary>
    /// Starts the rating of one account, event by event (a service hosts one per account). <paramref name="contract"/>
    /// gives its contract values (plan, prices…). Null when the tariff has errors.
    /// </summary>
    public AccountRating? RateAccount(string account, IReadOnlyDictionary<string, string>? contract = null) =>
        HasErrors ? null : new AccountRating(this, account, contract ?? ImmutableDictionary<string, string>.Empty);

    /// <summary>
    /// Resumes the rating of an account from a <see cref="AccountRating.Snapshot"/> made with this tariff. Null when the
    /// tariff has errors or the snapshot is not one of this tariff and account (<paramref name="problem"/> says why).
    /// </summary>
    public AccountRating? RestoreAccount(string account, IReadOnlyDictionary<string, string>? contract, byte[] snapshot,
        out string? problem)
    {
        problem = null;
        if (RateAccount(account, contract) is not { } rating)
        {
            problem = $"the tariff {Path} has errors";
            return null;
        }
        try
        {
            rating.Restore(snapshot);
            return rating;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or OverflowException or IndexOutOfRangeException)
        {
            problem = "the snapshot cannot be restored: " + e.Message;
            return null;
        }
    }

    /// <summary>
    /// Where in the tariff a row's outcome was decided, as <c>path:line:col</c>: the rule that rejected it or made it free
    /// (by its reason), or the charges that rated it (by their labels).
    /// </summary>
    public ImmutableArray<string> Sources(RowOutcome outcome)
    {
        if (Model is not { } model) return [];
        var spans = outcome.Kind switch
        {
            RowOutcomeKind.Rated =>
                model.EventCharges.Select(c => (c.Label, c.Span)).Concat(model.AggregateCharges.Select(c => (c.Label, c.Span)))
                // A rated row's detail names each line as "Label (what it added)"; a label with {plan} is matched up to the brace.
                .Where(c => c.Label.Contains('{')
                    ? outcome.Detail.Contains(c.Label[..c.Label.IndexOf('{')], StringComparison.Ordinal)
                    : outcome.Detail.StartsWith(c.Label + " (", StringComparison.Ordinal)
                      || outcome.Detail.Contains("; " + c.Label + " (", StringComparison.Ordinal))
                .Select(c => c.Span),
            _ => model.Rules.Where(r => r.Reason == outcome.Detail
                    && (r.Kind == RuleKind.Reject) == (outcome.Kind == RowOutcomeKind.Rejected))
                .Select(r => r.Span),
        };
        return [.. spans.Distinct().OrderBy(s => s.Start).Select(s =>
        {
            var (line, column) = _source.GetLineColumn(s.Start);
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Path}:{line}:{column}");
        })];
    }

    /// <summary>
    /// Where in the tariff an invoice line comes from, as <c>path:line:col</c>: the charge (or minimum, maximum) whose label
    /// it carries (a tier band's line by its charge's label, a label with <c>{plan}</c> up to the brace); null if none.
    /// </summary>
    public string? Source(InvoiceLine line)
    {
        if (Model is not { } model) return null;
        var label = line.Band is null ? line.Label : line.Label[..line.Label.LastIndexOf(" (", StringComparison.Ordinal)];
        var spans = model.EventCharges.Select(c => (c.Label, c.Span)).Concat(model.AggregateCharges.Select(c => (c.Label, c.Span)))
            .Concat(model.Limits.Select(l => (l.Label, l.Span)));
        foreach (var (text, span) in spans)
        {
            var matches = text.Contains('{') ? label.StartsWith(text[..text.IndexOf('{')], StringComparison.Ordinal) : label == text;
            if (!matches) continue;
            var (at, column) = _source.GetLineColumn(span.Start);
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Path}:{at}:{column}");
        }
        return null;
    }

    /// <summary>The local date of an instant in the tariff's time zone (the date its periods and rules go by).</summary>
    public DateOnly LocalDate(DateTimeOffset time) =>
        Model is { } model
            ? DateOnly.FromDateTime(NodaTime.Instant.FromDateTimeOffset(time).InZone(model.Period.Zone).ToDateTimeUnspecified())
            : DateOnly.FromDateTime(time.UtcDateTime);

    /// <summary>What the given example results (of this tariff's <see cref="RunExamples"/>) exercised of the tariff.</summary>
    public ExampleCoverage Coverage(IReadOnlyList<ExampleResult> results) =>
        HasErrors ? new ExampleCoverage(0, 0, []) : ExampleCoverage.Of(Model!, _source, results);

    /// <summary>Runs every <c>example</c> block of the tariff.</summary>
    public ImmutableArray<ExampleResult> RunExamples()
    {
        if (HasErrors) return ImmutableArray<ExampleResult>.Empty;
        return LargeStack.Run(() => Model!.Examples.Select(RunExample).ToImmutableArray());
    }

    // One example that cannot run is that example's failure, not the end of the test run.
    private ExampleResult RunExample(CheckedExample example)
    {
        try
        {
            return ExampleRunner.Run(Plan!, Program!, example, _source);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var empty = new RatingResult(ImmutableArray<Invoice>.Empty, ImmutableArray<RowOutcome>.Empty);
            return new ExampleResult(Model!.Name, example.Name, _source.GetLineColumn(example.Span.Start).Line, ExampleStatus.Failed,
                ["the example could not run: " + e.Message], empty);
        }
    }
}

/// <summary>The result of <see cref="Tariff.Format"/>.</summary>
/// <param name="Text">The formatted text; null when the tariff does not parse.</param>
/// <param name="Changed">True when the formatted text differs from the input.</param>
/// <param name="Diagnostics">Why the text could not be formatted, if it could not.</param>
public sealed record FormattedTariff(string? Text, bool Changed, ImmutableArray<Diagnostic> Diagnostics);
