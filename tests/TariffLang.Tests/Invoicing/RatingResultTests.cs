using System.Collections.Immutable;
using Shouldly;
using TariffLang.Invoicing;
using Xunit;

namespace TariffLang.Tests.Invoicing;

/// <summary>What a rating result derives from its rejected rows.</summary>
public sealed class RatingResultTests
{
    [Fact]
    public void MissingParameterRows_ReasonsOfEqualTextFromDifferentStrings_CountAsOneInTheOrderFirstSeen()
    {
        var b = "account 'b': missing contract parameter 'rate'";
        // The same text built again: another string, the same reason.
        var bAgain = string.Concat("account 'b': missing ", "contract parameter 'rate'");
        ReferenceEquals(b, bAgain).ShouldBeFalse();
        var a = "account 'a': missing contract parameter 'plan'";
        var rejected = ImmutableArray.Create(
            new RejectedRow(2, b), new RejectedRow(3, "blocked number"), new RejectedRow(4, a), new RejectedRow(5, bAgain),
            new RejectedRow(6, b), new RejectedRow(7, a));
        var result = new RatingResult(ImmutableArray<Invoice>.Empty, rejected, new Accounting(6, 0, 0, 6));

        result.MissingParameterRows.ShouldBe([new KeyValuePair<string, int>(b, 3), new KeyValuePair<string, int>(a, 2)]);
        result.MissingParameters.ShouldBe([b, a]);
    }

    [Fact]
    public void MissingParameterRows_NoMissingValue_IsEmpty()
    {
        var result = new RatingResult(ImmutableArray<Invoice>.Empty, [new RejectedRow(2, "blocked number")], new Accounting(1, 0, 0, 1));
        result.MissingParameterRows.ShouldBeEmpty();
    }
}
