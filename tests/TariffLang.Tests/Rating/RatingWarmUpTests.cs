using System.Reflection;
using TariffLang.Rating;

namespace TariffLang.Tests.Rating;

public sealed class RatingWarmUpTests
{
    private const BindingFlags AllMembers = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
        | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every method of the library marked AggressiveOptimization, by its declaring type's definition.</summary>
    private static List<MethodInfo> MarkedMethods() =>
        typeof(Tariff).Assembly.GetTypes().SelectMany(RatingWarmUp.HotMethods).ToList();

    private static Type Definition(Type type) => type.IsGenericType ? type.GetGenericTypeDefinition() : type;

    [Fact]
    public void Types_EveryAggressivelyOptimizedMethod_IsWarmedUp()
    {
        // A method marked to skip tiering but left out of the warm-up would be compiled by a worker in the middle of the
        // first rating: the very wait the warm-up is there to avoid.
        var reached = RatingWarmUp.AllTypes().Select(Definition).ToHashSet();
        var missed = MarkedMethods()
            .Where(m => !reached.Contains(Definition(m.DeclaringType!)))
            .Select(m => m.DeclaringType!.FullName + "." + m.Name)
            .ToList();

        MarkedMethods().Count.ShouldBeGreaterThan(40);
        missed.ShouldBeEmpty();
    }

    [Fact]
    public void Types_EveryClosedTypeOfAGenericWithHotMethods_IsListed()
    {
        // A generic type's hot methods are compiled for the type arguments listed only. Every closed type the library
        // names (a field, a local, a parameter, a return type) must be there, or its methods wait for their first call.
        var hotDefinitions = MarkedMethods().Select(m => m.DeclaringType!).Where(t => t.IsGenericType)
            .Select(Definition).ToHashSet();
        var used = new HashSet<Type>();
        void Note(Type type)
        {
            while (type.HasElementType) type = type.GetElementType()!;
            if (!type.IsGenericType) return;
            foreach (var argument in type.GetGenericArguments()) Note(argument);
            if (!type.ContainsGenericParameters && hotDefinitions.Contains(type.GetGenericTypeDefinition())) used.Add(type);
        }
        foreach (var type in typeof(Tariff).Assembly.GetTypes())
        {
            foreach (var field in type.GetFields(AllMembers)) Note(field.FieldType);
            foreach (var method in type.GetMethods(AllMembers).Concat<MethodBase>(type.GetConstructors(AllMembers)))
            {
                if (method is MethodInfo info) Note(info.ReturnType);
                foreach (var parameter in method.GetParameters()) Note(parameter.ParameterType);
                foreach (var local in method.GetMethodBody()?.LocalVariables ?? []) Note(local.LocalType);
            }
        }

        used.Count.ShouldBeGreaterThan(5);
        used.Where(t => !RatingWarmUp.Types.Contains(t)).Select(t => t.ToString()).ShouldBeEmpty();
    }

    [Fact]
    public void Types_EachWarmedUpType_HoldsAHotMethod()
    {
        // A type listed with nothing to compile is a leftover of a method that is no longer marked.
        var idle = RatingWarmUp.Types
            .Where(t => !RatingWarmUp.WithNested(t).Any(n => RatingWarmUp.HotMethods(n).Any()))
            .Select(t => t.FullName)
            .ToList();

        idle.ShouldBeEmpty();
    }

    [Fact]
    public void Prepare_EveryHotMethod_CompilesWithoutError()
    {
        // Each marked method once per closed type: generic definitions count once for each instantiation listed.
        var expected = RatingWarmUp.AllTypes().Sum(t => RatingWarmUp.HotMethods(t).Count());

        var prepared = RatingWarmUp.Prepare();

        prepared.ShouldBe(expected);
        prepared.ShouldBeGreaterThanOrEqualTo(MarkedMethods().Count);
    }

    [Fact]
    public void PrepareLoading_InThisProcess_BuildsWithoutError()
    {
        // False when building the parser's tables, reading the time-zone database or hashing threw.
        RatingWarmUp.PrepareLoading().ShouldBeTrue();
    }
}
