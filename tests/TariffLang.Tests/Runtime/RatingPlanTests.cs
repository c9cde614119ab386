using TariffLang.Invoicing;
using TariffLang.Rating;
using TariffLang.Tests.Compilation;
using TariffLang.Tests.Rating;

namespace TariffLang.Tests.Runtime;

public sealed class RatingPlanTests
{
    [Fact]
    public void Rate_LetThatNoChargeReadsHoldsAnAggregate_CompilesAndRatesOnBothEngines()
    {
        // Found by the fuzz test: the compiled program has code for every let, and this one's aggregate had no slot.
        const string Source = """
            tariff t {
              currency EUR
              period month in "Europe/Paris"
              unit rdv
              event appointment()
              let unused = count(appointment) * 1 rdv
              charge "Rendez-vous" = count(appointment) * 1 rdv at 0.10 EUR per rdv
            }
            """;

        var result = EveryWay.Rate(Source, "time,account,event",
            ["2024-01-05T10:00:00+01:00,a,appointment", "2024-01-06T10:00:00+01:00,a,appointment"]);

        result.Invoices.ShouldHaveSingleItem().Total.ShouldBe(0.20m);
    }

    private const string KeysTariff = """
        tariff t {
          currency EUR
          period month in "Europe/Paris"
          unit msg
          event message(contact: text, visitor: text, direction: text, kind: text?, note: text?)
          window service 24h per contact, opened by message where direction = "inbound"
          free message where within service because "inside the window"
          reject message where kind = "spam" because "spam"
          charge "Visitors" = 1 msg * distinct(message, visitor) at 0.10 EUR per msg
        }
        """;

    [Fact]
    public void KeyOnlyTexts_TextsReadOnlyAsAWindowKeyOrADistinctValue_AreKeyOnlyAndTextsReadOtherwiseAreNot()
    {
        var (model, plan) = CompilerTestSupport.Check(KeysTariff);
        var message = model.Events.Single();

        var keyOnly = message.Attributes.ToDictionary(a => a.Name, a => plan.KeyOnlyTexts[message.Index][a.Index]);

        keyOnly["contact"].ShouldBeTrue();
        keyOnly["visitor"].ShouldBeTrue();
        keyOnly["direction"].ShouldBeFalse();
        keyOnly["kind"].ShouldBeFalse();
        // Read by nothing: no string is needed either.
        keyOnly["note"].ShouldBeTrue();
    }

    [Fact]
    public void KeyOnlyTexts_KeyAlsoReadInACondition_IsNotKeyOnly()
    {
        var source = KeysTariff.Replace("kind = \"spam\"", "visitor = \"v9\" or contact = \"+33600000000\"");
        var (model, plan) = CompilerTestSupport.Check(source);
        var message = model.Events.Single();

        plan.KeyOnlyTexts[message.Index][message.Find("contact")!.Index].ShouldBeFalse();
        plan.KeyOnlyTexts[message.Index][message.Find("visitor")!.Index].ShouldBeFalse();
    }

    [Fact]
    public void Rate_KeysReadAsWords_RateAsTextsOnEveryEngineAndThreadCount()
    {
        // Contacts and visitors of a word (short codes, phone numbers) and without one (longer, accented) in one ledger.
        var result = EveryWay.Rate(KeysTariff, "time,account,event,contact,visitor,direction,kind,note",
        [
            "2024-01-05T10:00:00+01:00,a,message,+33611111111,v1,inbound,,x",
            "2024-01-05T11:00:00+01:00,a,message,+33611111111,v2,outbound,,",
            "2024-01-05T12:00:00+01:00,a,message,+33622222222,v1,outbound,,",
            "2024-01-05T13:00:00+01:00,a,message,contact \u00e9t\u00e9 long,visitor-with-a-long-name,inbound,,",
            "2024-01-05T14:00:00+01:00,a,message,contact \u00e9t\u00e9 long,visitor-with-a-long-name,outbound,,",
            "2024-01-05T15:00:00+01:00,a,message,+33611111111,v3,outbound,spam,",
            "2024-01-07T10:00:00+01:00,a,message,+33611111111,v2,outbound,,",
        ]);

        result.Accounting.ShouldBe(new Accounting(7, 4, 2, 1));
        // Rated: the inbound messages before their window, +33622222222 and the message two days later. Counted: v1, v2
        // and the long visitor (v3 was rejected; free rows are counted by distinct too).
        var line = result.Invoices.ShouldHaveSingleItem().Lines.ShouldHaveSingleItem();
        line.Quantity.ShouldBe(3m);
    }
}
