using System.Text;
using TariffLang.Text;

namespace TariffLang.Diagnostics;

/// <summary>How serious a diagnostic is. Errors stop a tariff from rating; warnings do not.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Worth reading; the tariff still rates.</summary>
    Warning,

    /// <summary>The tariff cannot rate until it is fixed.</summary>
    Error,
}

/// <summary>A problem found in a tariff: a stable code, where it is, and what it means.</summary>
/// <param name="Code">The stable code from the catalogue, e.g. <c>TL0004</c>; see docs/diagnostics.md.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Path">The file the tariff was read from.</param>
/// <param name="Span">Where in the file, as an offset and a length.</param>
/// <param name="Line">The 1-based line of the span's start.</param>
/// <param name="Column">The 1-based column of the span's start.</param>
/// <param name="Message">What is wrong, in the analyst's words.</param>
public sealed record Diagnostic(string Code, DiagnosticSeverity Severity, string Path, TextSpan Span, int Line, int Column, string Message)
{
    /// <summary>True for an error.</summary>
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>The text of the line the span starts on (without its line break), when the source was known.</summary>
    public string? SourceLine { get; init; }

    /// <summary>The conventional <c>path:line:col: error TL0001: message</c> form.</summary>
    public override string ToString() =>
        $"{Path}:{Line}:{Column}: {(IsError ? "error" : "warning")} {Code}: {Message}";

    /// <summary>
    /// The one-line form followed by the source line and a caret under the span, as compilers show it:
    /// <code>
    /// t.tariff:7:30: error TL0010: event 'sms' has no attribute 'lengt'; did you mean 'length'?
    ///    7 |   charge "SMS" per sms where lengt > 3 at 0.1 EUR per sms
    ///      |                              ^^^^^
    /// </code>
    /// A span running past its first line is underlined to that line's end.
    /// </summary>
    public string Render()
    {
        var text = new StringBuilder(ToString());
        if (SourceLine is null) return text.ToString();
        var gutter = Line.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(4);
        var blank = new string(' ', gutter.Length);
        var line = SourceLine.Replace('\t', ' ');
        var start = Math.Clamp(Column - 1, 0, line.Length);
        var width = Math.Clamp(Span.Length, 1, Math.Max(1, line.Length - start));
        text.Append('\n').Append(gutter).Append(" | ").Append(line);
        text.Append('\n').Append(blank).Append(" | ").Append(' ', start).Append('^', width);
        return text.ToString();
    }
}

/// <summary>Collects diagnostics for one source file.</summary>
internal sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = new();

    public DiagnosticBag(SourceText source) => Source = source;

    public SourceText Source { get; }

    public IReadOnlyList<Diagnostic> Items => _items;

    public bool HasErrors => _items.Any(d => d.IsError);

    /// <summary>
    /// The declared names an "unknown …" diagnostic could have meant, given its descriptor and arguments (null: none known).
    /// Set by the checker once it knows the tariff's names, so every report of an unknown name offers the closest one.
    /// </summary>
    public Func<DiagnosticDescriptor, object[], (string Name, IEnumerable<string> Candidates)?>? Vocabulary { get; set; }

    private const int MaxShownLine = 300;

    public void Report(DiagnosticDescriptor descriptor, TextSpan span, params object[] args)
    {
        var (line, column) = Source.GetLineColumn(span.Start);
        var message = string.Format(System.Globalization.CultureInfo.InvariantCulture, descriptor.Format, args);
        if (Vocabulary?.Invoke(descriptor, args) is { } known && NameSuggestion.Closest(known.Name, known.Candidates) is { } closest)
            message += $"; did you mean '{closest}'?";
        // A line too long to read on a terminal (generated or fuzzed text) is not copied into every diagnostic on it.
        _items.Add(new Diagnostic(descriptor.Code, descriptor.Severity, Source.Path, span, line, column, message)
        {
            SourceLine = Source.LineText(line, MaxShownLine),
        });
    }
}
