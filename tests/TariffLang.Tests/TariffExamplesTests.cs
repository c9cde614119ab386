using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using TariffLang.Tests.Cli;

namespace TariffLang.Tests;

/// <summary>
/// Every <c>example</c> of every <c>tariffs/*.tariff</c> is its own test case, named "tariff: example".
/// An example passes, or is disputed (the vendor's figure disagrees with its own price list) with both figures
/// shown; it never fails.
/// </summary>
public sealed class TariffExamplesTests
{
    private static readonly ConcurrentDictionary<string, (CompiledTariff Tariff, IReadOnlyList<ExampleResult> Results)> Cache = new();

    private static IEnumerable<string> TariffFiles() =>
        Directory.GetFiles(TestPaths.Tariffs, "*.tariff").OrderBy(f => f, StringComparer.Ordinal);

    private static (CompiledTariff Tariff, IReadOnlyList<ExampleResult> Results) Run(string file) =>
        Cache.GetOrAdd(file, f =>
        {
            var tariff = Tariff.Load(f);
            return (tariff, tariff.HasErrors ? [] : tariff.RunExamples());
        });

    private static string FileOf(string tariffName) => Path.Combine(TestPaths.Tariffs, tariffName + ".tariff");

    /// <summary>"calendoc: 100 rendez-vous et 100 SMS" for every example (example names are read from the source so that a broken tariff
    /// still lists them).</summary>
    public static TheoryData<ExampleCase> Examples()
    {
        var data = new TheoryData<ExampleCase>();
        var exampleName = new Regex(@"^\s*example\s+""((?:[^""\\]|\\.)*)""", RegexOptions.Multiline);
        foreach (var file in TariffFiles())
        {
            var name = Path.GetFileNameWithoutExtension(file);
            foreach (Match m in exampleName.Matches(File.ReadAllText(file))) data.Add(new ExampleCase(name, m.Groups[1].Value));
        }
        return data;
    }

    [Fact]
    public void Tariffs_AllCompileWithoutDiagnostics()
    {
        foreach (var file in TariffFiles())
        {
            var tariff = Tariff.Load(file);
            tariff.Diagnostics.Where(d => d.IsError).ShouldBeEmpty(string.Join("\n", tariff.Diagnostics));
        }
    }

    [Fact]
    public void Tariffs_EveryExampleIsListed()
    {
        var listed = Examples().Count<object[]>();
        var ran = TariffFiles().Sum(f => Run(f).Results.Count);
        listed.ShouldBe(ran);
        listed.ShouldBeGreaterThan(0);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_PassesOrIsDisputedWithBothFigures(ExampleCase example)
    {
        var (tariffName, exampleName) = (example.Tariff, example.Name);
        var (tariff, results) = Run(FileOf(tariffName));
        tariff.HasErrors.ShouldBeFalse(string.Join("\n", tariff.Diagnostics));
        var result = results.Single(r => r.Name == exampleName);

        result.Status.ShouldNotBe(ExampleStatus.Failed, string.Join("\n", result.Messages));
        if (result.Status == ExampleStatus.Disputed)
        {
            result.Messages.ShouldNotBeEmpty();
            // Each dispute shows the document's figure and the price list's figure.
            result.Messages.ShouldAllBe(m => m.Contains("the document says") && m.Contains("the price list gives"));
        }
        result.Rating.Accounting.Rows.ShouldBe(result.Rating.Accounting.Rated + result.Rating.Accounting.Free
            + result.Rating.Accounting.Rejected);
    }

    [Fact]
    public void Calendoc_200Sms_IsDisputedWithDocumentAndPriceListFigures()
    {
        var (_, results) = Run(FileOf("calendoc"));
        var result = results.Single(r => r.Name == "100 rendez-vous et 200 SMS");

        result.Status.ShouldBe(ExampleStatus.Disputed);
        // Total: the document says 15.90, the price list gives 10.60 + 100 × 0.0503 = 15.63.
        result.Messages.ShouldContain(m => m.Contains(": total") && m.Contains("15.90") && m.Contains("15.63"));
        // The extra-SMS line: 5.30 in the document, 100 × 0.0503 = 5.03 by the price list.
        result.Messages.ShouldContain(m => m.Contains("SMS supplémentaires") && m.Contains("5.30") && m.Contains("5.03"));
        var invoice = result.Rating.Invoices.ShouldHaveSingleItem();
        invoice.Total.ShouldBe(15.63m);
    }

    [Fact]
    public void Calendoc_100Sms_PassesAt10_60()
    {
        var (_, results) = Run(FileOf("calendoc"));
        var result = results.Single(r => r.Name == "100 rendez-vous et 100 SMS");
        result.Status.ShouldBe(ExampleStatus.Passed, string.Join("\n", result.Messages));
        result.Rating.Invoices.ShouldHaveSingleItem().Total.ShouldBe(10.60m);
    }
}

/// <summary>One vendor example; shown by test runners as "tariff: example name", without truncation.</summary>
public sealed class ExampleCase : Xunit.Abstractions.IXunitSerializable
{
    public ExampleCase() { }

    public ExampleCase(string tariff, string name) => (Tariff, Name) = (tariff, name);

    public string Tariff { get; private set; } = "";

    public string Name { get; private set; } = "";

    public void Deserialize(Xunit.Abstractions.IXunitSerializationInfo info)
    {
        Tariff = info.GetValue<string>(nameof(Tariff));
        Name = info.GetValue<string>(nameof(Name));
    }

    public void Serialize(Xunit.Abstractions.IXunitSerializationInfo info)
    {
        info.AddValue(nameof(Tariff), Tariff);
        info.AddValue(nameof(Name), Name);
    }

    public override string ToString() => $"{Tariff}: {Name}";
}
