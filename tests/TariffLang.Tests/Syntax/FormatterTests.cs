using Antlr4.Runtime;
using Shouldly;
using TariffLang.Syntax.Generated;
using TariffLang.Tests.Cli;
using Xunit;

namespace TariffLang.Tests.Syntax;

/// <summary>
/// <c>tariff fmt</c>: the canonical layout keeps every token and comment (so the same parse tree), is idempotent, and
/// lays out the constructs as the reference shows them.
/// </summary>
public sealed class FormatterTests
{
    /// <summary>Every tariff of the repository that parses: the vendors', the examples', the reference's and the cases'.</summary>
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "tariffs", "examples", "docs", Path.Combine("tests", "TariffLang.Tests", "Cases") })
        {
            var root = Path.Combine(TestPaths.RepoRoot, dir);
            if (!Directory.Exists(root)) continue;
            foreach (var file in Directory.GetFiles(root, "*.tariff", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
                data.Add(Path.GetRelativePath(TestPaths.RepoRoot, file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Format_AnyTariffThatParses_SameTreeAndIdempotent(string relative)
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, relative));
        var result = Tariff.Format(text, relative);
        if (result.Text is null)
        {
            // Only a file that does not parse is refused, and then with the syntax diagnostics that say why.
            result.Diagnostics.ShouldNotBeEmpty();
            result.Diagnostics.ShouldAllBe(d => d.Code == "TL0001" || d.Code == "TL0002" || d.Code == "TL0003");
            return;
        }
        Tree(result.Text).ShouldBe(Tree(text), relative);
        Tariff.Format(result.Text, relative).Text.ShouldBe(result.Text, "formatting a formatted file changes nothing");
        result.Text.ShouldEndWith("\n");
        result.Text.ShouldNotContain(" \n");
    }

    [Fact]
    public void Format_MessyLayout_GivesTheCanonicalOne()
    {
        const string messy = """


            tariff   t "T"{
               currency EUR   // the currency
            period month in "Europe/Paris"
              unit sms
                event sms ( length : int , to : text? )
            let sent = sum( sms , max( ceil( length / 160 ) , 1 ) ) * 1 sms



                charge "SMS" = sent at 0.05 EUR per sms
              free sms where length = 0
                         because "empty"
              counter seen per to { on sms add 1 }
              grant "G" every year on 12 - 01 add - 1 + 2 to w
              wallet w = 0 { on sms subtract 1 }
            charge "P" = plan.fee
            /* a block
               comment */
            }
            """;
        const string expected = """
            tariff t "T" {
              currency EUR // the currency
              period month in "Europe/Paris"
              unit sms
              event sms(length: int, to: text?)
              let sent = sum(sms, max(ceil(length / 160), 1)) * 1 sms

              charge "SMS" = sent at 0.05 EUR per sms
              free sms where length = 0
                  because "empty"
              counter seen per to { on sms add 1 }
              grant "G" every year on 12-01 add -1 + 2 to w
              wallet w = 0 { on sms subtract 1 }
              charge "P" = plan.fee
              /* a block
               comment */
            }

            """;
        Tariff.Format(messy.Replace("\r\n", "\n"), "t.tariff").Text.ShouldBe(expected.Replace("\r\n", "\n"));
    }

    [Fact]
    public void Format_SyntaxError_RefusesWithTheDiagnostic()
    {
        var result = Tariff.Format("tariff t {\n  currency EUR\n  event sms(length: int\n}\n", "t.tariff");
        result.Text.ShouldBeNull();
        result.Changed.ShouldBeFalse();
        result.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe("TL0001");
    }

    /// <summary>The parse tree as ANTLR prints it: rule names and token texts, no whitespace or comments.</summary>
    private static string Tree(string text)
    {
        var parser = new TariffParser(new CommonTokenStream(new TariffLexer(new AntlrInputStream(text))));
        parser.RemoveErrorListeners();
        return parser.file().ToStringTree(parser);
    }
}
