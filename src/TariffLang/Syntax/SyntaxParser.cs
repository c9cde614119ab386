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

    /// <summary>
    /// Builds the lexer's and the parser's tables (ANTLR deserializes its state machines when each class is first used,
    /// about a third of a first parse), so that another thread can do it while this process is still starting.
    /// </summary>
    internal static void PrepareTables()
    {
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(TariffLexer).TypeHandle);
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(TariffParser).TypeHandle);
    }

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
            var listener = new ErrorListener(diagnostics, tokens);
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

    /// <summary>
    /// Turns ANTLR's reports into the language's own words: what was found, what could come there, and a hint for the
    /// slips analysts make (a decimal comma, a date without its zeros, a missing 'at', a reserved word as a name). The
    /// parser's recovery often reports the consequences of one mistake on the same line again: only the first counts.
    /// </summary>
    private sealed class ErrorListener(DiagnosticBag diagnostics, CommonTokenStream tokens) : BaseErrorListener
    {
        private int _lastLine = -1;

        public int Count { get; private set; }

        public override void SyntaxError(TextWriter output, IRecognizer recognizer, IToken offendingSymbol, int line,
            int charPositionInLine, string msg, RecognitionException e)
        {
            Count++;
            if (line == _lastLine) return;
            _lastLine = line;
            var parser = (Parser)recognizer;
            var expected = e?.GetExpectedTokens() ?? parser.GetExpectedTokens();
            var (span, message) = Describe(offendingSymbol, expected, parser);
            diagnostics.Report(DiagnosticCatalog.SyntaxError, span, message);
        }

        private (TextSpan Span, string Message) Describe(IToken? found, IntervalSet expected, Parser parser)
        {
            if (found is null) return (new TextSpan(0, 0), "cannot read the tariff");
            var atEnd = found.Type == TokenConstants.EOF;
            var span = atEnd ? new TextSpan(Math.Max(0, found.StartIndex), 0)
                : new TextSpan(found.StartIndex, Math.Max(1, found.StopIndex - found.StartIndex + 1));

            // A run of tokens written without spaces (2024-1-5, 0,106) is one thing the analyst typed.
            var (runStart, runEnd) = Run(found);
            var typed = atEnd ? "" : Text(runStart, runEnd);
            if (!atEnd && DateSlip(typed, expected) is { } date)
                return (TextSpan.FromBounds(tokens.Get(runStart).StartIndex, tokens.Get(runEnd).StopIndex + 1), date);

            var hints = new List<string>();
            if (!atEnd && DecimalComma(runStart, runEnd) is { } comma) hints.Add(comma);
            string message;
            if (expected.Contains(TariffLexer.AT) && found.Type is TariffLexer.INT or TariffLexer.DECIMAL or TariffLexer.PARAM)
                message = "missing 'at' before the price";
            else if (expected.Contains(TariffLexer.IDENT) && IsReservedWord(found, parser))
                message = $"'{found.Text}' is a reserved word and cannot be used as a name here; choose another "
                    + $"name (e.g. '{found.Text}_')";
            else
            {
                var what = atEnd ? "the file ends too early" : $"unexpected '{Shorten(found.Text)}'";
                var words = Words(expected, parser);
                message = words.Count is > 0 and <= MaxExpectedShown ? $"{what}; expected {Join(words)}" : atEnd ? what : what + " here";
                if (atEnd) message += " (is a closing '}' or ')' missing?)";
            }
            foreach (var hint in hints) message += "; " + hint;
            return (span, message);
        }

        /// <summary>The tokens around <paramref name="found"/> on the default channel that touch it without a space.</summary>
        private (int Start, int End) Run(IToken found)
        {
            int start = found.TokenIndex, end = found.TokenIndex;
            while (start > 0 && Touch(tokens.Get(start - 1), tokens.Get(start))) start--;
            while (end + 1 < tokens.Size && tokens.Get(end + 1).Type != TokenConstants.EOF && Touch(tokens.Get(end), tokens.Get(end + 1)))
                end++;
            return (start, end);
        }

        private static bool Touch(IToken left, IToken right) =>
            left.Channel == 0 && right.Channel == 0 && left.StopIndex + 1 == right.StartIndex && left.Type != TokenConstants.EOF;

        private string Text(int start, int end)
        {
            var text = new System.Text.StringBuilder();
            for (var i = start; i <= end; i++) text.Append(tokens.Get(i).Text);
            return text.ToString();
        }

        private static readonly System.Text.RegularExpressions.Regex DateLike = new(
            @"^(?<y>\d{4})-(?<m>\d{1,2})(-(?<d>\d{1,2}))?(T(?<h>\d{1,2})(:(?<mi>\d{1,2}))?(:(?<s>\d{1,2}))?(?<z>Z|[+-]\d{1,2}(:\d{2})?)?)?$",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

        /// <summary>A date or time missing a leading zero, read by the lexer as arithmetic: say how to write it.</summary>
        private static string? DateSlip(string typed, IntervalSet expected)
        {
            if (typed.Length > 40) return null;
            var m = DateLike.Match(typed);
            if (!m.Success) return null;
            static string Two(System.Text.RegularExpressions.Group g) => g.Value.PadLeft(2, '0');
            if (m.Groups["h"].Success)
            {
                var fixedTime = $"{m.Groups["y"].Value}-{Two(m.Groups["m"])}-{Two(m.Groups["d"])}T{Two(m.Groups["h"])}:" +
                    (m.Groups["mi"].Success ? Two(m.Groups["mi"]) : "00") + (m.Groups["s"].Success ? ":" + Two(m.Groups["s"]) : "")
                        + m.Groups["z"].Value;
                return $"'{typed}' is not a date and time: write YYYY-MM-DDTHH:MM with two digits each, e.g. {fixedTime}";
            }
            if (m.Groups["d"].Success)
                return $"'{typed}' is not a date: write YYYY-MM-DD with two digits for the month and the day, e.g. " +
                    $"{m.Groups["y"].Value}-{Two(m.Groups["m"])}-{Two(m.Groups["d"])}";
            return expected.Contains(TariffLexer.MONTHLIT) || expected.Contains(TariffLexer.DATE) || expected.Contains(TariffLexer.DATETIME)
                ? $"'{typed}' is not a month or a date: write YYYY-MM or YYYY-MM-DD with two digits for the month"
                : null;
        }

        /// <summary>0,106 written the French way: the comma splits it in two numbers.</summary>
        private string? DecimalComma(int start, int end)
        {
            for (var i = start; i + 2 <= end; i++)
            {
                var (a, comma, b) = (tokens.Get(i), tokens.Get(i + 1), tokens.Get(i + 2));
                if (a.Type == TariffLexer.INT && comma.Type == TariffLexer.COMMA && b.Type is TariffLexer.INT or TariffLexer.DECIMAL)
                    return $"decimal numbers are written with a point: {a.Text}.{b.Text}, not {a.Text},{b.Text}";
            }
            return null;
        }

        /// <summary>A keyword that is not one of the soft keywords the grammar also accepts as a name.</summary>
        private static bool IsReservedWord(IToken found, Parser parser)
        {
            if (found.Type <= 0 || found.Type == TariffLexer.IDENT) return false;
            var literal = parser.Vocabulary.GetLiteralName(found.Type);
            return literal is { Length: > 2 } && char.IsLetter(literal[1]) && !NameTokens(parser).Contains(found.Type);
        }

        private static IntervalSet? _nameTokens;

        /// <summary>The tokens that can start a name: IDENT and the soft keywords, read from the grammar itself.</summary>
        private static IntervalSet NameTokens(Parser parser) =>
            _nameTokens ??= parser.Atn.NextTokens(parser.Atn.ruleToStartState[TariffParser.RULE_name]);

        /// <summary>The expected tokens in words; the soft keywords are folded into "a name".</summary>
        private static List<string> Words(IntervalSet expected, Parser parser)
        {
            var words = new List<string>();
            var names = NameTokens(parser);
            var nameExpected = expected.Contains(TariffLexer.IDENT);
            foreach (var type in expected.ToArray())
            {
                if (nameExpected && type != TariffLexer.IDENT && names.Contains(type)) continue;
                var word = type switch
                {
                    TokenConstants.EOF => "the end of the file",
                    TariffLexer.IDENT => "a name",
                    TariffLexer.STRING => "a text in quotes",
                    TariffLexer.INT => "a whole number",
                    TariffLexer.DECIMAL => "a decimal number",
                    TariffLexer.DATE => "a date (YYYY-MM-DD)",
                    TariffLexer.DATETIME => "a date and time (YYYY-MM-DDTHH:MM)",
                    TariffLexer.MONTHLIT => "a month (YYYY-MM)",
                    TariffLexer.DURATION => "a duration (such as 24h, 30min, 7d)",
                    _ => parser.Vocabulary.GetLiteralName(type) ?? parser.Vocabulary.GetDisplayName(type),
                };
                if (!words.Contains(word)) words.Add(word);
            }
            return words;
        }

        private static string Join(List<string> words) =>
            words.Count == 1 ? words[0] : string.Join(", ", words.Take(words.Count - 1)) + " or " + words[^1];

        private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

        private const int MaxExpectedShown = 5;
    }
}
