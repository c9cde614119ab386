using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using TariffLang.Service;

namespace TariffLang.Tests.Service;

/// <summary>One <c>tariff serve</c> host (one silo, in memory, an API key) on free loopback ports, for the HTTP tests.</summary>
public sealed class ServiceHttpFixture : IAsyncLifetime
{
    public const string Key = "s3cret-key";


    private WebApplication? _app;

    public HttpClient Client { get; } = new();

    public async Task InitializeAsync()
    {
        var dir = TestTemp.NewDirectory("tarifflang-serve-");
        var path = Path.Combine(dir, "t.tariff");
        File.WriteAllText(path, Cli.ExplainCommandTests.Source);
        var host = ServiceTariff.Load(path, null, TariffEngine.Interpreted, out var problem)
            ?? throw new InvalidOperationException(problem);
        var options = new ServiceOptions("http://127.0.0.1:0", Key, MaxBodyBytes: 4096, SiloPort: ServiceSetup.FreeLoopbackPort(),
            GatewayPort: ServiceSetup.FreeLoopbackPort());
        _app = ServiceSetup.Build(host, options);
        await _app.StartAsync();
        Client.BaseAddress = new Uri(ServiceSetup.Address(_app));
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null) await _app.DisposeAsync();
    }

    public async Task<(HttpStatusCode Status, JsonElement Json)> Post(string path, string body, bool withKey = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json")
        };
        if (withKey) request.Headers.Add("X-Api-Key", Key);
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public async Task<(HttpStatusCode Status, JsonElement Json)> Get(string path)
    {
        using var response = await Client.GetAsync(path);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}

/// <summary>The endpoints of <c>tariff serve</c> over HTTP: answers, idempotency, closing, and refusals.</summary>
public sealed class ServiceHttpTests(ServiceHttpFixture service) : IClassFixture<ServiceHttpFixture>
{
    private static string Sms(string account, string time, string to, string? id = null) =>
        $$"""{"time":"{{time}}","account":"{{account}}","event":"sms","to":"{{to}}"{{(id is null ? "" : $",\"id\":\"{id}\"")}}}""";

    private static JsonElement[] Events(JsonElement json) => json.GetProperty("events").EnumerateArray().ToArray();

    private async Task<string[]> Lines(string account, string period)
    {
        var (status, json) = await service.Get($"/accounts/{account}/invoices?period={period}");
        status.ShouldBe(HttpStatusCode.OK);
        return json.GetProperty("invoices").EnumerateArray()
            .SelectMany(i => i.GetProperty("lines").EnumerateArray())
            .Select(
                l => $"{l.GetProperty("label").GetString()} {l.GetProperty("quantity").GetString()} {l.GetProperty("amount").GetString()}")
            .ToArray();
    }

    [Fact]
    public async Task Health_Running_SaysOkAndNamesTheTariff()
    {
        var (status, json) = await service.Get("/health");
        status.ShouldBe(HttpStatusCode.OK);
        json.GetProperty("status").GetString().ShouldBe("ok");
        json.GetProperty("tariff").GetString()!.Length.ShouldBe(16);
    }

