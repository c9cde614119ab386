using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using TariffLang.Service.Storage;

namespace TariffLang.Tests.Service;

/// <summary>The membership table's conditions, which Orleans relies on to agree on who is in the cluster.</summary>
public sealed class PostgresMembershipTableTests
{
    private static (PostgresMembershipTable Table, string Cluster) NewTable()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var cluster = "m" + Guid.NewGuid().ToString("N")[..12];
        var database = NpgsqlDataSource.Create(PostgresFactAttribute.ConnectionString!);
        return (new PostgresMembershipTable(database, serializer, cluster, "tariff"), cluster);
    }

    private static MembershipEntry Entry(int port, SiloStatus status) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 7),
        Status = status,
        HostName = "localhost",
        SiloName = "silo-" + port,
        StartTime = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        IAmAliveTime = new DateTime(2024, 1, 1, 0, 0, 5, DateTimeKind.Utc),
        SuspectTimes = [],
    };

    [PostgresFact]
    public async Task InsertAndUpdate_OnlyUnderTheVersionRead_AndTheVersionMovesOn()
    {
        var (table, _) = NewTable();
        await table.InitializeMembershipTable(tryInitTableVersion: true);
        var empty = await table.ReadAll();
        empty.Members.ShouldBeEmpty();

        var first = Entry(20001, SiloStatus.Joining);
        (await table.InsertRow(first, empty.Version.Next())).ShouldBeTrue();
        // The same version again is stale now: a second silo that read the empty table loses.
        (await table.InsertRow(Entry(20002, SiloStatus.Joining), empty.Version.Next())).ShouldBeFalse();

        var one = await table.ReadAll();
        one.Version.Version.ShouldBe(empty.Version.Version + 1);
        var (read, etag) = one.Members.ShouldHaveSingleItem();
        read.SiloAddress.ShouldBe(first.SiloAddress);
        read.Status.ShouldBe(SiloStatus.Joining);

        var active = Entry(20001, SiloStatus.Active);
        (await table.UpdateRow(active, etag + "9", one.Version.Next())).ShouldBeFalse();
        (await table.UpdateRow(active, etag, one.Version.Next())).ShouldBeTrue();
        (await table.UpdateRow(active, etag, one.Version.Next().Next())).ShouldBeFalse();
        (await table.ReadRow(first.SiloAddress)).Members.ShouldHaveSingleItem().Item1.Status.ShouldBe(SiloStatus.Active);
    }

    [PostgresFact]
    public async Task UpdateIAmAlive_ChangesOnlyTheTime_AndCleanupRemovesOnlyOldDeadSilos()
    {
        var (table, cluster) = NewTable();
        await table.InitializeMembershipTable(tryInitTableVersion: true);
        var version = (await table.ReadAll()).Version;
        (await table.InsertRow(Entry(20011, SiloStatus.Dead), version.Next())).ShouldBeTrue();
        version = (await table.ReadAll()).Version;
        (await table.InsertRow(Entry(20012, SiloStatus.Active), version.Next())).ShouldBeTrue();
        var before = await table.ReadAll();

        var alive = Entry(20012, SiloStatus.Active);
        alive.IAmAliveTime = new DateTime(2024, 1, 1, 1, 0, 0, DateTimeKind.Utc);
        await table.UpdateIAmAlive(alive);
        var after = await table.ReadAll();
        after.Version.ShouldBe(before.Version);
        after.Members.Single(m => m.Item1.SiloAddress.Endpoint.Port == 20012).Item1.IAmAliveTime.ShouldBe(alive.IAmAliveTime);

        await table.CleanupDefunctSiloEntries(new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero));
        (await table.ReadAll()).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).ShouldBe([20012]);
        await table.DeleteMembershipTableEntries(cluster);
        (await table.ReadAll()).Members.ShouldBeEmpty();
    }
}
