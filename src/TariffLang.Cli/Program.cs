using TariffLang.Cli;

return await Task.FromResult(CliApp.Run(args, Console.Out, Console.Error));
