using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text;
using TariffLang.Runtime;

namespace TariffLang.Emitter;

/// <summary>
/// Compiled tariffs on disk, one file per content hash. Rating must never fail because of the cache: every problem
/// means "compile in memory", and one that says something is wrong with the cache comes back as a notice.
/// </summary>
/// <remarks>
/// A cached assembly runs inside the rating process: whoever can put or change a file in the cache directory can run
/// code as the user and change invoices. So the cache is used only where the operating system keeps everyone else out:
/// the directory and every file loaded from it must be owned by the current user, writable by nobody else, and not
/// symbolic links (a link hands the decision to wherever it points, which someone else may own).
/// Each file also holds the SHA-256 of its key and image, recorded when it was written. A hash kept in the same
/// directory only detects changes by someone who cannot write the directory, since anyone who can may rewrite the
/// hash too; the owner checks are what guarantee that this is everyone but the user and root (who can run code as the
/// user anyway). Within that, the hash catches a file damaged on disk, cut short, copied under another key, or changed
/// by hand or by some tool; such a file is deleted, never loaded.
/// The directory's parents are not checked: a parent others may write lets them swap the whole directory. The default
/// lies under the home directory; a <c>$TARIFFLANG_CACHE</c> elsewhere must sit somewhere others cannot rename things.
/// </remarks>
internal static class AssemblyCache
{
    public const string EnvironmentVariable = "TARIFFLANG_CACHE";

    /// <summary>A cache file is not a bare DLL: a header (magic, hash) comes before the image.</summary>
    public const string Extension = ".tlasm";

    private static ReadOnlySpan<byte> Magic => "TLASM01\n"u8;

    /// <summary>The magic and the SHA-256 that precede the image in a cache file.</summary>
    public const int HeaderLength = 8 + SHA256.HashSizeInBytes;

    /// <summary>
    /// <c>$TARIFFLANG_CACHE</c> when set, else the user's cache directory; null when there is no per-user place. Never
    /// the shared temp directory, where another user could create the directory first.
    /// </summary>
    public static string? DefaultDirectory() => DefaultDirectory(Environment.GetEnvironmentVariable);

    internal static string? DefaultDirectory(Func<string, string?> environment)
    {
        if (environment(EnvironmentVariable) is { Length: > 0 } chosen) return chosen;
        if (OperatingSystem.IsWindows())
        {
            var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return local.Length > 0 ? Path.Combine(local, "TariffLang", "cache") : null;
        }
        // The XDG base directory specification says a relative $XDG_CACHE_HOME is invalid and must be ignored.
        if (environment("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "tarifflang");
        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length > 0 ? Path.Combine(home, ".cache", "tarifflang") : null;
    }

    public const string NoDirectoryNotice = "the compiled-code cache is not used: this user has no home or cache directory "
        + "(set TARIFFLANG_CACHE); the tariff is compiled in memory";

    public static string PathFor(string directory, string key) => Path.Combine(directory, key + Extension);

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Null when assemblies in this directory may be loaded; otherwise the notice saying why not. A missing directory
    /// is created, owner-only. Checked on every compilation: a directory can change hands between two tariffs.
    /// </summary>
    public static string? Refusal(string directory, ICacheOwnership ownership)
    {
        string? reason;
        try
        {
            // lstat of "link/" would follow the link: the trailing separator goes.
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
            if (ownership.Status(full) is null) CreateDirectory(full);
            var status = ownership.Status(full);
            reason = status is null ? "it could not be created" : Distrust(status, ownership, CachePathKind.Directory);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever went wrong (a bad path, no access, an owner that cannot be read), the answer is "not used".
            reason = e.Message;
        }
        return reason is null ? null : $"the compiled-code cache {directory} is not used: {reason}; the tariff is compiled in memory";
    }

    /// <summary>Why a path may not be trusted, or null.</summary>
    private static string? Distrust(CachePathStatus status, ICacheOwnership ownership, CachePathKind expected) => status switch
    {
        { Kind: CachePathKind.SymbolicLink } => "it is a symbolic link",
        { Kind: var kind } when kind != expected =>
            expected == CachePathKind.Directory ? "it is not a directory" : "it is not a regular file",
        { OwnedByCurrentUser: false } => $"it is owned by {status.Owner}, not by {ownership.CurrentUser} (this user)",
        { OthersMayWrite: { } who } => $"others may write it ({who})",
        _ => null,
    };

    private static void CreateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, OwnerOnly);
    }

    /// <summary>How many compiled tariffs the cache keeps; the least recently used go first.</summary>
    public const int Capacity = 256;

    /// <summary>
    /// The verified image stored under <paramref name="key"/>, or null. A file that is there but fails a check is
    /// deleted (a fresh compilation takes its place) and <paramref name="notice"/> says why it was not loaded.
    /// Call only for a directory <see cref="Refusal"/> accepted: that nobody else may write it is what makes the
    /// checks below, made before reading, still hold when the file is read.
    /// </summary>
    public static byte[]? TryRead(string directory, string key, ICacheOwnership ownership, out string? notice)
    {
        notice = null;
        var path = PathFor(directory, key);
        string? reason;
        try
        {
            if (ownership.Status(path) is not { } status) return null;
            reason = Distrust(status, ownership, CachePathKind.File);
            if (reason is null)
            {
                if (Verified(File.ReadAllBytes(path), key) is { } image)
                {
                    Touch(path);
                    return image;
                }
                reason = "it does not match the hash recorded when it was written";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Most often another process pruned or replaced the file between the two steps: an ordinary miss.
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            notice = $"the cached assembly {path} is not loaded: {e.Message}; the tariff is compiled again";
            return null;
        }
        TryDelete(path);
        notice = $"the cached assembly {path} is not loaded: {reason}; it is removed and the tariff compiled again";
        return null;
    }

    /// <summary>The write time doubles as "last used", which is what pruning keeps.</summary>
    private static void Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache on a read-only disk is still worth loading from; it only cannot tell what was used last.
        }
    }

    /// <summary>The image of a cache file whose header holds the hash of this key and image; null otherwise.</summary>
    private static byte[]? Verified(byte[] file, string key)
    {
        if (file.Length < HeaderLength || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return null;
        var image = file[HeaderLength..];
        return CryptographicOperations.FixedTimeEquals(file.AsSpan(Magic.Length, SHA256.HashSizeInBytes), Hash(key, image)) ? image : null;
    }

    /// <summary>The key is hashed with the image, so a sound file copied under another key does not pass.</summary>
    private static byte[] Hash(string key, byte[] image)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(key + "\n"));
        hash.AppendData(image);
        return hash.GetHashAndReset();
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
            temp = Path.Combine(directory, $"{key}.{Guid.NewGuid():N}.tmp");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            // Not left to the umask: a group-writable file would be refused by the next read.
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Magic);
                stream.Write(Hash(key, image));
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
            var stale = new DirectoryInfo(directory).GetFiles("*" + Extension)
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
internal sealed class GeneratedLoadContext(string key)
    : AssemblyLoadContext(TariffCompiler.GeneratedAssemblyName + " " + key, isCollectible: true)
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
