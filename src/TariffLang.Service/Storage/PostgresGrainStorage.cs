using Npgsql;
using Orleans.Serialization;
using Orleans.Storage;

namespace TariffLang.Service.Storage;

/// <summary>
/// Grain state in one PostgreSQL table, so that an account's rating survives its silo: a row per grain and state name
/// with the state in Orleans' binary serialization and a version number for optimistic concurrency (a write based on a
/// stale read fails with <see cref="InconsistentStateException"/>, as Orleans expects of a storage provider).
/// Written here rather than taken from Orleans' ADO.NET provider because that provider needs its schema scripts, which
/// its NuGet packages do not carry and this machine cannot download; this table is created by the provider itself.
/// </summary>
internal sealed class PostgresGrainStorage(NpgsqlDataSource database, Serializer serializer, string table) : IGrainStorage
{
    private readonly SemaphoreSlim _created = new(1, 1);
    private bool _ready;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guarded(() => Read(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guarded(() => Write(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guarded(() => Clear(stateName, grainId, grainState));

    /// <summary>
    /// A database error reaches the grain's caller as an <see cref="OrleansException"/> with its message: Npgsql's own
    /// exceptions have no Orleans codec and would fail to cross to the caller's silo.
    /// </summary>
    private static async Task Guarded(Func<Task> operation)
    {
        try
        {
            await operation();
        }
        catch (NpgsqlException e)
        {
            throw new OrleansException("grain storage (PostgreSQL): " + e.Message);
        }
    }

    private async Task Read<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await EnsureTable();
        await using var command = database.CreateCommand($"SELECT version, data FROM {table} WHERE grain_id = $1 AND state_name = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = grainId.ToString() });
        command.Parameters.Add(new NpgsqlParameter { Value = stateName });
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            grainState.RecordExists = false;
            grainState.ETag = null;
            return;
        }
        var version = reader.GetInt64(0);
        var data = (byte[])reader.GetValue(1);
        grainState.State = serializer.Deserialize<T>(data);
        grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    private async Task Write<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await EnsureTable();
        var data = serializer.SerializeToArray(grainState.State);
        var expected = grainState.ETag is { } etag ? long.Parse(etag, System.Globalization.CultureInfo.InvariantCulture) : 0L;
        // Version 0 means "no row yet": the insert only wins when nobody wrote the grain meanwhile.
        var sql = expected == 0
            ? $"INSERT INTO {table} (grain_id, state_name, version, data) VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING"
            : $"UPDATE {table} SET version = version + 1, data = $3 WHERE grain_id = $1 AND state_name = $2 AND version = $4";
        await using var command = database.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = grainId.ToString() });
        command.Parameters.Add(new NpgsqlParameter { Value = stateName });
        command.Parameters.Add(new NpgsqlParameter { Value = data });
        if (expected != 0) command.Parameters.Add(new NpgsqlParameter { Value = expected });
        if (await command.ExecuteNonQueryAsync() != 1)
        {
            throw new InconsistentStateException(
                $"grain {grainId} ({stateName}) was written by another activation", grainState.ETag, (string?)null);
        }
        grainState.ETag = (expected + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    private async Task Clear<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await EnsureTable();
        await using var command = database.CreateCommand($"DELETE FROM {table} WHERE grain_id = $1 AND state_name = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = grainId.ToString() });
        command.Parameters.Add(new NpgsqlParameter { Value = stateName });
        await command.ExecuteNonQueryAsync();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private async Task EnsureTable()
    {
        if (_ready) return;
        await _created.WaitAsync();
        try
        {
            if (_ready) return;
            await using var command = database.CreateCommand(
                $"CREATE TABLE IF NOT EXISTS {table} (grain_id text NOT NULL, state_name text NOT NULL, version bigint NOT NULL, "
                + "data bytea NOT NULL, PRIMARY KEY (grain_id, state_name))");
            try
            {
                await command.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
            {
                // Several silos starting at once: IF NOT EXISTS is not atomic in PostgreSQL, and another silo made the table.
            }
            _ready = true;
        }
        finally
        {
            _created.Release();
        }
    }

    /// <summary>A table name is spliced into SQL: only lower-case letters, digits and underscores are accepted.</summary>
    public static bool IsTableName(string name) =>
        name.Length is > 0 and <= 63 && char.IsAsciiLetterLower(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}
