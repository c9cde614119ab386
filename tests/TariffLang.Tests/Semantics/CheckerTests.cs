namespace TariffLang.Tests.Semantics;

/// <summary>Checker behaviour that the data-driven cases do not show on their own.</summary>
public sealed class CheckerTests
{
    private const string Header = "tariff t {\n  currency EUR\n  period month in \"Europe/Paris\"\n";

    private static CompiledTariff Compile(string body) => Tariff.Compile(Header + body + "}\n", "t.tariff");

    private const string Plans = """
          unit chatpoint
          event chat(points: int)
          plan BASE { fee 10.00 includes 100 chatpoint extra 0.10 per chatpoint }
          charge "Plan" = plan.fee

        """;

    [Fact]
    public void Checker_ExampleWithUnknownPlan_ReportsTL0015()
    {
        var tariff = Compile(Plans + "  example \"e\" {\n    with plan = \"PLATINUM\"\n    chat(points: 1)\n    expect total 10.00\n  }\n");
        var d = tariff.Diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0015");
        (d.Line, d.Column, d.Span.Length).ShouldBe((9, 17, 10));
    }

    [Fact]
    public void Rating_UnknownPlanFromContract_RejectsTheAccountsRows()
    {
        var tariff = Compile(Plans);
        tariff.HasErrors.ShouldBeFalse(string.Join("\n", tariff.Diagnostics));
        var dir = Cli.TestPaths.TempDir();
        var ledger = Path.Combine(dir, "l.csv");
        File.WriteAllText(ledger, "time,account,event,points\n2024-01-02T10:00:00+01:00,a,chat,1\n");
        var result = tariff.Rate(Tariff.ReadLedger(ledger),
            options: new RatingOptions(new Dictionary<string, string> { ["plan"] = "PLATINUM" }));
        result.Invoices.ShouldBeEmpty();
        result.Rejected.ShouldHaveSingleItem().Reason.ShouldContain("PLATINUM");
    }

    [Fact]
    public void Checker_CountOfUnknownEvent_ReportsTL0004OnTheName()
    {
        var tariff = Compile("  event sms(length: int)\n  charge \"A\" = count(mms) * 0.1\n");
        var d = tariff.Diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0004");
        (d.Line, d.Column, d.Span.Length).ShouldBe((5, 22, 3));
    }

    [Fact]
    public void Checker_DeclarationOrder_DoesNotMatterForEventsAndTables()
    {
        var tariff = Compile("""
              charge "A" = sum(chat, points[outcome]) * 0.01
              table points for chat by (outcome): number {
                "lead": 65
              }
              event chat(outcome: text)

            """);
        tariff.Diagnostics.ShouldBeEmpty();
    }

    [Fact]
    public void Checker_ReservedAttributeName_ReportsTL0006()
    {
        var text = Header + "  event sms(quantity: int)\n  charge \"A\" = count(sms) * 0.1\n}\n";
        var d = Tariff.Compile(text, "t.tariff").Diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0006");
        d.Span.Start.ShouldBe(text.IndexOf("quantity", StringComparison.Ordinal));
        d.Span.Length.ShouldBe("quantity".Length);
    }

    [Fact]
    public void Checker_ErrorsNeverThrow_OnEveryDiagnosticCase()
    {
        // The same files as the data-driven theory, through Load (the CLI's path) instead of Compile.
        foreach (var file in Directory.GetFiles(DiagnosticCaseTests.CasesDirectory, "*.tariff"))
        {
            var tariff = Tariff.Load(file);
            tariff.Path.ShouldBe(file);
            tariff.Diagnostics.ShouldAllBe(d => d.Path == file);
        }
    }

    // The price is per sms, so a quantity that lost its unit would be TL0022 on the charge: the clean cases
    // show that * and / by a plain number keep the unit while + does not lend it.
    [Theory]
    [InlineData("5 sms + 3", "TL0022")]
    [InlineData("3 + 5 sms", "TL0022")]
    [InlineData("5 sms + 3 sms", null)]
    [InlineData("(5 sms) * 3", null)]
    [InlineData("3 * 5 sms", null)]
    [InlineData("10 sms / 2", null)]
    public void Checker_PlainNumberBesideAUnit_IsTL0022OnlyWhenAddedNotWhenScaling(string quantity, string? code)
    {
        var tariff = Compile($"  unit sms\n  event sms(length: int)\n  charge \"S\" = {quantity} at 0.10 EUR per sms\n");

        if (code is null)
        {
            tariff.Diagnostics.ShouldBeEmpty();
            return;
        }
        var d = tariff.Diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe(code);
        d.Message.ShouldContain("give the number its unit (e.g. 5 sms)");
        // The span is the operator: the quantity starts at column 16 of line 6.
        (d.Line, d.Column, d.Span.Length).ShouldBe((6, 16 + quantity.IndexOf('+', StringComparison.Ordinal), 1));
    }
}