    [Fact]
    public async Task PostEvents_JsonLines_AnswersEachEventRatedFreeOrRejected()
    {
        var body = string.Join("\n", Sms("h1", "2024-01-10T10:00:00Z", "x"), Sms("h1", "2024-01-10T10:01:00Z", "test"),
            Sms("h1", "2024-01-10T10:02:00Z", "blocked"));
        var (status, json) = await service.Post("/events", body);
        status.ShouldBe(HttpStatusCode.OK);
        Events(json)
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("outcome").GetString(), e.GetProperty("reason").ToString()))
            .ShouldBe([(1, "rated", ""), (2, "free", "test number"), (3, "rejected", "blocked number")]);
    }

    [Fact]
    public async Task PostEvents_SameIdTwiceThenOtherContent_FirstAnswerRepeatedCountedOnceAndTheConflictIs409()
    {
        (await service.Post("/events", $"[{Sms("h2", "2024-01-10T10:00:00Z", "x", "e1")}]")).Status.ShouldBe(HttpStatusCode.OK);
        var (_, again) = await service.Post("/events", $"[{Sms("h2", "2024-01-10T10:00:00Z", "x", "e1")}]");
        var repeat = Events(again).ShouldHaveSingleItem();
        (repeat.GetProperty("status").GetInt32(), repeat.GetProperty("outcome").GetString(), repeat.GetProperty("repeated").GetBoolean())
            .ShouldBe((200, "rated", true));
        var (_, conflict) = await service.Post("/events", $"[{Sms("h2", "2024-01-10T10:00:00Z", "y", "e1")}]");
        var refused = Events(conflict).ShouldHaveSingleItem();
        (refused.GetProperty("status").GetInt32(), refused.GetProperty("outcome").GetString()).ShouldBe((409, "conflict"));
        (await Lines("h2", "2024-01")).ShouldBe(["SMS 1 0.10"]);
    }

    [Fact]
    public async Task ClosePeriod_ThenALateEventOfThatMonth_InvoiceFinalAndTheEventRejected()
    {
        await service.Post("/events", $"[{Sms("h3", "2023-05-10T10:00:00Z", "x", "may-1")},{Sms("h3", "2023-06-03T10:00:00Z", "x")}]");
        // A late May event before the close is rated in its place. (May 2023: the other tests' months stay open.)
        await service.Post("/events", $"[{Sms("h3", "2023-05-05T10:00:00Z", "x")}]");
        var (closeStatus, closed) = await service.Post("/periods/2023-05/close", "");
        closeStatus.ShouldBe(HttpStatusCode.OK);
        closed.GetProperty("accounts").GetInt32().ShouldBeGreaterThanOrEqualTo(1);

        var (_, may) = await service.Get("/accounts/h3/invoices?period=2023-05");
        may.GetProperty("final").GetBoolean().ShouldBeTrue();
        (await Lines("h3", "2023-05")).ShouldBe(["SMS 2 0.20"]);
        // A re-send of a May event after the close: its month is closed, and it is not counted again.
        var (_, resent) = await service.Post("/events", $"[{Sms("h3", "2023-05-10T10:00:00Z", "x", "may-1")}]");
        Events(resent).ShouldHaveSingleItem().GetProperty("outcome").GetString().ShouldBe("rejected");
        var (_, late) = await service.Post("/events", $"[{Sms("h3", "2023-05-20T10:00:00Z", "x")}]");
        var answer = Events(late).ShouldHaveSingleItem();
        answer.GetProperty("outcome").GetString().ShouldBe("rejected");
        answer.GetProperty("reason").GetString()!.ShouldContain("2023-05 is closed");
        (await Lines("h3", "2023-05")).ShouldBe(["SMS 2 0.20"]);
        var (_, june) = await service.Get("/accounts/h3/invoices?period=2023-06");
        june.GetProperty("final").GetBoolean().ShouldBeFalse();
        (await Lines("h3", "2023-06")).ShouldBe(["SMS 1 0.10"]);
    }

    [Fact]
    public async Task PostEvents_WithoutTheApiKey_Is401AndRatesNothing()
    {
        var (status, _) = await service.Post("/events", $"[{Sms("h4", "2024-01-10T10:00:00Z", "x")}]", withKey: false);
        status.ShouldBe(HttpStatusCode.Unauthorized);
        (await service.Post("/periods/2024-01/close", "", withKey: false)).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await Lines("h4", "2024-01")).ShouldBeEmpty();
    }

    [Fact]
    public async Task PostEvents_NotJson_Is400WithTheProblem()
    {
        var (status, json) = await service.Post("/events", "[{\"time\": ");
        status.ShouldBe(HttpStatusCode.BadRequest);
        json.GetProperty("error").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task PostEvents_ARowWithABadTime_ThatRowIs400NamingTheField()
    {
        var (status, json) = await service.Post("/events", $"[{Sms("h5", "yesterday", "x")},{Sms("h5", "2024-01-10T10:00:00Z", "x")}]");
        status.ShouldBe(HttpStatusCode.OK);
        var events = Events(json);
        (events[0].GetProperty("row").GetInt32(), events[0].GetProperty("status").GetInt32()).ShouldBe((1, 400));
        events[0].GetProperty("reason").GetString()!.ShouldContain("time");
        events[1].GetProperty("outcome").GetString().ShouldBe("rated");
    }

    [Fact]
    public async Task PostEvents_BodyOverTheLimit_Is413()
    {
        var many = string.Join(",", Enumerable.Range(0, 100).Select(i => Sms("h6", "2024-01-10T10:00:00Z", "x", "big" + i)));
        (await service.Post("/events", $"[{many}]")).Status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task GetInvoices_PeriodNotAMonth_Is400()
    {
        (await service.Get("/accounts/h1/invoices?period=2024-13")).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await service.Post("/periods/January/close", "")).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ClosePeriod_AnAccountWhoseUsageStartsLater_GetsNoInvoiceForTheMonthsBetween()
    {
        await service.Post("/events", $"[{Sms("h7", "2023-09-10T10:00:00Z", "x")}]");
        await service.Post("/events", $"[{Sms("h8", "2023-12-10T10:00:00Z", "x")}]");
        await service.Post("/periods/2023-09/close", "");
        var (_, all) = await service.Get("/accounts/h8/invoices");
        all.GetProperty("invoices").EnumerateArray().Select(i => i.GetProperty("period").GetProperty("from").GetString())
            .ShouldBe(["2023-12-01"]);
    }

    [Fact]
    public async Task PostEvents_AnUnknownEventThenItsCorrection_TheCorrectionWithTheSameIdIsRated()
    {
        var (_, wrong) = await service.Post("/events",
            """[{"time":"2024-01-10T10:00:00Z","account":"h9","event":"fax","to":"x","id":"f1"}]""");
        var refused = Events(wrong).ShouldHaveSingleItem();
        refused.GetProperty("outcome").GetString().ShouldBe("rejected");
        refused.GetProperty("reason").GetString()!.ShouldContain("fax");
        var (_, fixedUp) = await service.Post("/events", $"[{Sms("h9", "2024-01-10T10:00:00Z", "x", "f1")}]");
        Events(fixedUp).ShouldHaveSingleItem().GetProperty("outcome").GetString().ShouldBe("rated");
        (await Lines("h9", "2024-01")).ShouldBe(["SMS 1 0.10"]);
    }

    [Fact]
    public async Task ClosePeriod_AnAccountWithNothingAfterIt_HasOnlyItsFinalInvoice()
    {
        await service.Post("/events", $"[{Sms("h10", "2023-03-10T10:00:00Z", "x")}]");
        await service.Post("/periods/2023-03/close", "");
        var (_, all) = await service.Get("/accounts/h10/invoices");
        all.GetProperty("final").GetBoolean().ShouldBeTrue();
        all.GetProperty("invoices").EnumerateArray().Select(i => i.GetProperty("period").GetProperty("from").GetString())
            .ShouldBe(["2023-03-01"]);
    }
}
