using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace TariffLang.Service;

/// <summary>How <c>tariff serve</c> runs: where it listens, what it protects.</summary>
/// <param name="Urls">Where HTTP listens (default <c>http://127.0.0.1:5080</c>: this machine only).</param>
/// <param name="ApiKey">When set, writes (events, closes) need the header <c>X-Api-Key</c> with this value.</param>
/// <param name="MaxBodyBytes">The largest request body accepted (413 beyond).</param>
/// <param name="SiloPort">The silo's port for other silos (Orleans' default 11111).</param>
/// <param name="GatewayPort">The silo's port for clients (Orleans' default 30000).</param>
/// <param name="Postgres">
/// A PostgreSQL connection string: grain state and cluster membership are kept there, so silos of several machines on
/// one database form one cluster (null: one silo, state in its memory).
/// </param>
/// <param name="ClusterId">Which cluster of that database the silo joins.</param>
/// <param name="Advertise">The address other silos reach this one at (with <paramref name="Postgres"/>).</param>
/// <param name="Table">The table grain state is kept in.</param>
/// <param name="PrimarySiloPort">
/// Without <paramref name="Postgres"/>: the silo port of a first silo on this machine to join (several silos in memory,
/// for tests and benchmarks); null: this silo is alone.
/// </param>
public sealed record ServiceOptions(string Urls = "http://127.0.0.1:5080", string? ApiKey = null, long MaxBodyBytes = 16 * 1024 * 1024,
    int SiloPort = 11111, int GatewayPort = 30000, string? Postgres = null, string ClusterId = "tarifflang", string Advertise = "127.0.0.1",
    string Table = ServiceSetup.DefaultTable, int? PrimarySiloPort = null);

/// <summary>The silo and the HTTP host of the rating service.</summary>
public static class ServiceSetup
{
    /// <summary>The grain storage accounts and the directory are kept in.</summary>
    public const string StorageName = "accounts";

    /// <summary>The table grain state is kept in, in PostgreSQL.</summary>
    public const string DefaultTable = "tariff_grain_state";

    /// <summary>
    /// A silo that rates with <paramref name="host"/>: its grains and their storage, in PostgreSQL when
    /// <paramref name="postgres"/> is a connection string (in <paramref name="table"/>), else in the cluster's memory.
    /// </summary>
    public static ISiloBuilder ConfigureSilo(ISiloBuilder silo, ServiceTariff host, string? postgres = null, string table = DefaultTable)
    {
        ArgumentNullException.ThrowIfNull(silo);
        if (postgres is null) silo.AddMemoryGrainStorage(StorageName);
        else
        {
            if (!Storage.PostgresGrainStorage.IsTableName(table))
                throw new ArgumentException($"'{table}' is not a table name", nameof(table));
            var database = NpgsqlDataSource.Create(postgres);
            silo.Services.AddGrainStorage(StorageName,
                (services, _) => new Storage.PostgresGrainStorage(database, services.GetRequiredService<Serializer>(), table));
        }
        silo.Services.AddSingleton(host);
        return silo;
    }

    /// <summary>The web application of <c>tariff serve</c>: its silo (alone in memory, or in a PostgreSQL cluster) and the
    /// endpoints.</summary>
    public static WebApplication Build(ServiceTariff host, ServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Orleans' watchdog warns of "participant check" delays measured from an unset clock on an idle silo: noise.
        builder.Logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error);
        builder.UseOrleans(silo =>
        {
            if (options.Postgres is null)
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort,
                    options.PrimarySiloPort is { } primary ? new IPEndPoint(IPAddress.Loopback, primary) : null);
            }
            else
            {
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, "tarifflang"));
                silo.ConfigureEndpoints(IPAddress.Parse(options.Advertise), options.SiloPort, options.GatewayPort,
                    listenOnAnyHostAddress: true);
                var database = NpgsqlDataSource.Create(options.Postgres);
                silo.Services.AddSingleton<IMembershipTable>(services =>
                    new Storage.PostgresMembershipTable(database, services.GetRequiredService<Serializer>(), options.ClusterId, "tariff"));
            }
            ConfigureSilo(silo, host, options.Postgres, options.Table);
        });
        builder.Services.AddSingleton<RatingService>();
        var app = builder.Build();
        Map(app, options);
        return app;
    }

    /// <summary>The endpoints: POST /events, GET /accounts/{id}/invoices, POST /periods/{month}/close, GET /health.</summary>
    public static void Map(WebApplication app, ServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        app.MapPost("/events", async (HttpContext http, RatingService service) =>
        {
            if (Refused(http, options) is { } refused) return refused;
            string body;
            try
            {
                using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
                body = await reader.ReadToEndAsync(http.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return Problem(413, $"the request body is larger than {options.MaxBodyBytes} bytes");
            }
            var answers = await service.IngestAsync(body, http.RequestAborted);
            if (answers is [{ Row: 0, Status: 400 } only]) return Problem(400, only.Reason!);
            return Results.Text(RatingService.ToJson(answers), "application/json", Encoding.UTF8);
        });
        app.MapGet("/accounts/{account}/invoices", async (string account, string? period, RatingService service) =>
        {
            if (period is not null && !Months.IsMonth(period)) return Problem(400, $"period: '{period}' is not a month written YYYY-MM");
            var answer = await service.InvoicesAsync(account, period);
            return Results.Text(RatingService.InvoicesJson(account, period, service.Host.Hash, answer), "application/json", Encoding.UTF8);
        });
        app.MapPost("/periods/{month}/close", async (HttpContext http, string month, RatingService service) =>
        {
            if (Refused(http, options) is { } refused) return refused;
            if (!Months.IsMonth(month)) return Problem(400, $"month: '{month}' is not a month written YYYY-MM");
            var accounts = await service.CloseAsync(month);
            return Results.Json(new { period = month, accounts });
        });
        app.MapGet("/health", (RatingService service) => Results.Json(new
        {
            status = "ok",
            tariff = service.Host.Hash,
            versions = service.Host.Versions.Select(v => new { from = v.From, hash = v.Hash, path = v.Tariff.Path }),
        }));
    }

    /// <summary>Where a started web application listens (its first address).</summary>
    public static string Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    /// <summary>A TCP port free on the loopback interface now, for a silo started next (tests and benchmarks).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static IResult? Refused(HttpContext http, ServiceOptions options)
    {
        if (options.ApiKey is not { } key) return null;
        var given = http.Request.Headers["X-Api-Key"].ToString();
        // Compared in constant time, so the key cannot be guessed a character at a time.
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key))
            ? null
            : Problem(401, "this write needs the header X-Api-Key with the service's key");
    }

    private static IResult Problem(int status, string message) => Results.Json(new { status, error = message }, statusCode: status);
}
