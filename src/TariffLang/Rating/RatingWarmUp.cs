using System.Reflection;
using System.Runtime.CompilerServices;
using TariffLang.Ledgers;
using TariffLang.Runtime;

namespace TariffLang.Rating;

/// <summary>
/// Compiles the rating's hot methods, the ones marked <see cref="MethodImplOptions.AggressiveOptimization"/>, on a
/// thread of their own while the tariff is still being parsed and checked, after building what that parsing and
/// checking meet first (<see cref="PrepareLoading"/>).
/// </summary>
/// <remarks>
/// Without it, a fresh process rates its first half second in ReadyToRun code, which cannot inline across assemblies,
/// while the JIT's tiering thread recompiles the same methods and competes with the workers for the cores: on two cores
/// that made the first two-thread rating of 10 M rows 0.2–0.6 s slower than the next one (docs/performance.md, "The
/// hot path compiled at start-up"). A method marked <c>AggressiveOptimization</c> skips ReadyToRun and tiering and is
/// compiled once, optimized; compiling it here, on a core that start-up leaves idle, keeps that compilation off the
/// workers too.
/// </remarks>
internal static class RatingWarmUp
{
    /// <summary>
    /// Every type that holds a hot method (with its nested types), generic ones closed over each type argument the engine
    /// uses. A test checks that every method marked <c>AggressiveOptimization</c> in the library is found from them.
    /// </summary>
    internal static readonly Type[] Types =
    [
        // Ledgers: cutting the file into rows and typing their values.
        typeof(LedgerStreamReader), typeof(CsvSplitter), typeof(CsvRecordParser), typeof(JsonRecordParser),
        typeof(JsonKeyTable), typeof(LedgerRecordParser), typeof(EventBinder), typeof(AttributeParser), typeof(LedgerValues),
        typeof(Utf8Decimal), typeof(Utf8StringCache), typeof(ByteScanner), typeof(Utf8Map<(AccountEntry Entry, int Partition)>),
        // Rating: the partitions, the row batches and each account's outcomes.
        typeof(StreamRater), typeof(FileLedgerInput), typeof(RowTyper), typeof(RowBatch), typeof(AccountEntry),
        // Runtime: an account's rater and its open state.
        typeof(AccountRater), typeof(RatingContext), typeof(StateStore), typeof(DistinctValues), typeof(ShortTextSet),
        typeof(WindowTable), typeof(TextWord), typeof(ZoneClock), typeof(TextKey),
        typeof(TextKeyTable<uint>), typeof(TextKeyTable<WindowTable.Opening>),
        typeof(WordKeyTable<long>), typeof(WordKeyTable<WindowTable.Opening>),
        typeof(KeyMap<decimal>), typeof(KeyMap<Value>), typeof(KeyMap<bool>), typeof(KeyMap<MonthBits>),
        typeof(KeyMap<WindowTable.Opening>), typeof(KeyMap<AggregateAccumulator>),
    ];

    private static int s_started;

    /// <summary>Starts compiling on a background thread, once per process; on one core it would only delay start-up.</summary>
    public static void Start()
    {
        if (Environment.ProcessorCount < 2 || Interlocked.Exchange(ref s_started, 1) != 0) return;
        new Thread(() =>
        {
            PrepareLoading();
            Prepare();
        }) { IsBackground = true, Name = "tariff warm-up" }.Start();
    }

    /// <summary>
    /// What loading a tariff meets before the rating, in the order it meets it, when called early enough (the command
    /// line calls <see cref="Start"/> before it reads its options): the parser's tables, the time zone database, and the
    /// hash that finds the compiled tariff in its cache. Each is built once per process whichever thread asks first; the
    /// loading thread then finds it ready instead of building it.
    /// </summary>
    /// <returns>False when one of them failed (the loading thread then meets the failure itself).</returns>
    internal static bool PrepareLoading()
    {
        try
        {
            Syntax.SyntaxParser.PrepareTables();
            _ = NodaTime.DateTimeZoneProviders.Tzdb.VersionId;
            _ = System.Security.Cryptography.SHA256.HashData(ReadOnlySpan<byte>.Empty);
            return true;
        }
        catch (Exception)
        {
            // Only an optimization: an exception left to escape the warm-up thread would end the process.
            return false;
        }
    }

    /// <summary>Compiles every hot method of <see cref="Types"/> now; returns how many it could.</summary>
    internal static int Prepare()
    {
        var prepared = 0;
        foreach (var type in AllTypes())
        {
            try
            {
                // Statics first: a method compiled after its class is initialized reads static readonly fields as constants.
                RuntimeHelpers.RunClassConstructor(type.TypeHandle);
                var instantiation = type.IsGenericType ? Array.ConvertAll(type.GetGenericArguments(), a => a.TypeHandle) : null;
                foreach (var method in HotMethods(type))
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle, instantiation);
                    prepared++;
                }
            }
            catch (Exception)
            {
                // Only an optimization: what is not prepared here is compiled at its first call, as usual. An exception
                // left to escape the warm-up thread would end the process. The test counts what was prepared.
            }
        }
        return prepared;
    }

    /// <summary><see cref="Types"/> and the types nested in them (private ones included), generic definitions left out.</summary>
    internal static IEnumerable<Type> AllTypes() => Types.SelectMany(WithNested);

    /// <summary><paramref name="type"/> and the types nested in it that need no type argument of their own.</summary>
    internal static IEnumerable<Type> WithNested(Type type)
    {
        yield return type;
        foreach (var nested in type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (!nested.ContainsGenericParameters) yield return nested;
        }
    }

    /// <summary>The methods of <paramref name="type"/> itself that are marked to be compiled optimized at once.</summary>
    internal static IEnumerable<MethodInfo> HotMethods(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static
            | BindingFlags.DeclaredOnly;
        foreach (var method in type.GetMethods(all))
        {
            if ((method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0) yield return method;
        }
    }
}
