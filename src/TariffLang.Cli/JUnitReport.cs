using System.Xml.Linq;

namespace TariffLang.Cli;

/// <summary>
/// <c>tariff test --format junit</c>: the examples as JUnit XML, the report CI systems read. One test suite per tariff file,
/// one test case per example; a failed example carries its messages, a disputed one is reported as skipped with them, and
/// a tariff that does not check is one failed case with its diagnostics.
/// </summary>
internal static class JUnitReport
{
    public sealed record Suite(string Path, IReadOnlyList<ExampleResult> Results, IReadOnlyList<string> Errors);

    public static string Write(IReadOnlyList<Suite> suites)
    {
        var root = new XElement("testsuites",
            new XAttribute("name", "tariff test"),
            new XAttribute("tests", suites.Sum(Tests)),
            new XAttribute("failures", suites.Sum(Failures)));
        foreach (var suite in suites)
        {
            var element = new XElement("testsuite",
                new XAttribute("name", suite.Path),
                new XAttribute("tests", Tests(suite)),
                new XAttribute("failures", Failures(suite)),
                new XAttribute("skipped", suite.Results.Count(r => r.Status == ExampleStatus.Disputed)));
            if (suite.Errors.Count > 0)
            {
                element.Add(new XElement("testcase", new XAttribute("name", "the tariff checks"), new XAttribute("classname", suite.Path),
                    new XElement("failure", new XAttribute("message", "the tariff has errors"), string.Join("\n", suite.Errors))));
            }
            foreach (var result in suite.Results)
            {
                var testcase = new XElement("testcase", new XAttribute("name", result.Name), new XAttribute("classname", suite.Path),
                    new XAttribute("file", suite.Path), new XAttribute("line", result.Line));
                var messages = string.Join("\n", result.Messages);
                if (result.Status == ExampleStatus.Failed)
                    testcase.Add(
                        new XElement("failure", new XAttribute("message", result.Messages.FirstOrDefault() ?? "failed"), messages));
                else if (result.Status == ExampleStatus.Disputed)
                    testcase.Add(
                        new XElement("skipped", new XAttribute("message", "disputed: " + (result.Messages.FirstOrDefault() ?? ""))));
                element.Add(testcase);
            }
            root.Add(element);
        }
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + "\n" + root;
    }

    private static int Tests(Suite s) => s.Results.Count + (s.Errors.Count > 0 ? 1 : 0);

    private static int Failures(Suite s) => s.Results.Count(r => r.Status == ExampleStatus.Failed) + (s.Errors.Count > 0 ? 1 : 0);
}
