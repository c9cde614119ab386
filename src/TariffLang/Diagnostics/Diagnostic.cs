using TariffLang.Text;

namespace TariffLang.Diagnostics;

/// <summary>How serious a diagnostic is. Errors stop a tariff from rating; warnings do not.</summary>
public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>A problem found in a tariff: a stable code, where it is, and what it means.</summary>
public sealed record Diagnostic(string Code, DiagnosticSeverity Severity, string Path, TextSpan Span, int Line, int Column, string Message)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>The conventional <c>path:line:col: error TL0001: message</c> form.</summary>
    public override string ToString() =>
        $"{Path}:{Line}:{Column}: {(IsError ? "error" : "warning")} {Code}: {Message}";
}

/// <summary>Collects diagnostics for one source file.</summary>
internal sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = new();

    public DiagnosticBag(SourceText source) => Source = source;

    public SourceText Source { get; }

    public IReadOnlyList<Diagnostic> Items => _items;

    public bool HasErrors => _items.Any(d => d.IsError);

    public void Report(DiagnosticDescriptor descriptor, TextSpan span, params object[] args)
    {
        var (line, column) = Source.GetLineColumn(span.Start);
        _items.Add(new Diagnostic(descriptor.Code, descriptor.Severity, Source.Path, span, line, column,
            string.Format(System.Globalization.CultureInfo.InvariantCulture, descriptor.Format, args)));
    }
}
