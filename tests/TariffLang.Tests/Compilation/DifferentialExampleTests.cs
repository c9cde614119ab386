namespace TariffLang.Tests.Compilation;

/// <summary>Every worked example of every tariff gives byte-identical invoice JSON through both engines.</summary>
public class DifferentialExampleTests
{
    public static TheoryData<string> Tariffs() => CompilerTestSupport.TariffNames();

    [Theory]
    [MemberData(nameof(Tariffs))]
    public void Examples_rate_identically_through_both_engines(string file)
    {
        var text = File.ReadAllText(Path.Combine(CompilerTestSupport.TariffsDir, file));
        var (interpreted, compiled) = CompilerTestSupport.Both(text, file);
        var expected = interpreted.RunExamples();
        var actual = compiled.RunExamples();
        actual.Length.ShouldBe(expected.Length);
        expected.Length.ShouldBeGreaterThan(0, $"{file} has no examples");
        for (var i = 0; i < expected.Length; i++)
        {
            actual[i].Name.ShouldBe(expected[i].Name);
            actual[i].Rating.ToJson().ShouldBe(expected[i].Rating.ToJson(), $"{file}: example '{expected[i].Name}'");
            actual[i].Status.ShouldBe(expected[i].Status, $"{file}: example '{expected[i].Name}'");
            actual[i].Messages.ShouldBe(expected[i].Messages, $"{file}: example '{expected[i].Name}'");
        }
    }

    [Fact]
    public void There_are_tariffs_to_compare()
    {
        CompilerTestSupport.TariffFiles().ShouldNotBeEmpty();
    }
}
