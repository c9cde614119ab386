using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TariffLang.Ledgers;

/// <summary>
/// Asks the kernel to read a ledger file ahead of the reader, so that a file not in the page cache comes off the disk
/// while the workers are still typing and rating the rows before it.
/// </summary>
/// <remarks>
/// <para>
/// The workers take turns reading the ledger one 1 MB chunk at a time, and a worker that reads a chunk of a file not
/// in the page cache waits for the disk while holding the turn. The kernel's own readahead keeps only a few hundred
/// kilobytes ahead, so a 10 M-row ledger read cold took 0.4–0.7 s longer on two threads than read warm
/// (docs/performance.md, "A ledger read from disk"). Asking for the next <see cref="Window"/> bytes as the reader
/// moves lets the disk work while the cores rate.
/// </para>
/// <para>
/// Hand-written interop: .NET has no way to ask for <c>POSIX_FADV_WILLNEED</c> (<see cref="FileOptions.SequentialScan"/>
/// only widens the kernel's readahead window), and reading ahead into a buffer of our own would copy every byte once
/// more on cores the rating needs. Linux only; elsewhere <see cref="For"/> gives null and files are read as before.
/// </para>
/// </remarks>
internal sealed class FileReadAhead
{
    /// <summary>How far ahead of the reader the kernel is asked to have read.</summary>
    internal const long Window = 32L << 20;

    /// <summary>How much is asked for at a time.</summary>
    internal const long Step = 8L << 20;

    private const int WillNeed = 3; // POSIX_FADV_WILLNEED on Linux

    private readonly FileStream _file;
    private readonly SafeFileHandle _handle;
    private readonly long _length;

    private FileReadAhead(FileStream file, long length)
    {
        _file = file;
        _handle = file.SafeFileHandle;
        _length = length;
    }

    /// <summary>How many requests the kernel refused (none, on a regular file); for the tests.</summary>
    internal int Refused { get; private set; }

    /// <summary>True once asking failed in a way that would fail again (no <c>posix_fadvise</c> to call): nothing more is asked.</summary>
    internal bool Off { get; private set; }

    /// <summary>How far the kernel has been asked to read.</summary>
    internal long Asked { get; private set; }

    /// <summary>
    /// A read-ahead for the file behind <paramref name="file"/>, or null when there is nothing to gain or no safe way to
    /// ask: not 64-bit Linux, not a regular file (a pipe cannot be read ahead), or a file of no more than one step.
    /// </summary>
    public static FileReadAhead? For(FileStream file)
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess || !file.CanSeek) return null;
        var length = file.Length;
        return length > Step ? new FileReadAhead(file, length) : null;
    }

    /// <summary>
    /// The reader has read up to the file's position (through whatever stream wraps it, a transcoding one included):
    /// ask for what lies within the window beyond it.
    /// </summary>
    public void Reached() => Reached(_file.Position);

    /// <summary>The reader has read up to <paramref name="position"/>: ask for what lies within the window beyond it.</summary>
    public void Reached(long position)
    {
        while (!Off && NextRequest(Asked, position, _length) is var (from, length) && length > 0)
        {
            Advise(from, length);
            Asked = from + length;
        }
    }

    /// <summary>
    /// The next range to ask for, given what was asked so far and where the reader is: <see cref="Step"/> bytes from
    /// <paramref name="asked"/> while that is within <see cref="Window"/> of the reader, cut at the end of the file;
    /// a length of 0 when nothing is to be asked now.
    /// </summary>
    internal static (long From, long Length) NextRequest(long asked, long position, long fileLength)
    {
        var from = Math.Max(asked, position);
        if (from >= fileLength || from >= position + Window) return (from, 0);
        return (from, Math.Min(Step, fileLength - from));
    }

    private void Advise(long offset, long length)
    {
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            if (PosixFadvise((int)_handle.DangerousGetHandle(), offset, length, WillNeed) != 0) Refused++;
        }
        catch (Exception)
        {
            // Only a hint to the kernel: whatever goes wrong here (no libc or no posix_fadvise to bind to, a handle already
            // closed, which the reader's order of disposal should rule out) must not fail the reading, so asking stops.
            Off = true;
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
    }

    // off_t is 64 bits on 64-bit Linux, the only platform this is called on; posix_fadvise returns the error number. A
    // DllImport, not a LibraryImport: its arguments are all blittable, and the library compiles no unsafe code.
    [DllImport("libc", EntryPoint = "posix_fadvise")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int PosixFadvise(int fd, long offset, long length, int advice);
}
