using Shouldly;
using TariffLang.Examples;
using TariffLang.Tests.Compilation;
using Xunit;

namespace TariffLang.Tests.Docs;

/// <summary>Every tariff of docs/examples is a worked reference example: it checks clean and its examples pass in both engines.</summary>
public sealed class ReferenceExampleTests
{
    private static string ExamplesDir => Path.Combine(CompilerTestSupport.RepoRoot, "docs", "examples");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(ExamplesDir, "*.tariff").OrderBy(f => f, StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void ReferenceExamples_Folder_HasTariffs() => Files().Count.ShouldBeGreaterThan(0);

    [Theory]
    [MemberData(nameof(Files))]
    public void ReferenceExample_EveryExample_PassesInBothEngines(string file) =>
        Rating.EveryWay.ExamplesPass(File.ReadAllText(Path.Combine(ExamplesDir, file)), file);
}
