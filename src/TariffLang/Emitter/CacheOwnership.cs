using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace TariffLang.Emitter;

/// <summary>What a path is, seen without following it when it is a symbolic link.</summary>
internal enum CachePathKind
{
    Directory,
    File,
    SymbolicLink,
    Other,
}

/// <summary>
/// What the cache must know about a path before it trusts it. <paramref name="Owner"/> names the owner for messages
/// ("uid 1000"); <paramref name="OthersMayWrite"/> says who else may change it ("mode 0777"), or is null.
/// </summary>
internal sealed record CachePathStatus(CachePathKind Kind, string Owner, bool OwnedByCurrentUser, string? OthersMayWrite);

/// <summary>
/// Who owns a path and who else may write it. .NET has no API for a file's owner, so this is a seam: the real answer
/// comes from the operating system (<see cref="CacheOwnership.Native"/>), and tests put another owner in its place.
/// </summary>
internal interface ICacheOwnership
{
    /// <summary>Who this process runs as, in the terms of <see cref="CachePathStatus.Owner"/>.</summary>
    string CurrentUser { get; }

    /// <summary>The path itself (a symbolic link is described, not followed); null when nothing is there.</summary>
    /// <exception cref="IOException">The status cannot be read.</exception>
    CachePathStatus? Status(string path);
}

internal static class CacheOwnership
{
    /// <summary>The operating system's answer; on a platform it cannot ask, every status is an <see cref="IOException"/>.</summary>
    public static ICacheOwnership Native { get; } = OperatingSystem.IsWindows() ? new WindowsOwnership() : new UnixOwnership();
}

/// <summary>
/// lstat through libc: on Linux <c>statx</c> (its buffer has one layout on every architecture, unlike <c>struct stat</c>),
/// on macOS <c>lstat</c> with Darwin's 64-bit-inode layout. The effective uid is the one the kernel checks writes against.
/// </summary>
internal sealed class UnixOwnership : ICacheOwnership
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1, StatxMode = 0x2, StatxUid = 0x8;
    private const int ENOENT = 2;
    private const int FileTypeMask = 0xF000, DirectoryType = 0x4000, RegularType = 0x8000, LinkType = 0xA000;
    private const int GroupOrOtherWrite = 0b000_010_010;

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUid();

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int LinuxStatx(
        int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc", EntryPoint = "lstat", SetLastError = true)]
    private static extern int DarwinLstat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] buffer);

    // On Intel Macs the plain symbol keeps the old 32-bit-inode layout for binary compatibility.
    [DllImport("libc", EntryPoint = "lstat$INODE64", SetLastError = true)]
    private static extern int DarwinLstatInode64([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] buffer);

    private readonly Lazy<uint> _euid = new(() =>
    {
        try
        {
            return GetEffectiveUid();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new IOException("cannot tell which user this process runs as: " + e.Message, e);
        }
    });

    public string CurrentUser => "uid " + _euid.Value;

    public CachePathStatus? Status(string path)
    {
        if (Lstat(path) is not { } status) return null;
        var (mode, uid) = status;
        var kind = (mode & FileTypeMask) switch
        {
            DirectoryType => CachePathKind.Directory,
            RegularType => CachePathKind.File,
            LinkType => CachePathKind.SymbolicLink,
            _ => CachePathKind.Other,
        };
        var othersMayWrite = (mode & GroupOrOtherWrite) != 0 ? $"mode {Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0')}" : null;
        return new CachePathStatus(kind, "uid " + uid, uid == _euid.Value, othersMayWrite);
    }

    /// <summary>Mode and owner uid; null when the path does not exist.</summary>
    private static (int Mode, uint Uid)? Lstat(string path)
    {
        var buffer = new byte[256];
        int result;
        try
        {
            if (OperatingSystem.IsLinux())
            {
                result = LinuxStatx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxMode | StatxUid, buffer);
            }
            else if (OperatingSystem.IsMacOS())
            {
                result = RuntimeInformation.ProcessArchitecture == Architecture.X64
                    ? DarwinLstatInode64(path, buffer)
                    : DarwinLstat(path, buffer);
            }
            else
            {
                throw new IOException($"cannot tell who owns {path} on this operating system");
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new IOException($"cannot tell who owns {path}: {e.Message}", e);
        }
        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == ENOENT) return null;
            throw new IOException($"cannot read the status of {path} (errno {errno})");
        }
        if (OperatingSystem.IsLinux())
        {
            // struct statx: stx_mask at 0, stx_uid at 20, stx_mode at 28. A file system may leave fields out.
            var filled = BitConverter.ToUInt32(buffer, 0);
            if ((filled & (StatxType | StatxMode | StatxUid)) != (StatxType | StatxMode | StatxUid))
                throw new IOException($"the file system does not report who owns {path}");
            return (BitConverter.ToUInt16(buffer, 28), BitConverter.ToUInt32(buffer, 20));
        }
        // Darwin struct stat: st_mode (16 bits) at 4, st_uid at 16.
        return (BitConverter.ToUInt16(buffer, 4), BitConverter.ToUInt32(buffer, 16));
    }
}

