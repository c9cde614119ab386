using Shouldly;
using Xunit;

namespace TariffLang.Tests.Rating;

/// <summary>A streamed rating reports how much of the file it has read, and stops when cancelled.</summary>
public sealed class ProgressTests
{
    private static string Ledger => Path.Combine(Compilation.CompilerTestSupport.RepoRoot, "examples", "calendoc", "ledger.csv");

    private static CompiledTariff Calendoc =>
        Tariff.Load(Path.Combine(Compilation.CompilerTestSupport.RepoRoot, "tariffs", "calendoc.tariff"));

    private sealed class Recorder : IProgress<double>
    {
        public List<double> Values { get; } = new();

        public void Report(double value)
        {
            lock (Values) Values.Add(value);
        }
    }

    [Fact]
    public void RateFile_WithProgress_ReportsSharesUpToTheWholeFileAndTheSameInvoices()
    {
        var recorder = new Recorder();
        var tariff = Calendoc;
        var withProgress = tariff.RateFile(Ledger, options: new RatingOptions { Progress = recorder, Threads = 2 });
        recorder.Values.ShouldNotBeEmpty();
        recorder.Values.ShouldAllBe(v => v > 0 && v <= 1);
        recorder.Values[^1].ShouldBe(1.0);
        withProgress.ToJson().ShouldBe(tariff.RateFile(Ledger, options: new RatingOptions { Threads = 2 }).ToJson());
    }

    [Fact]
    public void RateFile_Cancelled_ThrowsOperationCanceled()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Should.Throw<OperationCanceledException>(
            () => Calendoc.RateFile(Ledger, options: new RatingOptions { Cancellation = cancel.Token }));
    }
}
