using Antlr4.Runtime;
using Antlr4.Runtime.Atn;
using Antlr4.Runtime.Misc;
using TariffLang.Diagnostics;
using TariffLang.Syntax.Generated;
using TariffLang.Text;

namespace TariffLang.Syntax;

/// <summary>Parses tariff text into an AST, reporting every syntax error as a TL0001–TL0003 diagnostic.</summary>
internal static class SyntaxParser
{
    /// <summary>Deeper bracket nesting than any real tariff needs; beyond it ANTLR's recursion could overflow the stack.</summary>
    internal const int MaxNesting = 64;

    // Parsing runs on a thread with a generous stack: long operator chains make deep (left-leaning)
    // trees, and a StackOverflowException would kill the host process instead of reporting an error.
    private const int ParserStackBytes = 64 * 1024 * 1024;

    public static TariffSyntax? Parse(SourceText source, DiagnosticBag diagnostics)
    {
        TariffSyntax? result = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { result = ParseOnThisThread(source, diagnostics); }
            catch (Exception e) { failure = e; }
        }, ParserStackBytes);
        thread.Start();
        thread.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        return result;
    }

    private static TariffSyntax? ParseOnThisThread(SourceText source, DiagnosticBag diagnostics)
    {
        var lexer = new TariffLexer(new AntlrInputStream(source.Text));
        lexer.RemoveErrorListeners();
        var tokens = new CommonTokenStream(lexer);
        tokens.Fill();

        var depth = 0;
        foreach (var token in tokens.GetTokens())
        {
            switch (token.Type)
            {
                case TariffLexer.ERROR_CHAR:
                    diagnostics.Report(DiagnosticCatalog.UnexpectedCharacter, new TextSpan(token.StartIndex, 1), token.Text);
                    break;
                case TariffLexer.LPAREN or TariffLexer.LBRACKET or TariffLexer.LBRACE:
                    if (++depth == MaxNesting + 1)
                    {
                        diagnostics.Report(DiagnosticCatalog.NestingTooDeep, new TextSpan(token.StartIndex, 1), MaxNesting);
                        return null;
                    }
                    break;
                case TariffLexer.RPAREN or TariffLexer.RBRACKET or TariffLexer.RBRACE:
                    depth--;
                    break;
            }
        }
        if (CountPrefixRun(tokens) > MaxNesting * 4)
        {
            diagnostics.Report(DiagnosticCatalog.NestingTooDeep, new TextSpan(0, 0), MaxNesting * 4);
            return null;
        }

        // Two-stage parse: the fast SLL mode with bail-out, and full LL with error recovery only when
        // SLL fails (which it also does on every real syntax error).
        var parser = new TariffParser(tokens);
        parser.RemoveErrorListeners();
        parser.Interpreter.PredictionMode = PredictionMode.SLL;
        parser.ErrorHandler = new BailErrorStrategy();
        TariffParser.FileContext tree;
        try
        {
            tree = parser.file();
        }
        catch (ParseCanceledException)
        {
            tokens.Seek(0);
            parser.Reset();
            parser.Interpreter.PredictionMode = PredictionMode.LL;
            parser.ErrorHandler = new DefaultErrorStrategy();
            var listener = new ErrorListener(diagnostics);
            parser.AddErrorListener(listener);
            tree = parser.file();
            if (listener.Count > 0) return null;
        }

        if (diagnostics.HasErrors) return null;
        return (TariffSyntax)new AstBuilder().Visit(tree);
    }

    // A long run of `not`/`-` prefixes nests the parse without any bracket.
    private static int CountPrefixRun(CommonTokenStream tokens)
    {
        int longest = 0, run = 0;
        foreach (var token in tokens.GetTokens())
        {
            if (token.Channel != 0) continue;
            run = token.Type is TariffLexer.NOT or TariffLexer.MINUS ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        return longest;
    }

    private sealed class ErrorListener(DiagnosticBag diagnostics) : BaseErrorListener
    {
        public int Count { get; private set; }

        public override void SyntaxError(TextWriter output, IRecognizer recognizer, IToken offendingSymbol, int line,
            int charPositionInLine, string msg, RecognitionException e)
        {
            Count++;
            var start = offendingSymbol?.StartIndex ?? 0;
            var length = offendingSymbol is null || offendingSymbol.Type == TokenConstants.EOF
                ? 0
                : Math.Max(1, offendingSymbol.StopIndex - offendingSymbol.StartIndex + 1);
            diagnostics.Report(DiagnosticCatalog.SyntaxError, new TextSpan(Math.Max(0, start), length), Humanize(msg));
        }

        // ANTLR's messages speak of token names (STRING, IDENT); analysts read them better as plain words.
        private static string Humanize(string message) => message
            .Replace("extraneous input", "unexpected")
            .Replace("mismatched input", "unexpected")
            .Replace("'<EOF>'", "end of file")
            .Replace("<EOF>", "end of file");
    }
}
