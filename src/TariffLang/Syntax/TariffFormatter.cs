using System.Text;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using TariffLang.Diagnostics;
using TariffLang.Syntax.Generated;
using TariffLang.Text;

namespace TariffLang.Syntax;

/// <summary>
/// The canonical layout of a tariff (<c>tariff fmt</c>). It works on the tokens of a file that parses, so every comment is
/// kept and the meaning cannot change: the author's line breaks stay where they are (collapsing blank runs to one), each
/// line is indented two spaces per open brace, a line that continues a declaration four more, and the spaces between
/// tokens on a line follow one table of rules. The result is checked to have the very same tokens and comments, in the
/// same order, before it is returned. Formatting a formatted file changes nothing.
/// </summary>
internal static class TariffFormatter
{
    private const int Indent = 2;
    private const int Continuation = 4;

    /// <summary>The formatted text, or null with the diagnostics when the file does not parse.</summary>
    public static string? Format(SourceText source, DiagnosticBag diagnostics)
    {
        var syntax = SyntaxParser.Parse(source, diagnostics);
        if (syntax is null || diagnostics.HasErrors) return null;

        var lexer = new TariffLexer(new AntlrInputStream(source.Text));
        lexer.RemoveErrorListeners();
        var tokens = new CommonTokenStream(lexer);
        tokens.Fill();
        var parser = new TariffParser(tokens);
        parser.RemoveErrorListeners();
        var tree = parser.file();

        var roles = new Roles(tokens.Size);
        roles.Walk(tree);
        var text = Layout(tokens.GetTokens(), roles);
        if (!SameTokens(source.Text, text))
        {
            // Never expected: the layout only moves whitespace. Refuse rather than write a file that could mean something else.
            diagnostics.Report(DiagnosticCatalog.SyntaxError, new TextSpan(0, 0),
                "the formatter could not keep this file's tokens intact; it was left as it is");
            return null;
        }
        return text;
    }

    /// <summary>What the parse tree says about each token that the spacing rules need.</summary>
    private sealed class Roles(int count)
    {
        public readonly bool[] StartsStatement = new bool[count];
        public readonly bool[] Attached = new bool[count];      // no space before this token
        public readonly bool[] AttachNext = new bool[count];    // no space after this token

        public void Walk(IParseTree node)
        {
            if (node is not ParserRuleContext context) return;
            if (context is TariffParser.FileContext && context.Start is { } first) StartsStatement[first.TokenIndex] = true;
            var insideBraces = false;
            for (var i = 0; i < context.ChildCount; i++)
            {
                var child = context.GetChild(i);
                if (child is ITerminalNode terminal)
                {
                    var token = terminal.Symbol;
                    if (token.TokenIndex < 0) continue;
                    if (token.Type == TariffLexer.LBRACE) insideBraces = true;
                    Terminal(context, token);
                }
                else if (child is ParserRuleContext rule)
                {
                    // Everything written between a construct's braces is a statement of its own: a line it starts is not a
                    // continuation. Reading it from the tree keeps this true for any construct the grammar gains.
                    if (insideBraces && rule.Start is { TokenIndex: >= 0 } start) StartsStatement[start.TokenIndex] = true;
                    Walk(rule);
                }
            }
        }

        private void Terminal(ParserRuleContext parent, IToken token)
        {
            var i = token.TokenIndex;
            switch (token.Type)
            {
                case TariffLexer.COMMA or TariffLexer.RPAREN or TariffLexer.RBRACKET or TariffLexer.COLON or TariffLexer.QUESTION
                    or TariffLexer.PERCENT:
                    Attached[i] = true;
                    break;
                case TariffLexer.LPAREN:
                    AttachNext[i] = true;
                    // A call, an event's attribute list and an example's usage hug their name: count(sms), sms(length: 3).
                    if (parent is TariffParser.CallContext or TariffParser.EventDeclContext or TariffParser.UsageContext)
                        Attached[i] = true;
                    break;
                case TariffLexer.LBRACKET:
                    AttachNext[i] = true;
                    if (parent is TariffParser.TableLookupContext) Attached[i] = true;
                    break;
                case TariffLexer.DOT:
                    Attached[i] = AttachNext[i] = true;
                    break;
                case TariffLexer.MINUS when parent is TariffParser.NegateContext:
                    AttachNext[i] = true;
                    break;
                case TariffLexer.MINUS when parent is TariffParser.YearlyGrantContext:
                    // every year on 12-01: a month and a day, not a subtraction.
                    Attached[i] = AttachNext[i] = true;
                    break;
            }
        }
    }

