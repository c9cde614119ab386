using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using TariffLang.Service.Grains;
using TariffLang.Service.Storage;

namespace TariffLang.Tests.Service;

/// <summary>The grain storage's optimistic versions: a write based on a stale read is refused, as Orleans expects.</summary>
public sealed class PostgresGrainStorageTests
{
    private static PostgresGrainStorage NewStorage()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var table = "g_" + Guid.NewGuid().ToString("N")[..16];
        return new PostgresGrainStorage(NpgsqlDataSource.Create(PostgresFactAttribute.ConnectionString!), serializer, table);
    }

    [PostgresFact]
    public async Task Write_FromAStaleRead_IsRefusedAndTheNewerStateKept()
    {
        var storage = NewStorage();
        var grain = GrainId.Create("account", "acme");
        var first = new GrainState<AccountGrainState>(new AccountGrainState { LastSeq = 1 });
        await storage.WriteStateAsync("account", grain, first);
        first.RecordExists.ShouldBeTrue();

        // Two activations read the same version; the first to write wins, the second is refused.
        var a = new GrainState<AccountGrainState>(new AccountGrainState());
        var b = new GrainState<AccountGrainState>(new AccountGrainState());
        await storage.ReadStateAsync("account", grain, a);
        await storage.ReadStateAsync("account", grain, b);
        a.State!.LastSeq.ShouldBe(1);
        a.State.LastSeq = 2;
        await storage.WriteStateAsync("account", grain, a);
        b.State!.LastSeq = 3;
        await Should.ThrowAsync<InconsistentStateException>(() => storage.WriteStateAsync("account", grain, b));
        // A second first write (no version read) is refused too.
        await Should.ThrowAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync("account", grain, new GrainState<AccountGrainState>(new AccountGrainState { LastSeq = 9 })));

        var now = new GrainState<AccountGrainState>(new AccountGrainState());
        await storage.ReadStateAsync("account", grain, now);
        now.State!.LastSeq.ShouldBe(2);
        await storage.ClearStateAsync("account", grain, now);
        var gone = new GrainState<AccountGrainState>(new AccountGrainState());
        await storage.ReadStateAsync("account", grain, gone);
        gone.RecordExists.ShouldBeFalse();
    }
}
