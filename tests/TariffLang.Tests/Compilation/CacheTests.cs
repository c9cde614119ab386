using System.Collections.Immutable;
using TariffLang.Emitter;
using TariffLang.Examples;
using TariffLang.Interpreter;
using TariffLang.Ledgers;
using TariffLang.Runtime;
using TariffLang.Text;

namespace TariffLang.Tests.Compilation;

/// <summary>
/// The disk cache: reused when nothing changed, never when anything did, safe with damaged files and concurrent writers.
/// Who may plant or change its files is <see cref="CacheTrustTests"/>.
/// </summary>
public sealed class CacheTests : IDisposable
{
    private readonly string _dir = CompilerTestSupport.NewCacheDir();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
    }

    internal static string Calendoc => File.ReadAllText(Path.Combine(CompilerTestSupport.TariffsDir, "calendoc.tariff"));

    private CompilerOptions Options => new() { CacheDirectory = _dir };

    private CompiledProgram Create(string text, CompilerOptions? options = null)
    {
        var (program, diagnostics, _) = CompilerTestSupport.CompileInternal(text, options ?? Options);
        diagnostics.ShouldBeEmpty();
        return program.ShouldNotBeNull();
    }

    private string[] Entries() => Directory.GetFiles(_dir, "*" + AssemblyCache.Extension);

    /// <summary>Rates the tariff's examples with a program built for a freshly checked model (as a second process would).</summary>
    internal static string RateExamples(string text, CompilerOptions options)
    {
        var model = Tariff.Compile(text, "t.tariff").Model!;
        var plan = RatingPlan.Build(model);
        var (compiled, diagnostics) = TariffCompiler.Create(plan, new SourceText(text, "t.tariff"), options);
        diagnostics.ShouldBeEmpty();
        compiled.ShouldNotBeNull().Program.ShouldNotBeOfType<InterpretedProgram>();
        return string.Join("\n",
            model.Examples.Select(e => ExampleRunner.Run(plan, compiled.Program, e, new SourceText(text, "t.tariff")).Rating.ToJson()));
    }

    internal static string RateInterpreted(string text)
    {
        var model = Tariff.Compile(text, "t.tariff").Model!;
        var plan = RatingPlan.Build(model);
        return string.Join("\n",
            model.Examples.Select(e =>
                ExampleRunner.Run(plan, new InterpretedProgram(plan), e, new SourceText(text, "t.tariff")).Rating.ToJson()));
    }

    [Fact]
    public void AssemblyCache_Pruned_KeepsTheMostRecentlyUsedAssemblies()
    {
        var now = DateTime.UtcNow;
        for (var i = 0; i < 5; i++)
        {
            AssemblyCache.Write(_dir, "k" + i, [1, 2, 3]).ShouldBeTrue();
            File.SetLastWriteTimeUtc(AssemblyCache.PathFor(_dir, "k" + i), now.AddMinutes(i - 10));
        }
        AssemblyCache.TryRead(_dir, "k0", CacheOwnership.Native, out _).ShouldBe([1, 2, 3]); // k0 becomes the most recently used

        AssemblyCache.Prune(_dir, 3);

        Entries().Select(Path.GetFileNameWithoutExtension).OrderBy(n => n).ShouldBe(["k0", "k3", "k4"]);
    }

    [Fact]
    public void Compiler_SecondRun_LoadsTheCachedAssemblyWithoutCompiling()
    {
        var first = Create(Calendoc);
        first.Origin.ShouldBe(CompiledOrigin.Compiled);
        first.CacheNotice.ShouldBeNull();
        Entries().Select(Path.GetFileName).ShouldBe([first.CacheKey + AssemblyCache.Extension]);
        Directory.GetFiles(_dir, "*.tmp").ShouldBeEmpty();

        var second = Create(Calendoc);
        second.Origin.ShouldBe(CompiledOrigin.Cache);
        second.CacheNotice.ShouldBeNull();
        second.CacheKey.ShouldBe(first.CacheKey);
        RateExamples(Calendoc, Options).ShouldBe(RateInterpreted(Calendoc));
    }

    [Fact]
    public void Compiler_ChangedTariff_IsCompiledAgain()
    {
        var first = Create(Calendoc);
        var changed = Calendoc.Replace("0.106 EUR per appointment", "0.107 EUR per appointment");
        changed.ShouldNotBe(Calendoc);
        var second = Create(changed);
        second.Origin.ShouldBe(CompiledOrigin.Compiled);
        second.CacheKey.ShouldNotBe(first.CacheKey);
        Entries().Length.ShouldBe(2);
        RateExamples(changed, Options).ShouldBe(RateInterpreted(changed));
        RateExamples(changed, Options).ShouldNotBe(RateInterpreted(Calendoc));
        // Even a comment changes the key: the key is the text, never a guess about what matters.
        Create(Calendoc + "\n// touched").Origin.ShouldBe(CompiledOrigin.Compiled);
    }

    [Fact]
    public void Compiler_NewCompilerVersion_NeverReusesAnOldAssembly()
    {
        var old = Create(Calendoc, Options with { CompilerVersion = "tarifflang-roslyn-old" });
        var current = Create(Calendoc);
        current.Origin.ShouldBe(CompiledOrigin.Compiled);
        current.CacheKey.ShouldNotBe(old.CacheKey);
        TariffCompiler.CacheKey("x", "v1").ShouldNotBe(TariffCompiler.CacheKey("x", "v2"));
        TariffCompiler.CacheKey("x", "v1").ShouldBe(TariffCompiler.CacheKey("x", "v1"));
    }

    [Fact]
    public void Compiler_AssemblyOfAnotherTariffUnderTheKey_IsReplaced()
    {
        var web1on1 = File.ReadAllText(Path.Combine(CompilerTestSupport.TariffsDir, "web1on1.tariff"));
        var other = Create(web1on1);
        var key = TariffCompiler.CacheKey(Calendoc);
        File.Copy(AssemblyCache.PathFor(_dir, other.CacheKey), AssemblyCache.PathFor(_dir, key));

        var program = Create(Calendoc);
        program.Origin.ShouldBe(CompiledOrigin.Compiled);
        // The recorded hash covers the key: a sound file under another name fails it before any loading.
        program.CacheNotice.ShouldNotBeNull().ShouldContain("does not match the hash recorded when it was written");
        RateExamples(Calendoc, Options).ShouldBe(RateInterpreted(Calendoc));
        Create(Calendoc).Origin.ShouldBe(CompiledOrigin.Cache);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("garbage")]
    [InlineData("truncated")]
    public void Compiler_DamagedCacheFile_IsCompiledAgain(string damage)
    {
        var good = Create(Calendoc);
        var path = AssemblyCache.PathFor(_dir, good.CacheKey);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, damage switch
        {
            "empty" => [],
            "garbage" => Enumerable.Range(0, 4096).Select(i => (byte)(i * 31)).ToArray(),
            _ => bytes[..(bytes.Length / 2)],
        });

        var program = Create(Calendoc);
        program.Origin.ShouldBe(CompiledOrigin.Compiled);
        program.CacheNotice.ShouldNotBeNull().ShouldContain(path);
        RateExamples(Calendoc, Options).ShouldBe(RateInterpreted(Calendoc));
        File.ReadAllBytes(path).ShouldBe(bytes);
        Create(Calendoc).Origin.ShouldBe(CompiledOrigin.Cache);
    }

    [Fact]
    public async Task Compiler_ConcurrentRuns_ShareOneIntactCacheFile()
    {
        var text = TestTariffs.Everything;
        var expected = RateInterpreted(text);
        var results = Enumerable.Range(0, 8)
            .Select(_ => Task.Run(() => RateExamples(text, Options)))
            .ToArray();
        foreach (var result in await Task.WhenAll(results)) result.ShouldBe(expected);
        Entries().Length.ShouldBe(1);
        Directory.GetFiles(_dir, "*.tmp").ShouldBeEmpty();
        Create(text).Origin.ShouldBe(CompiledOrigin.Cache);
        RateExamples(text, Options).ShouldBe(expected);
    }

    [Fact]
    public void AssemblyCache_ConcurrentWritersOfOneKey_KeepTheFirstFile()
    {
        var image = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        Parallel.For(0, 16, _ => AssemblyCache.Write(_dir, "k", image));
        AssemblyCache.TryRead(_dir, "k", CacheOwnership.Native, out var notice).ShouldBe(image);
        notice.ShouldBeNull();
        Directory.GetFiles(_dir).Length.ShouldBe(1);
    }

    [Fact]
    public void Compiler_UnusableCacheDirectory_DoesNotStopRating()
    {
        var blocker = Path.Combine(_dir, "a-file");
        File.WriteAllText(blocker, "not a directory");
        var options = new CompilerOptions { CacheDirectory = Path.Combine(blocker, "cache") };
        var program = Create(Calendoc, options);
        program.Origin.ShouldBe(CompiledOrigin.Compiled);
        program.CacheNotice.ShouldNotBeNull().ShouldStartWith($"the compiled-code cache {options.CacheDirectory} is not used: ");
        RateExamples(Calendoc, options).ShouldBe(RateInterpreted(Calendoc));
    }

    [Fact]
    public void Tariff_CompiledEngine_RatesWithTheGeneratedProgram()
    {
        var compiled = Tariff.Compile(Calendoc, "calendoc.tariff", TariffEngine.Compiled);
        compiled.HasErrors.ShouldBeFalse();
        // The facade rates with the generated program, not with the interpreter.
        compiled.Compiled.ShouldNotBeNull().Program.ShouldBeSameAs(compiled.Program);
        compiled.Program!.GetType().Assembly.GetName().Name.ShouldBe(TariffCompiler.GeneratedAssemblyName);
        compiled.Compiled.CacheKey.ShouldBe(TariffCompiler.CacheKey(Calendoc));
        var ledger = new Ledger("l",
            [new LedgerRow(1, null, new DateTimeOffset(2024, 2, 3, 10, 0, 0, TimeSpan.FromHours(1)), "shop", "sms", 3m,
            ImmutableDictionary<string, string>.Empty.Add("length", "200"))], []);
        var interpreted = Tariff.Compile(Calendoc, "calendoc.tariff");
        compiled.Rate(ledger).ToJson().ShouldBe(interpreted.Rate(ledger).ToJson());
    }
}

/// <summary>Generated assemblies live in collectible contexts that go away with their tariff.</summary>
public class UnloadTests
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference CompileAndForget()
    {
        var text = File.ReadAllText(Path.Combine(CompilerTestSupport.TariffsDir, "calendoc.tariff"));
        var (program, _, _) = CompilerTestSupport.CompileInternal(text, new CompilerOptions { UseCache = false });
        var context = program.ShouldNotBeNull().LoadContext;
        context.IsCollectible.ShouldBeTrue();
        context.Assemblies.Single().GetName().Name.ShouldBe(TariffCompiler.GeneratedAssemblyName);
        return new WeakReference(context);
    }

    [Fact]
    public void CompiledProgram_Forgotten_UnloadsItsGeneratedAssembly()
    {
        var context = CompileAndForget();
        for (var i = 0; i < 20 && context.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        context.IsAlive.ShouldBeFalse();
    }
}
