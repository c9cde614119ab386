using TariffLang.Runtime;

namespace TariffLang.Tests.Runtime;

public sealed class TextWordTests
{
    [Theory]
    [InlineData("", true)]
    [InlineData("a\0", true)]
    [InlineData("v003858", true)]
    [InlineData("\u00e9t\u00e9", true)]
    [InlineData("12345678", true)]
    [InlineData("+33611111111", true)]
    [InlineData("+1 (415) 555-0", true)]
    [InlineData("06.11.11.11.11", true)]
    [InlineData("+331234567890123", false)]
    [InlineData("v0038580", false)]
    [InlineData("contact-12", false)]
    [InlineData("\u0100", false)]
    [InlineData("a contact key beyond fifteen", false)]
    public void Of_TextOfEachForm_FitsShortNarrowTextsAndPhoneNumbersAndGivesTheTextBack(string text, bool fits)
    {
        var word = TextWord.Of(text);

        (word != 0).ShouldBe(fits);
        if (fits) TextWord.TextOf(word).ShouldBe(text);
    }

    [Fact]
    public void Of_TextsThatDifferOnlyInLengthOrForm_GiveDifferentWords()
    {
        // Trailing zeros, a character of code 0 and a digit 0 must all stay apart.
        string[] texts = ["0", "00", "0\0", "00000000", "000000000", "0000000", "+", "+0", " ", "\0", ""];
        var words = texts.Select(t => TextWord.Of(t)).ToList();

        words.ShouldAllBe(w => w != 0);
        words.Distinct().Count().ShouldBe(texts.Length);
        words.Select(TextWord.TextOf).ShouldBe(texts);
    }
}
