using Shouldly;
using TariffLang.Diagnostics;
using Xunit;

namespace TariffLang.Tests.Syntax;

/// <summary>
/// What a diagnostic tells the analyst beyond its code: the hint for a common slip, the closest declared name, one error
/// per mistake, and the source line with a caret. These read the message because the hint is the feature under test.
/// </summary>
public sealed class DiagnosticHintTests
{
    private const string Head = "tariff t {\n  currency EUR\n  period month in \"Europe/Paris\"\n  unit sms\n";

    private static Diagnostic Single(string body)
    {
        var tariff = Tariff.Compile(Head + body + "}\n", "t.tariff");
        tariff.Diagnostics.Length.ShouldBe(1, string.Join("\n", tariff.Diagnostics));
        return tariff.Diagnostics[0];
    }

    [Fact]
    public void SyntaxError_DecimalComma_SaysToWriteAPoint()
    {
        var d = Single("  event sms(length: int)\n  charge \"B\" = count(sms) * 1 sms at 0,106 EUR per sms\n");
        d.Code.ShouldBe("TL0001");
        d.Message.ShouldContain("0.106, not 0,106");
        d.Message.ShouldNotContain("expecting");
    }

    [Fact]
    public void SyntaxError_MissingAtBeforeThePrice_SaysSo()
    {
        var d = Single("  event sms(length: int)\n  charge \"S\" per sms 0.1 EUR per sms\n");
        d.Message.ShouldStartWith("missing 'at' before the price");
        (d.Line, d.Column).ShouldBe((6, 22));
    }

    [Theory]
    [InlineData("  effective from 2024-1-5\n", "2024-01-05", 5, 18, 8)]
    [InlineData("  event sms(length: int)\n  example \"x\" {\n    at 2024-03-4T08:00 sms(length: 3)\n    expect total 0\n  }\n",
        "2024-03-04T08:00", 7, 8, 15)]
    public void SyntaxError_DateWithoutZeros_IsOneErrorShowingTheFix(string body, string fix, int line, int column, int length)
    {
        var d = Single(body);
        d.Message.ShouldContain("e.g. " + fix);
        (d.Line, d.Column, d.Span.Length).ShouldBe((line, column, length));
    }

    [Fact]
    public void SyntaxError_ReservedWordAsName_NamesTheWord()
    {
        var d = Single("  event sms(if: int)\n");
        d.Message.ShouldStartWith("'if' is a reserved word");
        (d.Line, d.Column, d.Span.Length).ShouldBe((5, 13, 2));
    }

    [Fact]
    public void SyntaxError_ExpectedTokens_AreWordsNotTokenNames()
    {
        var d = Single("  event sms(length: int\n  charge \"x\" = count(sms) * 0.1 EUR\n");
        d.Message.ShouldBe("unexpected 'charge'; expected ')' or ','");
    }

    [Fact]
    public void SyntaxError_FileEndsEarly_SuggestsAMissingBrace()
    {
        var tariff = Tariff.Compile(Head + "  event sms(length: int)\n", "t.tariff");
        tariff.Diagnostics.ShouldHaveSingleItem().Message.ShouldContain("the file ends too early");
    }

    [Theory]
    [InlineData("  event sms(length: int)\n  charge \"A\" = count(smss) * 1 sms at 0.1 EUR per sms\n", "TL0004", "sms")]
    [InlineData("  event sms(lenght: int)\n  charge \"A\" per sms where lengt > 3 at 0.1 EUR per sms\n", "TL0010", "lenght")]
    [InlineData("  event sms(length: int)\n  let sent = count(sms) * 1 sms\n  charge \"A\" = sentt at 0.1 EUR per sms\n", "TL0005", "sent")]
    [InlineData("  event sms(length: int)\n  charge \"A\" = count(sms) * 1 smz at 0.1 EUR per sms\n", "TL0008", "sms")]
    [InlineData("  event sms(length: int)\n  charge \"A\" = celi(count(sms)) * 1 sms at 0.1 EUR per sms\n", "TL0011", "ceil")]
    [InlineData("  param price: money\n  event sms(length: int)\n  charge \"A\" = count(sms) * param prise\n", "TL0009", "price")]
    public void UnknownName_CloseToADeclaredOne_SuggestsIt(string body, string code, string suggestion)
    {
        var d = Single(body);
        d.Code.ShouldBe(code);
        d.Message.ShouldEndWith($"; did you mean '{suggestion}'?");
    }

    [Fact]
    public void UnknownName_FarFromEveryName_SuggestsNothing()
    {
        var d = Single("  event sms(length: int)\n  charge \"A\" = count(appointment) * 1 sms at 0.1 EUR per sms\n");
        d.Code.ShouldBe("TL0004");
        d.Message.ShouldNotContain("did you mean");
    }

    [Fact]
    public void Render_ShowsTheLineAndACaretUnderTheSpan()
    {
        var d = Single("  event sms(length: int)\n  charge \"A\" = count(smss) * 1 sms at 0.1 EUR per sms\n");
        var lines = d.Render().Split('\n');
        lines.Length.ShouldBe(3);
        lines[0].ShouldBe(d.ToString());
        lines[1].ShouldBe("   6 |   charge \"A\" = count(smss) * 1 sms at 0.1 EUR per sms");
        lines[2].ShouldBe("     |                      ^^^^");
    }

    [Theory]
    [InlineData("appointmnts", "appointments", 1)]
    [InlineData("lenght", "length", 1)]
    [InlineData("SMS", "sms", 1)]
    [InlineData("abc", "xyz", 3)]
    public void NameSuggestion_Distance_CountsSlips(string a, string b, int distance)
    {
        if (a.Equals(b, StringComparison.OrdinalIgnoreCase)) NameSuggestion.Closest(a, [b]).ShouldBe(b);
        else NameSuggestion.Distance(a, b).ShouldBe(distance);
    }
}
