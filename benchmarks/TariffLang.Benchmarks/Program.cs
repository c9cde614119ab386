using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/TariffLang.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(TariffLang.Benchmarks.RatingBenchmarks).Assembly).Run(args);
