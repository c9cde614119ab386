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

    /// <summary>Parses on the calling thread: callers run it inside <see cref="LargeStack"/>.</summary>
    public static TariffSyntax? Parse(SourceText source, DiagnosticBag diagnostics) => ParseOnThisThread(source, diagnostics);

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
        var syntax = (TariffSyntax)new AstBuilder(diagnostics).Visit(tree);
        if (DeepestExpression(syntax) is { } deep)
        {
            // Later stages walk expressions recursively on the caller's stack: refuse what could overflow it.
            diagnostics.Report(DiagnosticCatalog.NestingTooDeep, new TextSpan(deep.Span.Start, 0), MaxExpressionDepth);
            return null;
        }
        return diagnostics.HasErrors ? null : syntax;
    }

    /// <summary>How deep an expression tree may be (operator chains count: a+b+c is two levels).</summary>
    internal const int MaxExpressionDepth = 2500;

    private static ExprSyntax? DeepestExpression(TariffSyntax tariff)
    {
        foreach (var expr in AllExpressions(tariff))
        {
            if (Depth(expr, 0) > MaxExpressionDepth) return expr;
        }
        return null;
    }

    private static int Depth(ExprSyntax e, int depth)
    {
        if (depth > MaxExpressionDepth) return depth;
        return 1 + e switch
        {
            UnarySyntax u => Depth(u.Operand, depth + 1),
            BinarySyntax b => Math.Max(Depth(b.Left, depth + 1), Depth(b.Right, depth + 1)),
            IsNoneSyntax i => Depth(i.Operand, depth + 1),
            FilterSyntax f => Math.Max(Depth(f.Source, depth + 1), Depth(f.Condition, depth + 1)),
            ConditionalSyntax c => Math.Max(Depth(c.Condition, depth + 1), Math.Max(Depth(c.Then, depth + 1), Depth(c.Else, depth + 1))),
            CallSyntax c => c.Args.Select(a => Depth(a, depth + 1)).DefaultIfEmpty(0).Max(),
            LookupSyntax l => l.Keys.Select(a => Depth(a, depth + 1)).DefaultIfEmpty(0).Max(),
            _ => 0,
        };
    }

    // Every expression that an item holds directly; nested ones are reached by Depth.
    private static IEnumerable<ExprSyntax> AllExpressions(TariffSyntax tariff)
    {
        IEnumerable<ExprSyntax?> Of(ItemSyntax item) => item switch
        {
            ParamSyntax p => [p.Default],
            PlanSyntax p => [p.Fee, p.Includes, p.Extra],
            TableSyntax t => t.Rows.SelectMany(r => r.Cells).Select(c => c.Value),
            WindowSyntax w => [w.Condition],
            StateSyntax s => s.Ops.SelectMany(o => new[] { o.Condition, o.Value }).Append(s.Initial),
            RuleSyntax r => [r.Condition],
            LetSyntax l => [l.Value],
            AggregateChargeSyntax a => [a.Amount, a.Price],
            EventChargeSyntax e => [e.Condition, e.Price],
            GrantSyntax g => [g.Amount],
            VersionsSyntax v => v.Versions.SelectMany(x => x.Items).SelectMany(Of),
            ExampleSyntax x => x.Items.SelectMany(i => i switch
            {
                WithParamSyntax w => new ExprSyntax?[] { w.Value },
                UsageSyntax u => u.Args.Select(a => (ExprSyntax?)a.Value),
                ExpectTotalSyntax t => new ExprSyntax?[] { t.Total },
                ExpectLineSyntax l => new ExprSyntax?[] { l.Quantity, l.Amount },
                ExpectBalanceSyntax b => new ExprSyntax?[] { b.Balance },
                _ => Array.Empty<ExprSyntax?>(),
            }),
            _ => [],
        };
        return tariff.Items.SelectMany(Of).Where(e => e is not null).Select(e => e!);
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

        // ANTLR's messages speak of token names (STRING, IDENT); analysts read them better as plain words,
        // and a list of twenty keywords that could have come next helps nobody.
        private static string Humanize(string message)
        {
            message = message
                .Replace("extraneous input", "unexpected")
                .Replace("mismatched input", "unexpected")
                .Replace("no viable alternative at input", "cannot read")
                .Replace("'<EOF>'", "end of file")
                .Replace("<EOF>", "end of file")
                .Replace("STRING", "a text in quotes")
                .Replace("IDENT", "a name")
                .Replace("DECIMAL", "a number")
                .Replace("INT", "a whole number");
            var open = message.IndexOf(" expecting {", StringComparison.Ordinal);
            if (open >= 0 && message.EndsWith('}') && message.Count(c => c == ',') >= MaxExpectedShown)
                return message[..open] + " here";
            if (message.StartsWith("missing {", StringComparison.Ordinal) && message.Count(c => c == ',') >= MaxExpectedShown)
            {
                var at = message.LastIndexOf("} at ", StringComparison.Ordinal);
                var what = message.Contains("a name", StringComparison.Ordinal) ? "a name" : "something";
                return at < 0 ? $"{what} is missing" : $"{what} is missing before {message[(at + 5)..]}";
            }
            return message;
        }

        private const int MaxExpectedShown = 6;
    }
}
