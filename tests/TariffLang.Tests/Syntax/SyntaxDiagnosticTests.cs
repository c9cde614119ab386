namespace TariffLang.Tests.Syntax;

public sealed class SyntaxDiagnosticTests
{
    private const string Body =
        "tariff t {\n  currency EUR\n  period month in \"Europe/Paris\"\n  event sms(length: int)\n  charge \"A\" = count(sms) # 0.1\n}\n";

    [Fact]
    public void Lexer_UnexpectedCharacter_ReportsTL0002AtTheCharacter()
    {
        var tariff = Tariff.Compile(Body, "hash.tariff");
        var d = tariff.Diagnostics.First(x => x.Code == "TL0002");
        d.Span.Start.ShouldBe(Body.IndexOf('#', StringComparison.Ordinal));
        d.Span.Length.ShouldBe(1);
        (d.Line, d.Column).ShouldBe((5, 27));
        d.ToString().ShouldStartWith("hash.tariff:5:27: error TL0002: ");
    }

    [Fact]
    public void Lexer_UnexpectedCharacter_IsReportedOnce()
    {
        var diagnostics = Tariff.Compile(Body, "hash.tariff").Diagnostics;
        var hash = Body.IndexOf('#', StringComparison.Ordinal);
        diagnostics.Where(d => d.Span.Start == hash).Select(d => d.Code).ShouldBe(["TL0002"]);
    }

    [Fact]
    public void Lexer_UnexpectedCharacterBetweenValidTokens_IsTheOnlyDiagnostic()
    {
        var text = Body.Replace("count(sms) # 0.1", "count(sms) * 0.1 ~", StringComparison.Ordinal);
        var d = Tariff.Compile(text, "tilde.tariff").Diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0002");
        d.Span.Start.ShouldBe(text.IndexOf('~', StringComparison.Ordinal));
    }

    [Fact]
    public void Parser_MissingClosingParen_PointsAtTheNextToken()
    {
        var text = "tariff t {\n  currency EUR\n  period month in \"Europe/Paris\"\n  event sms(length: int\n"
            + "  charge \"A\" = count(sms) * 0.1\n}\n";
        var d = Tariff.Compile(text, "p.tariff").Diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0001");
        (d.Line, d.Column).ShouldBe((5, 3));
        d.Span.Length.ShouldBe("charge".Length);
    }

    [Fact]
    public void Parser_UnterminatedTariff_ReportsAtEndOfFile()
    {
        var text = "tariff t {\n  currency EUR\n";
        var d = Tariff.Compile(text, "eof.tariff").Diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0001");
        d.Span.Start.ShouldBe(text.Length);
        d.Span.Length.ShouldBe(0);
    }

    [Fact]
    public void Parser_SoftKeywordsAsAttributeNames_AreAccepted()
    {
        var text = "tariff t {\n  currency EUR\n  period month in \"Europe/Paris\"\n"
            + "  event call(source: text, total: int, line: text, amount: int)\n"
                   + "  charge \"A\" = sum(call where source = \"x\" and line != \"y\", amount + total) * 0.01\n}\n";
        Tariff.Compile(text, "soft.tariff").Diagnostics.ShouldBeEmpty();
    }
}
