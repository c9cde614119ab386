using Npgsql;
using Orleans.Serialization;

namespace TariffLang.Service.Storage;

/// <summary>
/// Orleans cluster membership in PostgreSQL, so that silos started on several machines against one database find each
/// other and form one cluster. Orleans asks of a membership table that every change be conditional: a row is inserted
/// or updated only if the table's version is still the one the silo read (and, for an update, the row's own version
/// too), and the table's version moves on with it. Each change runs in a transaction that locks the cluster's version
/// row first. Entries are kept in Orleans' binary serialization; a silo's "I am alive" time in its own column, so that
/// the frequent heartbeat does not rewrite the entry or its version. Written here for the reason given on
/// <see cref="PostgresGrainStorage"/>.
/// </summary>
internal sealed class PostgresMembershipTable(NpgsqlDataSource database, Serializer serializer, string clusterId, string prefix)
    : IMembershipTable
{
    private string Versions => prefix + "_membership_version";

    private string Members => prefix + "_membership";

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        foreach (var sql in (string[])[
            $"CREATE TABLE IF NOT EXISTS {Versions} (cluster_id text PRIMARY KEY, version integer NOT NULL, etag bigint NOT NULL)",
            $"CREATE TABLE IF NOT EXISTS {Members} (cluster_id text NOT NULL, address text NOT NULL, entry bytea NOT NULL, "
            + "etag bigint NOT NULL, status integer NOT NULL, alive timestamptz NOT NULL, PRIMARY KEY (cluster_id, address))"])
        {
            await using var create = database.CreateCommand(sql);
            try
            {
                await create.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
            {
                // Another silo created it at the same moment.
            }
        }
        if (!tryInitTableVersion) return;
        await using var init = database.CreateCommand($"INSERT INTO {Versions} VALUES ($1, 0, 0) ON CONFLICT DO NOTHING");
        init.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        await init.ExecuteNonQueryAsync();
    }

    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        foreach (var table in (string[])[Members, Versions])
        {
            await using var delete = database.CreateCommand($"DELETE FROM {table} WHERE cluster_id = $1");
            delete.Parameters.Add(new NpgsqlParameter { Value = clusterId });
            await delete.ExecuteNonQueryAsync();
        }
    }

    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        await using var delete = database.CreateCommand($"DELETE FROM {Members} WHERE cluster_id = $1 AND status = $2 AND alive < $3");
        delete.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        delete.Parameters.Add(new NpgsqlParameter { Value = (int)SiloStatus.Dead });
        delete.Parameters.Add(new NpgsqlParameter { Value = beforeDate.UtcDateTime });
        await delete.ExecuteNonQueryAsync();
    }

    public Task<MembershipTableData> ReadRow(SiloAddress key) => Read(key.ToParsableString());

    public Task<MembershipTableData> ReadAll() => Read(null);

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) => Change(tableVersion, async (connection, transaction) =>
    {
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO {Members} VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT DO NOTHING", connection, transaction);
        AddEntry(insert, entry);
        return await insert.ExecuteNonQueryAsync() == 1;
    });

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) =>
        Change(tableVersion, async (connection, transaction) =>
        {
            await using var update = new NpgsqlCommand(
                $"UPDATE {Members} SET entry = $3, etag = etag + 1, status = $4, alive = $5 "
                + "WHERE cluster_id = $1 AND address = $2 AND etag = $6",
                connection, transaction);
            AddEntry(update, entry);
            update.Parameters.Add(new NpgsqlParameter { Value = long.Parse(etag, System.Globalization.CultureInfo.InvariantCulture) });
            return await update.ExecuteNonQueryAsync() == 1;
        });

    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        await using var update = database.CreateCommand($"UPDATE {Members} SET alive = $3 WHERE cluster_id = $1 AND address = $2");
        update.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        update.Parameters.Add(new NpgsqlParameter { Value = entry.SiloAddress.ToParsableString() });
        update.Parameters.Add(new NpgsqlParameter { Value = entry.IAmAliveTime.ToUniversalTime() });
        await update.ExecuteNonQueryAsync();
    }

    private void AddEntry(NpgsqlCommand command, MembershipEntry entry)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.SiloAddress.ToParsableString() });
        command.Parameters.Add(new NpgsqlParameter { Value = serializer.SerializeToArray(entry) });
        command.Parameters.Add(new NpgsqlParameter { Value = (int)entry.Status });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.IAmAliveTime.ToUniversalTime() });
    }

    /// <summary>A change made only if the cluster's table version is still the one read; the version moves on with it.</summary>
    private async Task<bool> Change(TableVersion next, Func<NpgsqlConnection, NpgsqlTransaction, Task<bool>> change)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var version = new NpgsqlCommand($"SELECT etag FROM {Versions} WHERE cluster_id = $1 FOR UPDATE", connection,
            transaction))
        {
            version.Parameters.Add(new NpgsqlParameter { Value = clusterId });
            var current = await version.ExecuteScalarAsync();
            if (current is not long etag || etag.ToString(System.Globalization.CultureInfo.InvariantCulture) != next.VersionEtag)
                return false;
        }
        if (!await change(connection, transaction)) return false;
        var moveOn = $"UPDATE {Versions} SET version = $2, etag = etag + 1 WHERE cluster_id = $1";
        await using (var bump = new NpgsqlCommand(moveOn, connection, transaction))
        {
            bump.Parameters.Add(new NpgsqlParameter { Value = clusterId });
            bump.Parameters.Add(new NpgsqlParameter { Value = next.Version });
            await bump.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
        return true;
    }

    private async Task<MembershipTableData> Read(string? address)
    {
        await using var connection = await database.OpenConnectionAsync();
        // One snapshot for the version and the rows, so they agree.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        var version = new TableVersion(0, "0");
        await using (var read = new NpgsqlCommand($"SELECT version, etag FROM {Versions} WHERE cluster_id = $1", connection, transaction))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = clusterId });
            await using var reader = await read.ExecuteReaderAsync();
            if (await reader.ReadAsync())
                version = new TableVersion(reader.GetInt32(0),
                    reader.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var entries = new List<Tuple<MembershipEntry, string>>();
        await using (var rows = new NpgsqlCommand(
            $"SELECT entry, etag, alive FROM {Members} WHERE cluster_id = $1" + (address is null ? "" : " AND address = $2"),
            connection, transaction))
        {
            rows.Parameters.Add(new NpgsqlParameter { Value = clusterId });
            if (address is not null) rows.Parameters.Add(new NpgsqlParameter { Value = address });
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var entry = serializer.Deserialize<MembershipEntry>((byte[])reader.GetValue(0))
                            ?? throw new InvalidDataException("an empty membership entry");
                entry.IAmAliveTime = reader.GetFieldValue<DateTime>(2);
                entries.Add(Tuple.Create(entry, reader.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
        await transaction.CommitAsync();
        return new MembershipTableData(entries, version);
    }
}