/// <summary>
/// The owner and the access rules of a path's security descriptor. Elevated administrators create files owned by the
/// Administrators group, so that owner counts as the current user when this process holds it.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsOwnership : ICacheOwnership
{
    private static readonly SecurityIdentifier LocalSystem = new(WellKnownSidType.LocalSystemSid, null);
    private static readonly SecurityIdentifier Administrators = new(WellKnownSidType.BuiltinAdministratorsSid, null);

    private const FileSystemRights WriteRights = FileSystemRights.WriteData | FileSystemRights.AppendData
        | FileSystemRights.WriteExtendedAttributes | FileSystemRights.WriteAttributes | FileSystemRights.Delete
        | FileSystemRights.DeleteSubdirectoriesAndFiles | FileSystemRights.ChangePermissions | FileSystemRights.TakeOwnership;

    private readonly Lazy<(SecurityIdentifier User, bool Elevated)> _identity = new(() =>
    {
        using var identity = WindowsIdentity.GetCurrent();
        return (identity.User!, new WindowsPrincipal(identity).IsInRole(WindowsBuiltInRole.Administrator));
    });

    public string CurrentUser => _identity.Value.User.Value;

    public CachePathStatus? Status(string path)
    {
        FileAttributes attributes;
        try
        {
            attributes = File.GetAttributes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        var kind = (attributes & FileAttributes.ReparsePoint) != 0 ? CachePathKind.SymbolicLink
            : (attributes & FileAttributes.Directory) != 0 ? CachePathKind.Directory : CachePathKind.File;
        FileSystemSecurity security = kind == CachePathKind.Directory
            ? new DirectoryInfo(path).GetAccessControl()
            : new FileInfo(path).GetAccessControl();
        var owner = security.GetOwner(typeof(SecurityIdentifier)) as SecurityIdentifier;
        var (user, elevated) = _identity.Value;
        var own = owner is not null && (owner == user || (elevated && owner == Administrators));
        string? othersMayWrite = null;
        foreach (FileSystemAccessRule rule in security.GetAccessRules(true, true, typeof(SecurityIdentifier)))
        {
            if (rule.AccessControlType != AccessControlType.Allow || (rule.FileSystemRights & WriteRights) == 0) continue;
            // An inherit-only rule grants nothing on this path, only on what is created under it.
            if ((rule.PropagationFlags & PropagationFlags.InheritOnly) != 0) continue;
            if (rule.IdentityReference is SecurityIdentifier sid && (sid == user || sid == LocalSystem || sid == Administrators)) continue;
            othersMayWrite = rule.IdentityReference.Value + " may write it";
            break;
        }
        return new CachePathStatus(kind, owner?.Value ?? "nobody", own, othersMayWrite);
    }
}
