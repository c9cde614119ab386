using System.Diagnostics;
using System.Runtime.InteropServices;
using TariffLang.Emitter;
using TariffLang.Tests.Cli;

namespace TariffLang.Tests.Compilation;

/// <summary>
/// Nobody but the user can plant or alter what the compiled-code cache loads. Most tests plant a well-formed entry
/// (recorded hash and all) under calendoc's key whose assembly bills 0.107 EUR per appointment instead of 0.106:
/// loaded, it changes the invoices. A test that still gets calendoc's own figures shows the entry never ran, and
/// <see cref="Compiler_PlantedEntryInATrustedDirectory_IsLoaded"/> shows that it would have.
/// </summary>
public sealed class CacheTrustTests
{
    private readonly string _root = CompilerTestSupport.NewCacheDir();

    private static string Calendoc => CacheTests.Calendoc;

    private static string Key => TariffCompiler.CacheKey(Calendoc);

    private static string Changed => Calendoc.Replace("0.106 EUR per appointment", "0.107 EUR per appointment");

    /// <summary>What Roslyn makes of the changed tariff: the same layout as calendoc's, another price.</summary>
    private static readonly Lazy<byte[]> ChangedImage = new(() =>
    {
        var dir = CompilerTestSupport.NewCacheDir();
        var (program, _, _) = CompilerTestSupport.CompileInternal(Changed, new CompilerOptions { CacheDirectory = dir });
        return File.ReadAllBytes(AssemblyCache.PathFor(dir, program.ShouldNotBeNull().CacheKey))[AssemblyCache.HeaderLength..];
    });

    private static readonly Lazy<string> Right = new(() => CacheTests.RateInterpreted(Calendoc));

    /// <summary>A new directory of this user's holding the changed assembly under calendoc's key, stored as the cache stores.</summary>
    private string Planted(string name = "cache")
    {
        var dir = Path.Combine(_root, name);
        // Not left to the umask: the control test needs a directory the cache trusts.
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
        else Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        AssemblyCache.Write(dir, Key, ChangedImage.Value).ShouldBeTrue();
        return dir;
    }

    private static CompiledProgram Compile(CompilerOptions options)
    {
        var (program, diagnostics, _) = CompilerTestSupport.CompileInternal(Calendoc, options);
        diagnostics.ShouldBeEmpty();
        return program.ShouldNotBeNull();
    }

    /// <summary>Compiled in memory, with this notice, and rated with calendoc's own prices.</summary>
    private static void ShouldCompileAfresh(CompilerOptions options, string notice)
    {
        var program = Compile(options);
        program.Origin.ShouldBe(CompiledOrigin.Compiled);
        program.CacheNotice.ShouldBe(notice);
        CacheTests.RateExamples(Calendoc, options).ShouldBe(Right.Value);
    }

    private static string DirectoryRefused(string dir, string reason) =>
        $"the compiled-code cache {dir} is not used: {reason}; the tariff is compiled in memory";

    private const string HashMismatch = "it does not match the hash recorded when it was written";

    private static string FileRefused(string path, string reason) =>
        $"the cached assembly {path} is not loaded: {reason}; it is removed and the tariff compiled again";

    [Fact]
    public void Compiler_PlantedEntryInATrustedDirectory_IsLoaded()
    {
        var options = new CompilerOptions { CacheDirectory = Planted() };
        Compile(options).Origin.ShouldBe(CompiledOrigin.Cache);
        CacheTests.RateExamples(Calendoc, options).ShouldNotBe(Right.Value);
    }

    [Fact]
    public void Compiler_CacheDirectoryOwnedByAnotherUser_IsRefusedAndCompiledInMemory()
    {
        var dir = Planted();
        var options = new CompilerOptions { CacheDirectory = dir, Ownership = new ForeignOwner(dir) };
        var reason = $"it is owned by uid 4242, not by {CacheOwnership.Native.CurrentUser} (this user)";
        ShouldCompileAfresh(options, DirectoryRefused(dir, reason));
        // Refused means untouched: nothing read, removed or added.
        Directory.GetFiles(dir).ShouldBe([AssemblyCache.PathFor(dir, Key)]);
    }

