using Shouldly;
using Spectre.Console.Testing;
using TariffLang.Cli;
using TariffLang.Invoicing;
using Xunit;

namespace TariffLang.Tests.Cli;

/// <summary>The invoices as terminal tables: the same figures as the text output, colour only where the console has it.</summary>
public sealed class TerminalInvoicesTests
{
    private static (RatingResult Result, CompiledTariff Tariff) Calendoc()
    {
        var root = Compilation.CompilerTestSupport.RepoRoot;
        var tariff = Tariff.Load(Path.Combine(root, "tariffs", "calendoc.tariff"));
        return (tariff.RateFile(Path.Combine(root, "examples", "calendoc", "ledger.csv")), tariff);
    }

    [Fact]
    public void TerminalInvoices_Calendoc_ShowEveryLineTotalAndTheGrandTotal()
    {
        var (result, tariff) = Calendoc();
        var console = new TestConsole().Width(160);
        TerminalInvoices.Write(console, result, tariff);
        var output = console.Output;
        foreach (var invoice in result.Invoices)
        {
            output.ShouldContain(invoice.Account);
            foreach (var line in invoice.Lines) output.ShouldContain(line.Label);
            output.ShouldContain(tariff.FormatMoney(invoice.Total));
        }
        output.ShouldContain(
            $"Grand total: {tariff.FormatMoney(result.Invoices.Sum(i => i.Total))} EUR over {result.Invoices.Length} invoices");
        output.ShouldContain($"rows: {result.Accounting.Rows}, rated: {result.Accounting.Rated}");
    }

    [Fact]
    public void TerminalInvoices_ConsoleWithoutColour_WritesNoEscapeCodes()
    {
        var (result, tariff) = Calendoc();
        var console = new TestConsole().Colors(Spectre.Console.ColorSystem.NoColors).EmitAnsiSequences();
        TerminalInvoices.Write(console, result, tariff);
        console.Output.ShouldNotContain("\u001b[3");
    }

    [Fact]
    public void TerminalInvoices_RedirectedOutput_IsNotATerminal()
    {
        TerminalInvoices.Applies(new StringWriter()).ShouldBeFalse();
    }
}
