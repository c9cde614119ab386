using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using TariffLang.Runtime;

namespace TariffLang.Emitter;

/// <summary>
/// Compiled tariffs on disk, one DLL per content hash. Rating must never fail because of the cache: every
/// problem (unwritable directory, a file another process is writing, a damaged file) means "compile again".
/// </summary>
internal static class AssemblyCache
{
    public const string EnvironmentVariable = "TARIFFLANG_CACHE";

    /// <summary><c>$TARIFFLANG_CACHE</c> when set, else <c>tarifflang-cache</c> in the temp directory.</summary>
    public static string DefaultDirectory() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "tarifflang-cache");

    public static string PathFor(string directory, string key) => Path.Combine(directory, key + ".dll");

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static readonly ConcurrentDictionary<string, bool> TrustedDirectories = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether assemblies in this directory may be loaded and run. The default directory sits in the shared temp
    /// directory: a DLL another user planted there under a predictable name would run in our process. So on Unix the
    /// cache is used only when nobody else can write to it (created owner-only; no group or other write bit; we can
    /// create files in it, which a directory someone else owns would not allow). Otherwise rating goes on uncached.
    /// </summary>
    public static bool IsTrusted(string directory)
    {
        string full;
        try
        {
            full = Path.GetFullPath(directory);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false;
        }
        return TrustedDirectories.GetOrAdd(full, CheckTrusted);
    }

    private static bool CheckTrusted(string directory)
    {
        try
        {
            CreateDirectory(directory);
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(directory) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0) return false;
            using (new FileStream(Path.Combine(directory, $".probe-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void CreateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, OwnerOnly);
    }

    /// <summary>How many compiled tariffs the cache keeps; the least recently used go first.</summary>
    public const int Capacity = 256;

    public static byte[]? TryRead(string directory, string key)
    {
        try
        {
            var path = PathFor(directory, key);
            var image = File.ReadAllBytes(path);
            // The write time doubles as "last used", which is what pruning keeps.
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            return image;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes through a temporary file and a rename, so a reader sees a whole file or none. When another writer
    /// got there first its file stays: same key, same content (the compilation is deterministic).
    /// </summary>
    public static bool Write(string directory, string key, byte[] image)
    {
        string? temp = null;
        try
        {
            CreateDirectory(directory);
            temp = Path.Combine(directory, $"{key}.{Guid.NewGuid():N}.tmp");
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(image);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, PathFor(directory, key), overwrite: false);
            temp = null;
            Prune(directory, Capacity);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            if (temp is not null) TryDelete(temp);
        }
    }

    /// <summary>Keeps the <paramref name="capacity"/> most recently used assemblies, so the cache does not grow forever.</summary>
    public static void Prune(string directory, int capacity)
    {
        try
        {
            var stale = new DirectoryInfo(directory).GetFiles("*.dll")
                .OrderByDescending(f => f.LastWriteTimeUtc)
                .Skip(capacity);
            foreach (var file in stale) TryDelete(file.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Pruning is housekeeping: a cache it could not prune still works.
        }
    }

    /// <summary>Removes a file that did not load, so that the fresh compilation can take its place.</summary>
    public static void Discard(string directory, string key) => TryDelete(PathFor(directory, key));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Someone else holds or removed it: nothing to do.
        }
    }
}

/// <summary>
/// A collectible context per loaded tariff, so that a process that compiles many tariffs can unload them.
/// The generated code binds to the TariffLang assembly this process runs, whatever context loaded it.
/// </summary>
internal sealed class GeneratedLoadContext(string key) : AssemblyLoadContext(TariffCompiler.GeneratedAssemblyName + " " + key, isCollectible: true)
{
    private static readonly Assembly Host = typeof(RatingContext).Assembly;

    protected override Assembly? Load(AssemblyName name)
    {
        if (string.Equals(name.Name, Host.GetName().Name, StringComparison.Ordinal)) return Host;
        var hostContext = GetLoadContext(Host);
        // In the default context, null lets the runtime resolve the framework and NodaTime as usual.
        return hostContext is null || hostContext == Default ? null : hostContext.LoadFromAssemblyName(name);
    }
}