    [Fact]
    public void Compiler_CacheDirectoryReallyOwnedByAnotherUid_IsRefused()
    {
        // Only root may give a file away; elsewhere ForeignOwner stands in (xunit 2 cannot skip at run time).
        if (!OperatingSystem.IsLinux() || CacheOwnership.Native.CurrentUser != "uid 0") return;
        var dir = Planted();
        var path = AssemblyCache.PathFor(dir, Key);
        var options = new CompilerOptions { CacheDirectory = dir };
        const string reason = "it is owned by uid 4242, not by uid 0 (this user)";
        Chown(dir, 4242).ShouldBe(0);
        ShouldCompileAfresh(options, DirectoryRefused(dir, reason));

        Chown(dir, 0).ShouldBe(0);
        Chown(path, 4242).ShouldBe(0);
        ShouldCompileAfresh(options, FileRefused(path, reason));
    }

    [Theory]
    [InlineData("0720")]
    [InlineData("0702")]
    [InlineData("0777")]
    public void Compiler_CacheDirectoryOthersMayWrite_IsRefused(string mode)
    {
        if (OperatingSystem.IsWindows()) return; // no mode bits: WindowsOwnership reads the access rules instead
        var dir = Planted();
        File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32(mode, 8));
        ShouldCompileAfresh(new CompilerOptions { CacheDirectory = dir }, DirectoryRefused(dir, $"others may write it (mode {mode})"));
        Directory.GetFiles(dir).ShouldBe([AssemblyCache.PathFor(dir, Key)]);
    }

    [Fact]
    public void Compiler_CacheDirectoryThatIsASymbolicLink_IsRefused()
    {
        if (OperatingSystem.IsWindows()) return; // creating links needs a privilege there
        var target = Planted("target");
        var link = Path.Combine(_root, "link");
        Directory.CreateSymbolicLink(link, target);
        ShouldCompileAfresh(new CompilerOptions { CacheDirectory = link }, DirectoryRefused(link, "it is a symbolic link"));
        // With a trailing separator the kernel would resolve the link before looking at it.
        var slashed = link + Path.DirectorySeparatorChar;
        ShouldCompileAfresh(new CompilerOptions { CacheDirectory = slashed }, DirectoryRefused(slashed, "it is a symbolic link"));
    }

    [Fact]
    public void Compiler_CacheFileThatIsASymbolicLink_IsNotLoadedAndReplaced()
    {
        if (OperatingSystem.IsWindows()) return;
        var elsewhere = Planted("elsewhere");
        var dir = Path.Combine(_root, "cache");
        Directory.CreateDirectory(dir);
        var path = AssemblyCache.PathFor(dir, Key);
        File.CreateSymbolicLink(path, AssemblyCache.PathFor(elsewhere, Key));
        var options = new CompilerOptions { CacheDirectory = dir };

        ShouldCompileAfresh(options, FileRefused(path, "it is a symbolic link"));

        new FileInfo(path).LinkTarget.ShouldBeNull();
        File.Exists(AssemblyCache.PathFor(elsewhere, Key)).ShouldBeTrue(); // removing a link leaves what it points to
        Compile(options).Origin.ShouldBe(CompiledOrigin.Cache);
        CacheTests.RateExamples(Calendoc, options).ShouldBe(Right.Value);
    }

    [Fact]
    public void Compiler_CacheFileOwnedByAnotherUser_IsNotLoadedAndReplaced()
    {
        var dir = Planted();
        var path = AssemblyCache.PathFor(dir, Key);
        var reason = $"it is owned by uid 4242, not by {CacheOwnership.Native.CurrentUser} (this user)";
        ShouldCompileAfresh(new CompilerOptions { CacheDirectory = dir, Ownership = new ForeignOwner(path) }, FileRefused(path, reason));

        // What took its place is this user's own, sound entry.
        var options = new CompilerOptions { CacheDirectory = dir };
        Compile(options).Origin.ShouldBe(CompiledOrigin.Cache);
        CacheTests.RateExamples(Calendoc, options).ShouldBe(Right.Value);
    }

    [Theory]
    [InlineData("0620")]
    [InlineData("0602")]
    [InlineData("0666")]
    public void Compiler_CacheFileOthersMayWrite_IsNotLoadedAndReplaced(string mode)
    {
        if (OperatingSystem.IsWindows()) return;
        var dir = Planted();
        var path = AssemblyCache.PathFor(dir, Key);
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));
        ShouldCompileAfresh(new CompilerOptions { CacheDirectory = dir }, FileRefused(path, $"others may write it (mode {mode})"));
        File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void Compiler_CacheFileWithAChangedConstantUnderTheOldHash_IsNotLoaded()
    {
        // The case of the issue: calendoc's own entry, one price changed in its image, the hash left as it was written.
        var dir = Path.Combine(_root, "cache");
        var options = new CompilerOptions { CacheDirectory = dir };
        var path = AssemblyCache.PathFor(dir, Compile(options).CacheKey);
        var sound = File.ReadAllBytes(path);
        File.WriteAllBytes(path, [.. sound[..AssemblyCache.HeaderLength], .. ChangedImage.Value]);

        ShouldCompileAfresh(options, FileRefused(path, HashMismatch));
        File.ReadAllBytes(path).ShouldBe(sound);
    }

    [Theory]
    [InlineData("magic")]
    [InlineData("hash")]
    [InlineData("image")]
    [InlineData("last byte")]
    public void Compiler_CacheFileWithOneByteFlipped_IsNotLoadedAndRewritten(string where)
    {
        var dir = Path.Combine(_root, "cache");
        var options = new CompilerOptions { CacheDirectory = dir };
        var path = AssemblyCache.PathFor(dir, Compile(options).CacheKey);
        var sound = File.ReadAllBytes(path);
        var flipped = sound.ToArray();
        var at = where switch
        {
            "magic" => 0,
            "hash" => AssemblyCache.HeaderLength - 1,
            "image" => AssemblyCache.HeaderLength + (sound.Length - AssemblyCache.HeaderLength) / 2,
            _ => sound.Length - 1,
        };
        flipped[at] ^= 0x01;
        File.WriteAllBytes(path, flipped);

        ShouldCompileAfresh(options, FileRefused(path, HashMismatch));
        File.ReadAllBytes(path).ShouldBe(sound);
    }

    [Fact]
    public void Compiler_BareAssemblyWithoutARecordedHash_IsNotLoaded()
    {
        var dir = Path.Combine(_root, "cache");
        Directory.CreateDirectory(dir);
        var path = AssemblyCache.PathFor(dir, Key);
        File.WriteAllBytes(path, ChangedImage.Value);
        ShouldCompileAfresh(new CompilerOptions { CacheDirectory = dir }, FileRefused(path, HashMismatch));
    }

    [Fact]
    public void AssemblyCache_NewDirectoryAndFiles_ArePrivateToTheirOwner()
    {
        if (OperatingSystem.IsWindows()) return;
        var fresh = Path.Combine(_root, "fresh", "cache");
        var program = Compile(new CompilerOptions { CacheDirectory = fresh });
        program.CacheNotice.ShouldBeNull();
        File.GetUnixFileMode(fresh).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.GetUnixFileMode(AssemblyCache.PathFor(fresh, program.CacheKey)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.GetFiles(fresh).Length.ShouldBe(1);
    }

    [Fact]
    public void AssemblyCache_DefaultDirectory_IsTheUsersCacheDirectoryNotTheSharedTempFolder()
    {
        var home = ("HOME", "/home/ann");
        AssemblyCache.DefaultDirectory(Env(("TARIFFLANG_CACHE", "/srv/cache"), ("XDG_CACHE_HOME", "/x"), home)).ShouldBe("/srv/cache");
        if (!OperatingSystem.IsWindows())
        {
            AssemblyCache.DefaultDirectory(Env(("XDG_CACHE_HOME", "/x"), home)).ShouldBe("/x/tarifflang");
            AssemblyCache.DefaultDirectory(Env(("XDG_CACHE_HOME", "relative"), home)).ShouldBe("/home/ann/.cache/tarifflang");
            AssemblyCache.DefaultDirectory(Env(("TARIFFLANG_CACHE", ""), home)).ShouldBe("/home/ann/.cache/tarifflang");
        }

        // This process's default, $TARIFFLANG_CACHE aside.
        var own = AssemblyCache.DefaultDirectory(name =>
            name == AssemblyCache.EnvironmentVariable ? null : Environment.GetEnvironmentVariable(name));
        own.ShouldNotBeNull().ShouldNotBe(Path.Combine(Path.GetTempPath(), "tarifflang-cache"));
        if (OperatingSystem.IsWindows())
        {
            own.ShouldBe(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "TariffLang", "cache"));
        }
        else
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            own.ShouldBe(xdg is { Length: > 0 } && Path.IsPathRooted(xdg)
                ? Path.Combine(xdg, "tarifflang")
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "tarifflang"));
        }
    }

    [Fact]
    public void CacheOwnership_Native_TellsOwnerModeAndLinksWithoutFollowingThem()
    {
        if (OperatingSystem.IsWindows()) return;
        var native = CacheOwnership.Native;
        native.CurrentUser.ShouldBe("uid " + Run("id", "-u").Trim());
        var file = Path.Combine(_root, "file");
        File.WriteAllText(file, "x");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        native.Status(file).ShouldBe(new CachePathStatus(CachePathKind.File, native.CurrentUser, true, null));
        File.SetUnixFileMode(file, (UnixFileMode)Convert.ToInt32("0664", 8));
        native.Status(file).ShouldNotBeNull().OthersMayWrite.ShouldBe("mode 0664");

        var dir = Path.Combine(_root, "dir");
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        native.Status(dir).ShouldBe(new CachePathStatus(CachePathKind.Directory, native.CurrentUser, true, null));
        var link = Path.Combine(_root, "link");
        Directory.CreateSymbolicLink(link, dir);
        native.Status(link).ShouldNotBeNull().Kind.ShouldBe(CachePathKind.SymbolicLink);
        native.Status(Path.Combine(_root, "missing")).ShouldBeNull();
    }

    [Fact]
    public async Task Cli_RefusedCache_WarnsOnStderrAndRatesAsTheInterpreterDoes()
    {
        if (OperatingSystem.IsWindows()) return;
        var shared = Planted("shared");
        File.SetUnixFileMode(shared, (UnixFileMode)Convert.ToInt32("0777", 8));
        var tariff = Path.Combine(CompilerTestSupport.TariffsDir, "calendoc.tariff");
        var ledger = Path.Combine(CompilerTestSupport.RepoRoot, "examples", "calendoc", "ledger.csv");

        // A child process: $TARIFFLANG_CACHE is process-wide, and the tests run in parallel.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] args = [Path.Combine(AppContext.BaseDirectory, "tariff.dll"), "rate", tariff, ledger, "--format", "json"];
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        psi.Environment[AssemblyCache.EnvironmentVariable] = shared;
        using var process = Process.Start(psi).ShouldNotBeNull();
        var stdoutRead = process.StandardOutput.ReadToEndAsync();
        var stderrRead = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var (stdout, stderr) = (await stdoutRead, await stderrRead);

        process.ExitCode.ShouldBe(0, stderr);
        stderr.ShouldBe($"tariff: warning: {DirectoryRefused(shared, "others may write it (mode 0777)")}{Environment.NewLine}");
        stdout.ShouldBe(CliHarness.Run("rate", tariff, ledger, "--format", "json", "--engine", "interpreted").Out);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static string Run(string command, params string[] args)
    {
        var psi = new ProcessStartInfo(command) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi).ShouldNotBeNull();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    private static int Chown(string path, uint owner) => Chown(path, owner, owner);
}

/// <summary>The operating system's answer, except that the given paths belong to uid 4242.</summary>
internal sealed class ForeignOwner(params string[] paths) : ICacheOwnership
{
    private readonly HashSet<string> _foreign = paths.Select(Normal).ToHashSet(StringComparer.Ordinal);

    public string CurrentUser => CacheOwnership.Native.CurrentUser;

    public CachePathStatus? Status(string path)
    {
        var real = CacheOwnership.Native.Status(path);
        return real is not null && _foreign.Contains(Normal(path)) ? real with { Owner = "uid 4242", OwnedByCurrentUser = false } : real;
    }

    private static string Normal(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
}
