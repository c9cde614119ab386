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
        var result = tariff.Rate(Tariff.ReadLedger(ledger), options: new RatingOptions(new Dictionary<string, string> { ["plan"] = "PLATINUM" }));
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
}