    private static string Layout(IList<IToken> tokens, Roles roles)
    {
        var output = new StringBuilder();
        var line = new StringBuilder();
        var depth = 0;       // braces open before the token in hand
        var parens = 0;      // brackets and parentheses open
        var lineHasContent = false;
        var blankPending = false;
        var lastNewlines = 0;
        IToken? previous = null;

        void EndLine()
        {
            if (!lineHasContent) return;
            output.Append(line.ToString().TrimEnd()).Append('\n');
            line.Clear();
            lineHasContent = false;
        }

        foreach (var token in tokens)
        {
            if (token.Type == TokenConstants.EOF) break;
            if (token.Channel != TokenConstants.DefaultChannel && token.Type == TariffLexer.WS)
            {
                lastNewlines += token.Text.Count(c => c == '\n');
                continue;
            }
            if (token.Type == TariffLexer.ERROR_CHAR) continue; // a file with one does not parse, so this is never reached

            var startsLine = previous is null || lastNewlines > 0;
            if (startsLine && previous is not null)
            {
                EndLine();
                if (lastNewlines > 1) blankPending = true;
            }
            if (startsLine)
            {
                if (blankPending && output.Length > 0 && token.Type != TariffLexer.RBRACE) output.Append('\n');
                blankPending = false;
                var level = depth - (token.Type == TariffLexer.RBRACE ? 1 : 0);
                var isComment = token.Type is TariffLexer.LINE_COMMENT or TariffLexer.BLOCK_COMMENT;
                var continues = !isComment && token.Type != TariffLexer.RBRACE && (parens > 0 || !roles.StartsStatement[token.TokenIndex]);
                line.Append(' ', Math.Max(0, level) * Indent + (continues ? Continuation : 0));
            }
            else
            {
                var attach = roles.Attached[Math.Max(0, token.TokenIndex)] && token.Channel == TokenConstants.DefaultChannel;
                var after = previous!.Channel == TokenConstants.DefaultChannel && roles.AttachNext[previous.TokenIndex];
                if (!(attach || after)) line.Append(' ');
            }

            line.Append(token.Type == TariffLexer.LINE_COMMENT ? token.Text.TrimEnd() : token.Text);
            lineHasContent = true;
            lastNewlines = 0;
            switch (token.Type)
            {
                case TariffLexer.LBRACE: depth++; break;
                case TariffLexer.RBRACE: depth--; break;
                case TariffLexer.LPAREN or TariffLexer.LBRACKET: parens++; break;
                case TariffLexer.RPAREN or TariffLexer.RBRACKET: parens = Math.Max(0, parens - 1); break;
            }
            previous = token;
        }
        EndLine();
        return output.ToString();
    }

    /// <summary>Both texts lex to the same tokens and the same comments, in the same order.</summary>
    internal static bool SameTokens(string before, string after)
    {
        var a = Significant(before);
        var b = Significant(after);
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] != b[i]) return false;
        }
        return true;
    }

    private static List<(int Type, string Text)> Significant(string text)
    {
        var lexer = new TariffLexer(new AntlrInputStream(text));
        lexer.RemoveErrorListeners();
        var list = new List<(int, string)>();
        for (var t = lexer.NextToken(); t.Type != TokenConstants.EOF; t = lexer.NextToken())
        {
            if (t.Type == TariffLexer.WS) continue;
            list.Add((t.Type, t.Type == TariffLexer.LINE_COMMENT ? t.Text.TrimEnd() : t.Text));
        }
        return list;
    }
}
