using System.Runtime.CompilerServices;

// Generated rating code reads the checked model and the evaluation context, which are internal:
// every assembly the compiled backend emits is named TariffLang.Generated for this reason.
[assembly: InternalsVisibleTo(TariffLang.Emitter.TariffCompiler.GeneratedAssemblyName)]
