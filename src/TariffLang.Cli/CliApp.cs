using Spectre.Console;
using System.Globalization;
using TariffLang;

using TariffLang.Invoicing;
using TariffLang.Ledgers;

namespace TariffLang.Cli;

/// <summary>The <c>tariff</c> command line: check, test, rate, explain, compare. Exit 0 ok, 1 user error, 2 usage error.</summary>
internal static class CliApp
{
    public const int Ok = 0;
    public const int UserError = 1;
    public const int UsageError = 2;

    /// <summary>The backend `rate`, `explain` and `compare` use when --engine is not given.</summary>
    private const TariffEngine DefaultRateEngine = TariffEngine.Compiled;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        // A verb that rates starts warming up before its options are read: the other core builds the parser's tables while
        // this one reads the command line, then compiles the code that will rate the ledger while the tariff is checked.
        if (args.Length > 0 && Array.IndexOf(CliCommands.RatingVerbs, args[0]) >= 0) TariffLang.Tariff.WarmUp();
        var root = CliCommands.Build(stdout, stderr);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // Parse errors (an unknown verb or option, a missing argument) are usage errors: the library says what is
            // wrong and suggests the verb or option meant; the help of the verb is one --help away.
            if (parse.Action is System.CommandLine.Invocation.ParseErrorAction errorAction) errorAction.ShowHelp = false;
            parse.Invoke(new System.CommandLine.InvocationConfiguration { Output = stdout, Error = stderr });
            var verb = parse.CommandResult.Command == root ? "" : " " + parse.CommandResult.Command.Name;
            stderr.WriteLine($"usage: tariff{verb} --help shows the{(verb.Length == 0 ? " commands" : " arguments and options")}");
            return UsageError;
        }
        return parse.Invoke(new System.CommandLine.InvocationConfiguration { Output = stdout, Error = stderr });
    }

    /// <summary>Runs a verb once its options are read (rate, explain, compare and bench share them).</summary>
    internal static int Dispatch(string verb, Options options, TextWriter stdout, TextWriter stderr)
    {
        if (options.ThreadCounts.Count > 1 && verb != "bench")
            return UsageFail(stderr, "only bench compares several thread counts; give --threads one number");
        if (new RatingOptions(null, options.Period) { From = options.From, To = options.To }.Problem() is { } months)
            return UsageFail(stderr, months);
        if (options.Format == "junit" && verb != "test") return UsageFail(stderr, "--format junit is for test");
        if (options.Format == "json" && verb == "test") return UsageFail(stderr, "test writes text or junit, not json");
        // "-" reads the tariff (check, fmt, test) or the ledger (the other verbs) from stdin.
        var stdin = options.Positional.IndexOf("-");
        if (stdin >= 0)
        {
            if (options.Positional.LastIndexOf("-") != stdin) return UsageFail(stderr, "only one argument can be read from stdin ('-')");
            if (verb == "fmt") return UsageFail(stderr, "fmt rewrites files in place: give it files, not stdin");
            options.Positional[stdin] = StdinToFile(verb is "check" or "test" || stdin == 0);
        }
        try
        {
            return Run(verb, options, stdout, stderr);
        }
        finally
        {
            if (stdin >= 0) File.Delete(options.Positional[stdin]);
        }
    }

    private static int Run(string verb, Options options, TextWriter stdout, TextWriter stderr)
    {
        return verb switch
        {
            "check" => Check(options, stdout, stderr),
            "fmt" => Fmt(options, stdout, stderr),
            "test" => Test(options, stdout, stderr),
            "rate" => Rate(options, stdout, stderr, explain: false),
            "explain" => Rate(options, stdout, stderr, explain: true),
            "compare" => Compare(options, stdout, stderr),
            _ => Bench(options, stdout, stderr),
        };
    }

    /// <summary>
    /// Copies stdin to a temporary file, named for what it holds (a tariff, or a CSV, JSON Lines or JSON ledger by its
    /// first character), so that the rest of the command reads it like any file.
    /// </summary>
    private static string StdinToFile(bool tariff)
    {
        var text = Console.In.ReadToEnd();
        var first = text.TrimStart().FirstOrDefault();
        var extension = tariff ? ".tariff" : first == '{' ? ".jsonl" : first == '[' ? ".json" : ".csv";
        var path = Path.Combine(Path.GetTempPath(), $"tariff-stdin-{Environment.ProcessId}-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Notices change no result, so they go to stderr as warnings and leave the exit code alone.</summary>
    private static void WriteNotices(CompiledTariff tariff, TextWriter stderr)
    {
        foreach (var notice in tariff.Notices) stderr.WriteLine("tariff: warning: " + notice);
    }

    internal static int UsageFail(TextWriter stderr, string message)
    {
        stderr.WriteLine("tariff: " + message);
        stderr.WriteLine("usage: tariff COMMAND --help shows a command's arguments and options");
        return UsageError;
    }

    private static int Check(Options o, TextWriter stdout, TextWriter stderr)
    {
        if (o.Positional.Count == 0) return UsageFail(stderr, "check needs at least one file");
        var files = ExpandTariffs(o.Positional).ToList();
        if (files.Count == 0) return UsageFail(stderr, $"no .tariff file in {string.Join(", ", o.Positional)}");
        var failed = false;
        var all = new List<(string Path, CompiledTariff Tariff)>();
        foreach (var path in files)
        {
            var tariff = TariffLang.Tariff.Load(path, o.Engine ?? TariffEngine.Interpreted);
            all.Add((path, tariff));
            failed |= tariff.HasErrors;
            if (o.Format == "json") continue;
            WriteNotices(tariff, stderr);
            foreach (var d in tariff.Diagnostics) stdout.WriteLine(d.ToString());
            if (!tariff.HasErrors) stdout.WriteLine($"{path}: ok");
        }
        if (o.Format == "json") stdout.Write(CheckJson(all));
        return failed ? UserError : Ok;
    }

    /// <summary>check --format json: each file with its diagnostics (code, severity, line, column, span, message).</summary>
    private static string CheckJson(List<(string Path, CompiledTariff Tariff)> files)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions
               {
                   Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
               }))
        {
            json.WriteStartArray();
            foreach (var (path, tariff) in files)
            {
                json.WriteStartObject();
                json.WriteString("file", path);
                json.WriteBoolean("ok", !tariff.HasErrors);
                json.WriteStartArray("diagnostics");
                foreach (var d in tariff.Diagnostics)
                {
                    json.WriteStartObject();
                    json.WriteString("code", d.Code);
                    json.WriteString("severity", d.IsError ? "error" : "warning");
                    json.WriteNumber("line", d.Line);
                    json.WriteNumber("column", d.Column);
                    json.WriteNumber("start", d.Span.Start);
                    json.WriteNumber("length", d.Span.Length);
                    json.WriteString("message", d.Message);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>
    /// Rewrites each file in the canonical layout (comments kept; the formatter proves the result parses to the same tree).
    /// With --check nothing is written: the files that are not formatted are listed and the exit code is 1.
    /// </summary>
    private static int Fmt(Options o, TextWriter stdout, TextWriter stderr)
    {
        if (o.Positional.Count == 0) return UsageFail(stderr, "fmt needs at least one file or directory");
        var files = ExpandTariffs(o.Positional).ToList();
        if (files.Count == 0) return UsageFail(stderr, $"no .tariff file in {string.Join(", ", o.Positional)}");
        var unformatted = 0;
        var failed = false;
        foreach (var path in files)
        {
            if (!File.Exists(path))
            {
                stderr.WriteLine($"tariff: {path}: no such file");
                failed = true;
                continue;
            }
            var text = File.ReadAllText(path);
            var result = TariffLang.Tariff.Format(text, path);
            if (result.Text is null)
            {
                // A file that does not parse is not reformatted: its syntax errors say why.
                foreach (var d in result.Diagnostics) stdout.WriteLine(d.ToString());
                failed = true;
                continue;
            }
            if (!result.Changed) continue;
            unformatted++;
            if (o.CheckOnly) stdout.WriteLine($"{path}: not formatted");
            else
            {
                try
                {
                    File.WriteAllText(path, result.Text);
                    stdout.WriteLine($"{path}: formatted");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"tariff: {path}: cannot write: {e.Message}");
                    failed = true;
                }
            }
        }
        if (o.CheckOnly && unformatted == 0 && !failed) stdout.WriteLine($"{files.Count} file(s) formatted");
        return failed || (o.CheckOnly && unformatted > 0) ? UserError : Ok;
    }

    private static IEnumerable<string> ExpandTariffs(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.GetFiles(path, "*.tariff", SearchOption.AllDirectories)
                    .OrderBy(f => f, StringComparer.Ordinal)) yield return file;
            }
            else yield return path;
        }
    }

    /// <summary>
    /// Runs the examples of each tariff: a line per example, then each failing expectation with its line, and the invoice
    /// it read. <c>--coverage</c> adds what the examples left unexercised; <c>--min-coverage P</c> fails a tariff under P %;
    /// <c>--format junit</c> writes the JUnit XML report instead.
    /// </summary>
    private static int Test(Options o, TextWriter stdout, TextWriter stderr)
    {
        var paths = o.Positional.Count == 0 ? ["tariffs"] : o.Positional;
        var files = ExpandTariffs(paths).ToList();
        // A mistyped folder must not look like a green run.
        if (files.Count == 0) return UsageFail(stderr, $"no .tariff file in {string.Join(", ", paths)}");
        var junit = o.Format == "junit";
        var text = junit ? TextWriter.Null : stdout;
        var suites = new List<JUnitReport.Suite>();
        int passed = 0, failed = 0, disputed = 0, underCovered = 0;
        foreach (var path in files)
        {
            var tariff = TariffLang.Tariff.Load(path, o.Engine ?? TariffEngine.Interpreted);
            WriteNotices(tariff, stderr);
            if (tariff.HasErrors)
            {
                foreach (var d in tariff.Diagnostics) text.WriteLine(d.ToString());
                text.WriteLine($"FAIL {path}: the tariff has errors, its examples cannot run");
                suites.Add(new JUnitReport.Suite(path, [], tariff.Diagnostics.Select(d => d.ToString()).ToList()));
                failed++;
                continue;
            }
            var results = tariff.RunExamples();
            suites.Add(new JUnitReport.Suite(path, results, []));
            foreach (var result in results)
            {
                var label = $"{path}:{result.Line} \"{result.Name}\"";
                switch (result.Status)
                {
                    case ExampleStatus.Passed:
                        passed++;
                        text.WriteLine($"PASS {label}");
                        break;
                    case ExampleStatus.Disputed:
                        disputed++;
                        text.WriteLine($"DISPUTED {label}");
                        break;
                    default:
                        failed++;
                        text.WriteLine($"FAIL {label}");
                        break;
                }
                // "file:line 15: …", so that an editor or CI annotation can jump to the expectation.
                foreach (var message in result.Messages)
                    text.WriteLine(message.StartsWith("line ", StringComparison.Ordinal) ? $"    {path}:{message}" : "    " + message);
                if (result.Status == ExampleStatus.Failed && result.Rating.Invoices.Length > 0)
                {
                    // The invoices the expectations were read from, so that the figures can be checked by hand.
                    text.WriteLine("    the invoices it read:");
                    foreach (var line in result.Rating.ToText().Split('\n')) text.WriteLine("      " + line);
                }
            }
            if (o.Coverage || o.MinCoverage is not null)
            {
                var coverage = tariff.Coverage(results);
                text.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"coverage {path}: {coverage.Percent}% ({coverage.Covered} of {coverage.Total} rules, charges, table "
                    + $"cells, plans and versions)"));
                foreach (var item in coverage.Uncovered) text.WriteLine($"    not exercised: {path}:{item}");
                if (o.MinCoverage is { } min && coverage.Percent < min)
                {
                    underCovered++;
                    text.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    below --min-coverage {min}%"));
                }
            }
        }
        if (junit) stdout.WriteLine(JUnitReport.Write(suites));
        if (disputed > 0)
            text.WriteLine($"{disputed} disputed (the document's figure disagrees with its own price list; not counted as passed)");
        text.WriteLine($"{passed} passed, {failed} failed" + (underCovered > 0 ? $", {underCovered} tariff(s) below --min-coverage" : ""));
        return failed > 0 || underCovered > 0 ? UserError : Ok;
    }

    /// <summary>Loads the tariff, the ledger and the accounts of rate/explain/compare/bench; reports problems.</summary>
    private static (CompiledTariff? Tariff, string? LedgerPath, AccountTable Accounts, int Exit) Load(Options o, TextWriter stderr,
        string command, out TimeSpan compileTime)
    {
        compileTime = TimeSpan.Zero;
        if (o.Positional.Count != 2)
        {
            UsageFail(stderr, $"{command} needs a tariff and a ledger");
            return (null, null, AccountTable.Empty, UsageError);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var tariff = TariffLang.Tariff.Load(o.Positional[0], o.Engine ?? DefaultRateEngine);
        compileTime = clock.Elapsed;
        WriteNotices(tariff, stderr);
        if (tariff.HasErrors)
        {
            foreach (var d in tariff.Diagnostics) stderr.WriteLine(d.ToString());
            return (null, null, AccountTable.Empty, UserError);
        }
        // A misspelt contract value would otherwise be ignored, and the real one reported missing on every row.
        var undeclared = o.Params.Keys.Where(k => !tariff.ParamNames.Contains(k)).ToList();
        if (undeclared.Count > 0)
        {
            UsageFail(stderr, $"--param {string.Join(", ", undeclared)}: the tariff declares no such contract parameter "
                + $"(it has: {(tariff.ParamNames.IsEmpty ? "none" : string.Join(", ", tariff.ParamNames))})");
            return (null, null, AccountTable.Empty, UsageError);
        }
        var accounts = AccountTable.Empty;
        if (o.Accounts is not null)
        {
            var (table, errors) = TariffLang.Tariff.ReadAccounts(o.Accounts);
            foreach (var e in errors) stderr.WriteLine(e);
            if (!errors.IsEmpty) return (null, null, AccountTable.Empty, UserError);
            accounts = table;
            var unknownColumns = table.Accounts.Values.SelectMany(v => v.Keys).Distinct().Where(k => !tariff.ParamNames.Contains(k))
                .OrderBy(k => k, StringComparer.Ordinal).ToList();
            if (unknownColumns.Count > 0)
                stderr.WriteLine(
                    $"tariff: warning: {o.Accounts}: the tariff declares no contract parameter "
                    + $"{string.Join(", ", unknownColumns.Select(c => "'" + c + "'"))}; those values are ignored");
            foreach (var w in tariff.CheckContracts(table, o.Accounts)) stderr.WriteLine("tariff: warning: " + w);
        }
        if (o.Params.Count > 0)
        {
            foreach (var w in tariff.CheckContract(o.Params, "--param")) stderr.WriteLine("tariff: warning: " + w);
        }
        return (tariff, o.Positional[1], accounts, Ok);
    }

    private static int Rate(Options o, TextWriter stdout, TextWriter stderr, bool explain)
    {
        var (tariff, ledgerPath, accounts, exit) = Load(o, stderr, explain ? "explain" : "rate", out _);
        if (tariff is null || ledgerPath is null) return exit;
        var options = new RatingOptions(o.Params, o.Period) { Threads = o.Threads, From = o.From, To = o.To };
        string? problem;
        RatingResult result;
        if (explain)
        {
            // explain says what became of every row: the ledger is held in memory for that.
            var ledger = TariffLang.Tariff.ReadLedger(ledgerPath);
            result = tariff.Rate(ledger, accounts, options);
            if (o.Format == "json") stdout.Write(ExplainJson(result, tariff, o));
            else stdout.Write(Explain(result, tariff, o));
            problem = ledger.Problem;
        }
        else
        {
            try
            {
                result = RateWithProgress(tariff, ledgerPath, accounts, options, stderr);
            }
            catch (OperationCanceledException)
            {
                stderr.WriteLine("tariff: rating cancelled");
                return UserError;
            }
            if (o.Format == "json") WriteJson(result, stdout);
            else if (TerminalInvoices.Applies(stdout)) TerminalInvoices.Write(AnsiConsole.Console, result, tariff);
            else result.WriteText(stdout);
            problem = result.Problem;
        }
        // An unreadable ledger (or one whose header is wrong) is a user error; rejected rows are a normal outcome of rating,
        // except, under --strict, rows whose id conflicts: the sender contradicts itself, and someone must look.
        if (problem is not null)
        {
            stderr.WriteLine("tariff: " + problem);
            return UserError;
        }
        if (o.Rejects is { } rejectsPath && RejectsWriter.Write(ledgerPath, result, rejectsPath) is { } rejectsProblem)
        {
            stderr.WriteLine("tariff: " + rejectsProblem);
            return UserError;
        }
        // A contract value the tariff needs and an account lacks stops that account: said once, and the run fails, since
        // its invoices are missing rather than wrong.
        var missing = result.MissingParameterRows;
        foreach (var (reason, rows) in missing)
            stderr.WriteLine($"tariff: {reason} ({rows} row(s) rejected): give it in --accounts FILE or with --param");
        if (missing.Count > 0) return UserError;
        // --strict: any rejected row fails the run, but an identical re-send (counted once) is the ledger working as meant.
        if (o.Strict && result.Problems > 0)
        {
            var conflicts = result.Conflicts;
            stderr.WriteLine($"tariff: --strict: {result.Problems} row(s) rejected"
                + (conflicts > 0 ? $", {conflicts} because their id was sent with different content" : ""));
            return UserError;
        }
        return Ok;
    }

    /// <summary>
    /// Rates the ledger file; on a terminal (stderr not redirected, and not asked otherwise with TARIFF_NO_PROGRESS) a
    /// progress bar on stderr follows the reading of the file, and Ctrl+C stops the rating. Output is never affected.
    /// </summary>
    private static RatingResult RateWithProgress(CompiledTariff tariff, string ledgerPath, AccountTable accounts, RatingOptions options,
        TextWriter stderr)
    {
        if (!ReferenceEquals(stderr, Console.Error) || Console.IsErrorRedirected
            || Environment.GetEnvironmentVariable("TARIFF_NO_PROGRESS") is not null)
            return tariff.RateFile(ledgerPath, accounts, options);
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler stop = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += stop;
        try
        {
            // Spectre.Console leaves colour out under NO_COLOR; the bar is drawn on stderr and cleared when done.
            var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
            {
                Out = new Spectre.Console.AnsiConsoleOutput(Console.Error),
            });
            return console.Progress().AutoClear(true).HideCompleted(true).Start(context =>
            {
                var task = context.AddTask("rating " + Path.GetFileName(ledgerPath), maxValue: 100);
                var result = tariff.RateFile(ledgerPath, accounts,
                    options with { Progress = new ReportedProgress(share => task.Value = share * 100), Cancellation = cancel.Token });
                task.Value = 100;
                return result;
            });
        }
        finally
        {
            Console.CancelKeyPress -= stop;
        }
    }

    /// <summary>Progress passed on at once, on the reporting thread (the bar is safe to update from any thread).</summary>
    private sealed class ReportedProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }

    /// <summary>The invoice JSON straight to the process's output stream (or, in tests, to the given writer).</summary>
    private static void WriteJson(RatingResult result, TextWriter stdout)
    {
        if (ReferenceEquals(stdout, Console.Out))
        {
            stdout.Flush();
            using var output = Console.OpenStandardOutput();
            result.WriteJson(output);
            return;
        }
        using var buffer = new MemoryStream();
        result.WriteJson(buffer);
        stdout.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>The rows explain shows: all, or those of --account and --row.</summary>
    private static IEnumerable<RowOutcome> Explained(RatingResult result, Options o) => result.Outcomes
        .Where(r => o.ExplainAccounts.Count == 0 || o.ExplainAccounts.Contains(r.Account))
        .Where(r => o.ExplainRows.Count == 0 || o.ExplainRows.Contains(r.Row));

    private static string Explain(RatingResult result, CompiledTariff tariff, Options o)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var r in Explained(result, o))
        {
            var when = r.Time?.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture) ?? "";
            var what = string.Join(" ", new[] { r.Account, r.Event, when }.Where(x => x.Length > 0));
            var sources = tariff.Sources(r);
            var at = sources.IsEmpty ? "" : " [" + string.Join(", ", sources) + "]";
            // Each line the row fed, with the row's share of its amount: "share: SMS supplémentaires 0.08 of 1.25".
            var shares = r.Shares.IsEmpty ? ""
                : " — share: "
                    + string.Join(", ", r.Shares.Select(x => $"{x.Label} {tariff.FormatMoney(x.Amount)} of {tariff.FormatMoney(x.Of)}"));
            sb.AppendLine(
                $"row {r.Row}: {(what.Length > 0 ? what + ": " : "")}{r.Kind.ToString().ToLowerInvariant()}: {r.Detail}{shares}{at}");
        }
        var a = result.Accounting;
        sb.AppendLine($"rows: {a.Rows}, rated: {a.Rated}, free: {a.Free}, rejected: {a.Rejected}");
        return sb.ToString();
    }

    /// <summary>explain --format json: each row shown with its outcome, what decided it and where in the tariff.</summary>
    private static string ExplainJson(RatingResult result, CompiledTariff tariff, Options o)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer,
            new System.Text.Json.JsonWriterOptions { Indented = true,
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartArray("rows");
            foreach (var r in Explained(result, o))
            {
                json.WriteStartObject();
                json.WriteNumber("row", r.Row);
                json.WriteString("account", r.Account);
                json.WriteString("event", r.Event);
                if (r.Time is { } time) json.WriteString("time", time.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture));
                else json.WriteNull("time");
                json.WriteString("outcome", r.Kind.ToString().ToLowerInvariant());
                json.WriteString("detail", r.Detail);
                json.WriteStartArray("sources");
                foreach (var source in tariff.Sources(r)) json.WriteStringValue(source);
                json.WriteEndArray();
                if (!r.Shares.IsEmpty)
                {
                    json.WriteStartArray("shares");
                    foreach (var share in r.Shares)
                    {
                        json.WriteStartObject();
                        json.WriteString("period", share.Period.ToString("yyyy-MM", CultureInfo.InvariantCulture));
                        json.WriteString("label", share.Label);
                        json.WriteString("amount", tariff.FormatMoney(share.Amount));
                        json.WriteString("of", tariff.FormatMoney(share.Of));
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            // Each invoice line, with the rows that fed it (rows of its account and period that its charge rated).
            json.WriteStartArray("lines");
            foreach (var invoice in result.Invoices.Where(i => o.ExplainAccounts.Count == 0 || o.ExplainAccounts.Contains(i.Account)))
            {
                foreach (var line in invoice.Lines)
                {
                    json.WriteStartObject();
                    json.WriteString("account", invoice.Account);
                    json.WriteString("period", invoice.Period.From.ToString("yyyy-MM", CultureInfo.InvariantCulture));
                    json.WriteString("label", line.Label);
                    json.WriteString("amount", tariff.FormatMoney(line.Amount));
                    // The figure the amount was rounded from (half away from zero to the currency's minor unit).
                    if (line.Unrounded is { } unrounded) json.WriteString("unrounded", unrounded.ToString(CultureInfo.InvariantCulture));
                    if (tariff.Source(line) is { } source) json.WriteString("source", source);
                    if (line.Band is { } band)
                    {
                        // The band of a tiered charge the line prices, as on the invoice.
                        json.WriteStartObject("band");
                        json.WriteString("from", band.From.ToString(CultureInfo.InvariantCulture));
                        if (band.To is { } to) json.WriteString("to", to.ToString(CultureInfo.InvariantCulture));
                        else json.WriteNull("to");
                        json.WriteString("flatFee", tariff.FormatMoney(band.FlatFee));
                        json.WriteEndObject();
                    }
                    json.WriteStartArray("rows");
                    // The rows the engine gave a share of this charge in this period: a tiered charge's bands are one charge,
                    // and a row billed in a later period than its own (a group that ends later) is listed under that one.
                    var charge = line.Band is null ? line.Label : line.Label[..line.Label.LastIndexOf(" (", StringComparison.Ordinal)];
                    foreach (var r in result.Outcomes)
                    {
                        if (r.Account != invoice.Account) continue;
                        foreach (var share in r.Shares)
                        {
                            if (share.Period != invoice.Period.From || share.Label != charge) continue;
                            json.WriteNumberValue(r.Row);
                            break;
                        }
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
            }
            json.WriteEndArray();
            var a = result.Accounting;
            json.WriteStartObject("accounting");
            json.WriteNumber("rows", a.Rows);
            json.WriteNumber("rated", a.Rated);
            json.WriteNumber("free", a.Free);
            json.WriteNumber("rejected", a.Rejected);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static int Compare(Options o, TextWriter stdout, TextWriter stderr)
    {
        var (tariff, ledgerPath, accounts, exit) = Load(o, stderr, "compare", out _);
        if (tariff is null || ledgerPath is null) return exit;
        if (tariff.PlanNames.IsEmpty)
        {
            stderr.WriteLine($"tariff: {tariff.Path} declares no plans to compare");
            return UserError;
        }
        // Without --plans, every plan of the tariff.
        if (o.Plans.Count == 0) o.Plans.AddRange(tariff.PlanNames);
        var unknown = o.Plans.Where(p => !tariff.PlanNames.Contains(p)).ToList();
        if (unknown.Count > 0)
        {
            stderr.WriteLine($"tariff: unknown plan(s) {string.Join(", ", unknown)}; the tariff has {string.Join(", ", tariff.PlanNames)}");
            return UserError;
        }
        var results = o.Plans.Select(plan =>
        {
            var overrides = new Dictionary<string, string>(o.Params) { ["plan"] = plan };
            return tariff.RateFile(ledgerPath, accounts,
                new RatingOptions(overrides, o.Period) { Threads = o.Threads, From = o.From, To = o.To });
        }).ToList();
        // Every account and period that any plan could rate, so a plan that could not rate one shows it.
        var rows = results.SelectMany(r => r.Invoices).Select(i => (i.Account, i.Period)).Distinct()
            .OrderBy(x => x.Account, StringComparer.Ordinal).ThenBy(x => x.Period.From).ToList();
        if (o.Format == "json")
        {
            stdout.Write(CompareJson(tariff, o.Plans, results, rows));
            return Ok;
        }
        var width = Math.Max(20, rows.Select(r => r.Account.Length).DefaultIfEmpty(0).Max());
        stdout.WriteLine($"{"account".PadRight(width)} {"period",-23} " + string.Join(" ", o.Plans.Select(p => $"{p,12}")));
        var missing = new int[results.Count];
        foreach (var (account, period) in rows)
        {
            var cells = results.Select((r, i) =>
            {
                var invoice = r.Invoices.FirstOrDefault(x => x.Account == account && x.Period == period);
                if (invoice is null) missing[i]++;
                return $"{(invoice is null ? "-" : tariff.FormatMoney(invoice.Total)),12}";
            });
            stdout.WriteLine($"{account.PadRight(width)} {period.From:yyyy-MM-dd}..{period.To:yyyy-MM-dd} " + string.Join(" ", cells));
        }
        var totals = results.Select((r, i) => missing[i] > 0 ? "incomplete" : tariff.FormatMoney(r.Invoices.Sum(x => x.Total)));
        stdout.WriteLine($"{"total".PadRight(width)} {"",-23} " + string.Join(" ", totals.Select(t => $"{t,12}")));
        // The cheapest plan among those that could rate every account and period.
        var complete = results.Select((r, i) => (Plan: o.Plans[i], Total: r.Invoices.Sum(x => x.Total), Complete: missing[i] == 0))
            .Where(x => x.Complete).ToList();
        if (complete.Count > 0)
        {
            var cheapest = complete.MinBy(x => x.Total);
            stdout.WriteLine($"cheapest: {cheapest.Plan} ({tariff.FormatMoney(cheapest.Total)})");
        }
        if (missing.Any(m => m > 0))
            stdout.WriteLine("-: the account could not be rated on that plan (see `tariff explain` with --param plan=NAME for why)");
        return Ok;
    }

    /// <summary>compare --format json: each account and period with its total on each plan (null: not rated), the plans'
    /// totals (null: incomplete) and the cheapest complete plan.</summary>
    private static string CompareJson(CompiledTariff tariff, List<string> plans, List<RatingResult> results,
        List<(string Account, Invoicing.BillingPeriod Period)> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions
               {
                   Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
               }))
        {
            json.WriteStartObject();
            json.WriteStartArray("rows");
            var complete = Enumerable.Repeat(true, plans.Count).ToArray();
            foreach (var (account, period) in rows)
            {
                json.WriteStartObject();
                json.WriteString("account", account);
                json.WriteString("from", period.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                json.WriteString("to", period.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                json.WriteStartObject("totals");
                for (var i = 0; i < plans.Count; i++)
                {
                    var invoice = results[i].Invoices.FirstOrDefault(x => x.Account == account && x.Period == period);
                    if (invoice is null)
                    {
                        complete[i] = false;
                        json.WriteNull(plans[i]);
                    }
                    else json.WriteString(plans[i], tariff.FormatMoney(invoice.Total));
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("totals");
            for (var i = 0; i < plans.Count; i++)
            {
                if (complete[i]) json.WriteString(plans[i], tariff.FormatMoney(results[i].Invoices.Sum(x => x.Total)));
                else json.WriteNull(plans[i]);
            }
            json.WriteEndObject();
            var cheapest = Enumerable.Range(0, plans.Count).Where(i => complete[i]).OrderBy(i => results[i].Invoices.Sum(x => x.Total))
                .FirstOrDefault(-1);
            if (cheapest >= 0) json.WriteString("cheapest", plans[cheapest]);
            else json.WriteNull("cheapest");
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>
    /// Times compilation and rating of a ledger. A rough figure for one machine; the BenchmarkDotNet project in
    /// benchmarks/ gives the careful one. With several thread counts (<c>--threads 1,2</c>) the runs are interleaved, so
    /// that a slow minute on a shared machine hits every count alike, and the speed-up is the median of the per-round
    /// ratios.
    /// </summary>
    private static int Bench(Options o, TextWriter stdout, TextWriter stderr)
    {
        var engine = o.Engine ?? DefaultRateEngine;
        var (tariff, ledgerPath, accounts, exit) = Load(o, stderr, "bench", out var compileTime);
        if (tariff is null || ledgerPath is null) return exit;
        if (o.ServeCounts.Count > 0)
        {
            var host = new Service.ServiceTariff(tariff, File.ReadAllText(tariff.Path), accounts);
            return ServeBench.Run(host, ledgerPath, o.ServeCounts, o.Iterations, o.Batch, stdout, stderr);
        }
        var counts = o.ThreadCounts.Count == 0 ? [Environment.ProcessorCount] : o.ThreadCounts;
        var options = counts.Select(n => new RatingOptions(o.Params, o.Period) { Threads = n, From = o.From, To = o.To }).ToList();
        var clock = new System.Diagnostics.Stopwatch();
        var process = System.Diagnostics.Process.GetCurrentProcess();
        stdout.WriteLine(
            FormattableString.Invariant($"engine: {engine.ToString().ToLowerInvariant()}, threads: {string.Join(", ", counts)}"));
        stdout.WriteLine(FormattableString.Invariant($"load and compile: {compileTime.TotalMilliseconds:F1} ms"));

        // The JIT's share of start-up and of the first rating: the part of a run that --threads does not divide.
        var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
        var jitTime = System.Runtime.JitInfo.GetCompilationTime();
        clock.Start();
        var first = tariff.RateFile(ledgerPath, accounts, options[0]);
        stdout.WriteLine(FormattableString.Invariant(
            $"first rating (the code still being compiled by the JIT): {clock.Elapsed.TotalMilliseconds:F1} ms"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"JIT: {jitMethods} methods in {jitTime.TotalMilliseconds:F0} ms up to the first rating, "
            + $"{System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods} more in "
            + $"{(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:F0} ms during it"));
        for (var c = 1; c < counts.Count; c++) tariff.RateFile(ledgerPath, accounts, options[c]);
        var rows = first.Accounting.Rows;

        var times = counts.Select(_ => new List<double>()).ToList();
        var cpu = counts.Select(_ => new List<double>()).ToList();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var collections = GC.CollectionCount(0);
        var paused = GC.GetTotalPauseDuration();
        for (var i = 0; i < o.Iterations; i++)
        {
            for (var k = 0; k < counts.Count; k++)
            {
                // The order turns from round to round: no count always runs right after another.
                var c = (i + k) % counts.Count;
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                clock.Restart();
                tariff.RateFile(ledgerPath, accounts, options[c]);
                times[c].Add(clock.Elapsed.TotalMilliseconds);
                process.Refresh();
                cpu[c].Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
            }
        }
        var ratings = o.Iterations * counts.Count;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        collections = GC.CollectionCount(0) - collections;
        paused = GC.GetTotalPauseDuration() - paused;

        for (var c = 0; c < counts.Count; c++)
        {
            var median = Median(times[c]);
            var busy = Median(cpu[c]);
            var label = counts.Count > 1 ? $"--threads {counts[c]}: " : "";
            stdout.WriteLine(FormattableString.Invariant(
                $"{label}rate {rows} rows (read, rate, invoice): median {median:F2} ms, min {times[c].Min():F2} ms over {times[c].Count} runs"));
            stdout.WriteLine(FormattableString.Invariant($"{label}processor time: median {busy:F0} ms ({busy / median:F2} cores busy)"));
            stdout.WriteLine(FormattableString.Invariant($"{label}throughput: {(median > 0 ? rows / median * 1000 : 0):F0} rows/s"));
        }
        for (var c = 1; c < counts.Count; c++)
        {
            // The range too: on a shared machine one round's ratio says little, and the spread shows how much.
            var ratios = Enumerable.Range(0, o.Iterations).Select(i => times[0][i] / times[c][i]).ToList();
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"speed-up of {counts[c]} threads over {counts[0]}: {Median(ratios):F2} (median of {ratios.Count} interleaved rounds, "
                + $"{ratios.Min():F2} to {ratios.Max():F2})"));
        }
        if (first.Statistics is { HeldRows: > 0 } held)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"out of time order: {held.ReplayedAccounts} accounts replayed, {held.HeldRows} rows held in "
                + $"{held.HeldBytes / 1048576.0:F1} MiB "
                + $"({(double)held.HeldBytes / held.HeldRows:F0} bytes/row)"));
        }
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"allocated: {(rows > 0 ? allocated / (double)ratings / rows : 0):F1} bytes/row, "
            + $"{collections / (double)ratings:F1} gen0 collections "
            + $"and {paused.TotalMilliseconds / ratings:F0} ms paused for the GC per rating"));
        // What the docs' memory figures rest on: the live heap after the last collection against what the collector keeps
        // committed (its room for young objects), beside the process's peak resident set.
        var heap = GC.GetGCMemoryInfo(GCKind.Any);
        process.Refresh();
        const double MiB = 1048576.0;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"heap after the last collection: {heap.HeapSizeBytes / MiB:F1} MiB (old objects "
            + $"{heap.GenerationInfo[2].SizeAfterBytes / MiB:F1} MiB, "
            + $"large objects {heap.GenerationInfo[3].SizeAfterBytes / MiB:F1} MiB), {heap.TotalCommittedBytes / MiB:F1} MiB committed; "
            + $"peak resident set {process.PeakWorkingSet64 / MiB:F1} MiB"));
        return Ok;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Parsed command-line options.</summary>
    internal sealed class Options
    {
        public List<string> Positional { get; } = new();
        public Dictionary<string, string> Params { get; } = new(StringComparer.Ordinal);
        public string? Accounts { get; private set; }
        public (int, int)? Period { get; private set; }

        public (int, int)? From { get; private set; }

        public (int, int)? To { get; private set; }
        public string Format { get; private set; } = "text";
        public TariffEngine? Engine { get; private set; }
        public List<string> Plans { get; } = new();
        public int Iterations { get; private set; } = 10;

        /// <summary>rate and explain fail (exit 1) when a row's id conflicts with another's.</summary>
        public bool Strict { get; private set; }

        /// <summary>--rejects FILE: where rate writes the rejected rows, verbatim, with their reasons.</summary>
        public string? Rejects { get; private set; }

        /// <summary>explain --account: the accounts whose rows are shown (all when empty).</summary>
        public HashSet<string> ExplainAccounts { get; } = new(StringComparer.Ordinal);

        /// <summary>explain --row: the rows shown (all when empty).</summary>
        public HashSet<int> ExplainRows { get; } = new();

        /// <summary>test --coverage: say what the examples left unexercised.</summary>
        public bool Coverage { get; set; }

        /// <summary>test --min-coverage P: fail a tariff whose examples reach less than P %.</summary>
        public decimal? MinCoverage { get; private set; }

        /// <summary>fmt --check: report the files that are not formatted instead of rewriting them.</summary>
        public bool CheckOnly { get; private set; }
        /// <summary>The thread counts given; rate and compare take one, bench a list to compare.</summary>
        /// <summary>Reads a list like <c>1,2</c> of whole numbers from 1 to <paramref name="max"/> into
        /// <paramref name="counts"/>.</summary>
        private static bool Counts(string value, List<int> counts, int max)
        {
            counts.Clear();
            foreach (var part in value.Split(','))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || count > max)
                    return false;
                counts.Add(count);
            }
            return true;
        }

        public List<int> ThreadCounts { get; } = new();

        /// <summary>bench --serve: the silo counts the service is measured with.</summary>
        public List<int> ServeCounts { get; } = new();

        /// <summary>bench --serve: events per request.</summary>
        public int Batch { get; private set; } = 500;

        public int? Threads => ThreadCounts.Count == 0 ? null : ThreadCounts[0];

        public void SetStrict() => Strict = true;

        public void SetCheckOnly() => CheckOnly = true;

        /// <summary>Reads one option's value, as the verbs understand it; the message says what is wrong with it.</summary>
        public string? Apply(string option, string value)
        {
            switch (option)
            {
                case "--accounts": Accounts = value; return null;
                case "--rejects": Rejects = value; return null;
                case "--param":
                    var eq = value.IndexOf('=');
                    if (eq <= 0) return $"--param takes name=value, not '{value}'";
                    Params[value[..eq]] = value[(eq + 1)..];
                    return null;
                case "--period" or "--from" or "--to":
                    if (!DateOnly.TryParseExact(value + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None,
                        out var month)
                        || month.Year is < RatingOptions.MinYear or > RatingOptions.MaxYear)
                        return $"{option} takes YYYY-MM between {RatingOptions.MinYear} and {RatingOptions.MaxYear}, not '{value}'";
                    if (option == "--period") Period = (month.Year, month.Month);
                    else if (option == "--from") From = (month.Year, month.Month);
                    else To = (month.Year, month.Month);
                    return null;
                case "--format":
                    if (value is not ("text" or "json" or "junit")) return $"--format is text or json (junit for test), not '{value}'";
                    Format = value;
                    return null;
                case "--min-coverage":
                    if (!decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent)
                        || percent > 100m)
                        return $"--min-coverage takes a percentage from 0 to 100, not '{value}'";
                    MinCoverage = percent;
                    return null;
                case "--engine":
                    if (value is not ("compiled" or "interpreted")) return $"--engine is compiled or interpreted, not '{value}'";
                    Engine = value == "compiled" ? TariffEngine.Compiled : TariffEngine.Interpreted;
                    return null;
                case "--iterations":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                        return $"--iterations takes a positive whole number, not '{value}'";
                    Iterations = n;
                    return null;
                case "--threads":
                    return Counts(value, ThreadCounts, 256) ? null : $"--threads takes whole numbers from 1 to 256, not '{value}'";
                case "--serve":
                    return Counts(value, ServeCounts, 8) ? null : $"--serve takes silo counts from 1 to 8, not '{value}'";
                case "--batch":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size is < 1 or > 100_000)
                        return $"--batch takes a number of events from 1 to 100000, not '{value}'";
                    Batch = size;
                    return null;
                case "--account":
                    ExplainAccounts.Add(value);
                    return null;
                case "--row":
                    foreach (var part in value.Split(','))
                    {
                        if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var row) || row < 1)
                            return $"--row takes row numbers (2 is the first row under a CSV header), not '{value}'";
                        ExplainRows.Add(row);
                    }
                    return null;
                case "--plans":
                    Plans.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    return null;
                default:
                    return $"unknown option {option}";
            }
        }
    }
}
