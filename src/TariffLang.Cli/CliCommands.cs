using System.CommandLine;

namespace TariffLang.Cli;

/// <summary>
/// The verbs, arguments and options of the <c>tariff</c> command, declared for System.CommandLine: it parses, refuses
/// unknown options, suggests the verb or option meant, reads <c>--option=value</c>, and prints each verb's help and
/// <c>--version</c>. Option values are then read by <see cref="CliApp.Options.Apply"/>, whose messages name the option.
/// </summary>
internal static class CliCommands
{
    private const string Files = "files";

    public static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("TariffLang: check, format, test and rate tariffs written in the TariffLang language.");
        // --version names this tool's version, wherever it runs from (the default reads the process's entry assembly).
        foreach (var option in root.Options.OfType<VersionOption>().ToList()) root.Options.Remove(option);
        var version = new Option<bool>("--version") { Description = "Show version information" };
        root.Options.Add(version);
        root.SetAction(parse =>
        {
            if (parse.GetValue(version))
            {
                var assembly = typeof(CliCommands).Assembly;
                stdout.WriteLine(assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                    .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion
                    ?? assembly.GetName().Version?.ToString() ?? "unknown");
                return CliApp.Ok;
            }
            stderr.WriteLine("tariff: a command is needed");
            stderr.WriteLine("usage: tariff --help shows the commands");
            return CliApp.UsageError;
        });
        var tariffs = FilesArgument("tariff files, or directories searched for *.tariff");

        var check = new Command("check",
            "Checks tariffs and prints their diagnostics; exits 1 on any error.\n\nExample:\n  tariff check tariffs/");
        check.Arguments.Add(tariffs);
        check.Options.Add(Engine());
        check.Options.Add(Format());
        root.Subcommands.Add(Verb(check, stdout, stderr));

        var fmt = new Command("fmt",
            "Rewrites tariffs in the canonical layout, comments kept; --check only lists the files that are not.\n\n"
            + "Examples:\n  tariff fmt tariffs/\n  tariff fmt --check tariffs/ docs/examples/");
        fmt.Arguments.Add(FilesArgument("tariff files or directories"));
        fmt.Options.Add(new Option<bool>("--check") { Description = "write nothing; exit 1 when a file is not formatted" });
        root.Subcommands.Add(Verb(fmt, stdout, stderr));

        var test = new Command("test", "Runs every example block of the tariffs; the last line says how many passed and failed.\n\n"
            + "Examples:\n  tariff test tariffs/\n  tariff test --coverage --min-coverage 80 tariffs/\n"
            + "  tariff test --format junit tariffs/ > report.xml");
        test.Arguments.Add(FilesArgument("tariff files or directories (default: tariffs/)"));
        test.Options.Add(Engine());
        test.Options.Add(new Option<string>("--format") { Description = "text (default) or junit (JUnit XML for CI)" });
        test.Options.Add(new Option<bool>("--coverage")
        {
            Description = "list the rules, charges, table cells, plans and versions no example exercised",
        });
        test.Options.Add(
            new Option<string>("--min-coverage") { Description = "fail a tariff whose examples exercise less than this percentage" });
        root.Subcommands.Add(Verb(test, stdout, stderr));

        root.Subcommands.Add(Verb(Rating("rate", "Rates a ledger into one invoice per account and period, streamed on every core.\n\n"
            + "Examples:\n  tariff rate tariffs/calendoc.tariff examples/calendoc/ledger.csv\n"
            + "  tariff rate tariffs/web1on1.tariff examples/web1on1/ledger.csv --accounts examples/web1on1/accounts.csv --format json",
            Format(), Engine(), Threads(), Strict(),
            new Option<string>("--rejects") { Description = "write the rejected rows, verbatim, with their reason, to this file" }),
            stdout, stderr));
        root.Subcommands.Add(
            Verb(Rating("explain", "Says what became of every ledger row: the lines that rated it, the rule that made it free, "
            + "or why it was rejected, and where in the tariff.\n\nExamples:\n"
            + "  tariff explain tariffs/calendoc.tariff examples/calendoc/ledger.csv\n"
            + "  tariff explain tariffs/calendoc.tariff examples/calendoc/ledger.csv --account krys-paris-03 "
            + "--period 2024-01 --format json",
            Format(), Engine(), Strict(),
            new Option<string[]>("--account") { Description = "show only this account's rows (repeatable)",
                AllowMultipleArgumentsPerToken = false },
            new Option<string>("--row") { Description = "show only these rows, separated by commas" }), stdout, stderr));
        root.Subcommands.Add(Verb(Rating("compare", "What the same usage costs on each plan.\n\nExample:\n"
            + "  tariff compare tariffs/web1on1.tariff examples/web1on1/ledger.csv --plans GROW,SCALE",
            new Option<string>("--plans") { Description = "the plans to compare, separated by commas (default: every plan)" }, Format(),
            Engine(),
            Threads()),
            stdout, stderr));
        root.Subcommands.Add(Verb(Rating("bench", "Times compilation and rating; --threads 1,2 compares thread counts, interleaved.\n\n"
            + "Example:\n  tariff bench tariffs/calendoc.tariff examples/calendoc/ledger.csv --threads 1,2",
            Engine(), Threads(), new Option<string>("--iterations") { Description = "how many times to rate (default 10)" },
            new Option<string>("--serve")
            {
                Description = "measure the rating service instead, with these silo counts, 1,3 (loopback only)"
            },
            new Option<string>("--batch") { Description = "with --serve: events per request (default 500)" }), stdout, stderr));
        root.Subcommands.Add(Serve(stderr));
        return root;
    }

    /// <summary>
    /// <c>tariff serve</c>: the rating service (ASP.NET Core with an Orleans silo, state in memory) until Ctrl+C. The API
    /// key may come from <c>TARIFF_API_KEY</c> instead of the command line, where other users could read it.
    /// </summary>
    private static Command Serve(TextWriter stderr)
    {
        var command = new Command("serve", "Runs the rating service: POST /events, GET /accounts/{id}/invoices?period=YYYY-MM, "
            + "POST /periods/{YYYY-MM}/close, GET /health (docs/service.md).\n\nExample:\n"
            + "  tariff serve tariffs/calendoc.tariff --urls http://127.0.0.1:5080");
        var tariff = new Argument<string>("tariff") { Description = "the .tariff file" };
        var accounts = new Option<string>("--accounts") { Description = "the accounts file: each account's contract values" };
        var urls = new Option<string>("--urls") { Description = "where to listen (default http://127.0.0.1:5080)" };
        var apiKey = new Option<string>("--api-key")
        {
            Description = "require this key (header X-Api-Key) on writes; or set TARIFF_API_KEY"
        };
        var maxBody = new Option<int?>("--max-body-mb") { Description = "the largest request body accepted, in MB (default 16)" };
        var postgres = new Option<string>("--postgres")
        {
            Description = "keep the accounts' rating state in PostgreSQL (a connection string; or set TARIFF_POSTGRES)",
        };
        var later = new Option<string[]>("--tariff-from")
        {
            Description = "a later version of the tariff, rating from a month on: YYYY-MM=FILE (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var siloPort = new Option<int?>("--silo-port") { Description = "the silo's port for other silos (default 11111)" };
        var gatewayPort = new Option<int?>("--gateway-port") { Description = "the silo's port for Orleans clients (default 30000)" };
        var advertise = new Option<string>("--advertise") { Description = "with --postgres: the IP address other silos reach this one at" };
        var clusterId = new Option<string>("--cluster-id") { Description = "with --postgres: the cluster to join (default tarifflang)" };
        var engine = Engine();
        command.Arguments.Add(tariff);
        foreach (var option in (Option[])[accounts, later, urls, apiKey, maxBody, postgres, siloPort, gatewayPort, advertise, clusterId,
            engine])
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            var kind = parse.GetValue(engine) switch
            {
                null or "compiled" => TariffEngine.Compiled,
                "interpreted" => TariffEngine.Interpreted,
                var other => (TariffEngine?)null,
            };
            if (kind is null) return CliApp.UsageFail(stderr, "--engine: compiled or interpreted");
            if (parse.GetValue(maxBody) is < 1) return CliApp.UsageFail(stderr, "--max-body-mb: a whole number of MB, at least 1");
            var versions = new List<(string From, string Path)>();
            foreach (var given in parse.GetValue(later) ?? [])
            {
                if (given.Split('=', 2) is not [{ Length: 7 } from, { Length: > 0 } path])
                    return CliApp.UsageFail(stderr, $"--tariff-from takes YYYY-MM=FILE, not '{given}'");
                versions.Add((from, path));
            }
            var host = Service.ServiceTariff.Load(parse.GetValue(tariff)!, parse.GetValue(accounts), kind.Value, out var problem, versions);
            if (host is null)
            {
                stderr.WriteLine($"tariff: {problem}");
                return CliApp.UserError;
            }
            var options = new Service.ServiceOptions(
                parse.GetValue(urls) ?? "http://127.0.0.1:5080",
                parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("TARIFF_API_KEY"),
                (parse.GetValue(maxBody) ?? 16) * 1024L * 1024L,
                parse.GetValue(siloPort) ?? 11111,
                parse.GetValue(gatewayPort) ?? 30000,
                parse.GetValue(postgres) ?? Environment.GetEnvironmentVariable("TARIFF_POSTGRES"),
                parse.GetValue(clusterId) ?? "tarifflang",
                parse.GetValue(advertise) ?? "127.0.0.1");
            if (!System.Net.IPAddress.TryParse(options.Advertise, out _)) return CliApp.UsageFail(stderr, "--advertise: an IP address");
            var app = Service.ServiceSetup.Build(host, options);
            stderr.WriteLine($"tariff: serving {host.Tariff.Path} (tariff {host.Hash}) on {options.Urls}, state "
                + (options.Postgres is null ? "in memory" : "in PostgreSQL") + "; Ctrl+C stops");
            app.Run();
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>File arguments: a word that looks like an option is an option the verb does not have, not a file.</summary>
    private static Argument<string[]> FilesArgument(string description)
    {
        var files = new Argument<string[]>(Files) { Description = description, Arity = ArgumentArity.ZeroOrMore };
        files.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.StartsWith("--", StringComparison.Ordinal))
                    result.AddError($"unknown option '{token.Value}' for this command");
            }
        });
        return files;
    }

    /// <summary>The verbs that read a tariff and a ledger and rate it (built by <see cref="Rating"/>).</summary>
    internal static readonly string[] RatingVerbs = ["rate", "explain", "compare", "bench"];

    /// <summary>A verb reading a tariff and a ledger, with the options every such verb shares.</summary>
    private static Command Rating(string name, string description, params Option[] more)
    {
        // The command line warms up before reading its options when the verb is one of these (CliApp.Run).
        if (Array.IndexOf(RatingVerbs, name) < 0) throw new InvalidOperationException($"'{name}' is missing from RatingVerbs");
        var command = new Command(name, description);
        command.Arguments.Add(new Argument<string>("tariff") { Description = "the .tariff file" });
        command.Arguments.Add(new Argument<string>("ledger") { Description = "the usage ledger: CSV, JSON Lines or a JSON array" });
        command.Options.Add(new Option<string>("--accounts") { Description = "the accounts file: each account's contract values" });
        command.Options.Add(new Option<string[]>("--param")
        {
            Description = "a contract value for every account, name=value (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        });
        foreach (var month in (string[])["--period", "--from", "--to"])
        {
            command.Options.Add(new Option<string>(month)
            {
                Description = month switch
                {
                    "--period" => "rate this month only, YYYY-MM",
                    "--from" => "the first month rated, YYYY-MM",
                    _ => "the last month rated, YYYY-MM",
                },
            });
        }
        foreach (var option in more) command.Options.Add(option);
        return command;
    }

    private static Option<string> Format() => new("--format") { Description = "text (default) or json" };

    private static Option<string> Engine() => new("--engine") { Description = "compiled (default for rating) or interpreted" };

    private static Option<string> Threads() =>
        new("--threads") { Description = "worker threads (default: every core); bench takes a list, 1,2" };

    private static Option<bool> Strict() =>
        new("--strict") { Description = "exit 1 when any row is rejected (an identical re-send aside)" };

    /// <summary>The verb's action: its arguments and options read into <see cref="CliApp.Options"/>, then the verb run.</summary>
    private static Command Verb(Command command, TextWriter stdout, TextWriter stderr)
    {
        command.SetAction(parse =>
        {
            var options = new CliApp.Options();
            foreach (var argument in command.Arguments)
            {
                if (argument is Argument<string> one && parse.GetValue(one) is { } value) options.Positional.Add(value);
                else if (argument is Argument<string[]> many && parse.GetValue(many) is { } values) options.Positional.AddRange(values);
            }
            foreach (var option in command.Options)
            {
                switch (option)
                {
                    case Option<bool> flag when parse.GetValue(flag):
                        if (flag.Name == "--strict") options.SetStrict();
                        else if (flag.Name == "--coverage") options.Coverage = true;
                        else options.SetCheckOnly();
                        break;
                    case Option<string> single when parse.GetValue(single) is { } given:
                        if (options.Apply(single.Name, given) is { } problem) return CliApp.UsageFail(stderr, problem);
                        break;
                    case Option<string[]> repeated when parse.GetValue(repeated) is { } list:
                        foreach (var item in list)
                        {
                            if (options.Apply(repeated.Name, item) is { } wrong) return CliApp.UsageFail(stderr, wrong);
                        }
                        break;
                }
            }
            return CliApp.Dispatch(command.Name, options, stdout, stderr);
        });
        return command;
    }
}
