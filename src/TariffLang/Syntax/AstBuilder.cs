using System.Collections.Immutable;
using System.Globalization;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using TariffLang.Diagnostics;
using TariffLang.Syntax.Generated;
using TariffLang.Text;
using static TariffLang.Syntax.Generated.TariffParser;

namespace TariffLang.Syntax;

/// <summary>
/// Turns ANTLR's parse tree into the immutable AST. This is the only place that sees ANTLR types:
/// everything after it works on <see cref="SyntaxNode"/> records.
/// </summary>
internal sealed class AstBuilder(DiagnosticBag diagnostics) : TariffBaseVisitor<SyntaxNode>
{
    /// <summary>The most rows one example line may generate: beyond it an example is a denial of service, not a test.</summary>
    internal const int MaxExampleCount = 1_000_000;

    /// <summary>A whole number literal; one too large to be meaningful is reported, not thrown.</summary>
    private int Int(IToken token, int max = int.MaxValue)
    {
        if (int.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= max) return value;
        diagnostics.Report(DiagnosticCatalog.InvalidLiteral, SpanOf(token),
            "number (at most " + max.ToString(CultureInfo.InvariantCulture) + ")", token.Text);
        return 1;
    }

    private decimal Decimal(ParserRuleContext number)
    {
        if (decimal.TryParse(number.GetText(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)) return value;
        diagnostics.Report(DiagnosticCatalog.InvalidLiteral, SpanOf(number), "number", number.GetText());
        return 0m;
    }

    private static TextSpan SpanOf(ParserRuleContext ctx) =>
        TextSpan.FromBounds(ctx.Start.StartIndex, Math.Max(ctx.Start.StartIndex, (ctx.Stop ?? ctx.Start).StopIndex + 1));

    private static TextSpan SpanOf(IToken token) => TextSpan.FromBounds(token.StartIndex, token.StopIndex + 1);

    private static TextSpan SpanOf(ITerminalNode node) => SpanOf(node.Symbol);

    private static NameSyntax Name(NameContext ctx) => new(ctx.GetText(), SpanOf(ctx));

    private static NameSyntax? NameOrNull(NameContext? ctx) => ctx is null ? null : Name(ctx);

    /// <summary>The value of a string literal: quotes removed, escapes resolved.</summary>
    internal static string Unquote(string literal)
    {
        var body = literal.Substring(1, literal.Length - 2);
        if (!body.Contains('\\')) return body;
        var sb = new System.Text.StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '\\' && i + 1 < body.Length)
            {
                c = body[++i] switch { 'n' => '\n', 't' => '\t', var other => other };
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static string Str(ITerminalNode node) => Unquote(node.GetText());

    private ExprSyntax Expr(ParserRuleContext ctx) => (ExprSyntax)Visit(ctx);

    private ExprSyntax? ExprOrNull(ParserRuleContext? ctx) => ctx is null ? null : Expr(ctx);

    private ImmutableArray<ItemSyntax> Items(IEnumerable<ItemContext> items) =>
        items.Select(i => (ItemSyntax)Visit(i.GetChild(0))).ToImmutableArray();

    public override SyntaxNode VisitFile(FileContext context) => Visit(context.tariff());

    public override SyntaxNode VisitTariff(TariffContext context) =>
        new TariffSyntax(Name(context.name()), context.STRING() is { } title ? Str(title) : null, Items(context.item()), SpanOf(context));

    public override SyntaxNode VisitCurrencyDecl(CurrencyDeclContext context) =>
        new CurrencySyntax(Name(context.name()), context.taxBasis?.Text, SpanOf(context));

    private PeriodLengthSyntax Length(PeriodLengthContext ctx) =>
        new(ctx.INT() is { } n ? Int(n.Symbol, 1200) : 1, Name(ctx.name()), SpanOf(ctx));

    public override SyntaxNode VisitFixedPeriod(FixedPeriodContext context) =>
        new PeriodSyntax(Length(context.length), null, ImmutableArray<PeriodChoiceSyntax>.Empty, Unquote(context.zone.Text),
            SpanOf(context.zone), SpanOf(context));

    public override SyntaxNode VisitChoicePeriod(ChoicePeriodContext context) =>
        new PeriodSyntax(null, Name(context.name()),
            context.periodChoice().Select(c => new PeriodChoiceSyntax(Str(c.STRING()), Length(c.periodLength()), SpanOf(c)))
                .ToImmutableArray(),
            Unquote(context.zone.Text), SpanOf(context.zone), SpanOf(context));

    public override SyntaxNode VisitEffectiveDecl(EffectiveDeclContext context) =>
        new EffectiveSyntax(context.DATE().GetText(), SpanOf(context.DATE()), SpanOf(context));

    public override SyntaxNode VisitTiersDecl(TiersDeclContext context) =>
        new TiersSyntax(Name(context.name()), context.scheme.Type == GRADUATED ? TierScheme.Graduated : TierScheme.Volume,
            context.tierBand().Select(b => new TierBandSyntax(ExprOrNull(b.bound), ExprOrNull(b.price), ExprOrNull(b.flat), SpanOf(b)))
                .ToImmutableArray(), SpanOf(context));

    public override SyntaxNode VisitGroupDecl(GroupDeclContext context) =>
        new GroupSyntax(Name(context.name()), context.STRING().Select(s => (Str(s), SpanOf(s))).ToImmutableArray(), SpanOf(context));

    public override SyntaxNode VisitLimitDecl(LimitDeclContext context) =>
        new LimitSyntax(context.kind.Type == MINIMUM, Str(context.STRING()), SpanOf(context.STRING()), Expr(context.amount),
            NameOrNull(context.group), SpanOf(context));

    public override SyntaxNode VisitTaxDecl(TaxDeclContext context) =>
        new TaxSyntax(Str(context.STRING()), SpanOf(context.STRING()), Expr(context.rate), NameOrNull(context.group),
            context.rounding?.Type == LINE, SpanOf(context));

    public override SyntaxNode VisitHolidaysDecl(HolidaysDeclContext context) =>
        new HolidaysSyntax(context.DATE().Select(d => (d.GetText(), SpanOf(d))).ToImmutableArray(), SpanOf(context));

    public override SyntaxNode VisitUnitDecl(UnitDeclContext context) =>
        new UnitSyntax(context.name().Select(Name).ToImmutableArray(), SpanOf(context));

    private static TypeSyntax Type(TypeRefContext ctx)
    {
        var names = ctx.name();
        return new TypeSyntax(Name(names[0]), names.Length > 1 ? Name(names[1]) : null, ctx.QUESTION() is not null, SpanOf(ctx));
    }

    public override SyntaxNode VisitParamDecl(ParamDeclContext context) =>
        new ParamSyntax(Name(context.name()), Type(context.typeRef()), ExprOrNull(context.expr()), SpanOf(context));

    public override SyntaxNode VisitEventDecl(EventDeclContext context) =>
        new EventSyntax(Name(context.name()),
            context.attrDecl().Select(a => new AttributeSyntax(Name(a.name()), Type(a.typeRef()), SpanOf(a))).ToImmutableArray(),
            SpanOf(context));

    public override SyntaxNode VisitPlanDecl(PlanDeclContext context)
    {
        ExprSyntax? fee = null, includes = null, extra = null;
        foreach (var field in context.planField())
        {
            switch (field)
            {
                case FeeFieldContext f: fee = Expr(f.expr()); break;
                case IncludesFieldContext i: includes = Expr(i.expr()); break;
                case ExtraFieldContext e: extra = Expr(e.expr()); break;
            }
        }
        return new PlanSyntax(Name(context.name()), context.STRING() is { } t ? Str(t) : null, fee, includes, extra, SpanOf(context));
    }

    public override SyntaxNode VisitTableDecl(TableDeclContext context)
    {
        var names = context.name();
        var forEvent = context.FOR() is not null ? Name(names[1]) : null;
        var keys = names.Skip(forEvent is null ? 1 : 2).Select(Name).ToImmutableArray();
        var rows = context.tableRow().Select(r => new TableRowSyntax(
            Str(r.STRING()), SpanOf(r.STRING()),
            r.tableCell().Select(c => new TableCellSyntax(
                c.STRING() is { } k ? Str(k) : null,
                c.STRING() is { } ks ? SpanOf(ks) : SpanOf(c),
                c.NONE() is not null ? null : Expr(c.expr()),
                SpanOf(c))).ToImmutableArray(),
            SpanOf(r))).ToImmutableArray();
        return new TableSyntax(Name(names[0]), forEvent, keys, Type(context.typeRef()), rows, SpanOf(context));
    }

    public override SyntaxNode VisitWindowDecl(WindowDeclContext context) =>
        new WindowSyntax(Name(context.name(0)), context.DURATION().GetText(), SpanOf(context.DURATION()),
            Name(context.key), Name(context.@event), ExprOrNull(context.expr()), SpanOf(context));

    public override SyntaxNode VisitStateDecl(StateDeclContext context)
    {
        var kind = context.kind.Type switch
        {
            COUNTER => StateKind.Counter,
            WALLET => StateKind.Wallet,
            ALLOWANCE => StateKind.Allowance,
            _ => StateKind.Setting,
        };
        var ops = context.stateOp().Select(o => new StateOpSyntax(
            Name(o.@event), ExprOrNull(o.cond),
            o.op.Type switch { ADD => StateOpKind.Add, SUBTRACT => StateOpKind.Subtract, USE => StateOpKind.Use, _ => StateOpKind.Set },
            Expr(o.value), o.NEXT() is not null, SpanOf(o)) { Lot = LotTerms(o.lotTerms()) }).ToImmutableArray();
        return new StateSyntax(kind, Name(context.name(0)), NameOrNull(context.key),
            context.typeRef() is { } t ? Type(t) : null, ExprOrNull(context.expr()), ops,
            context.RESET() is { } reset ? TextSpan.FromBounds(reset.Symbol.StartIndex, context.PERIOD().Symbol.StopIndex + 1) : null,
            SpanOf(context))
        {
            Lot = LotTerms(context.lotTerms()),
        };
    }

    public override SyntaxNode VisitRuleDecl(RuleDeclContext context) =>
        new RuleSyntax(context.kind.Type == REJECT ? RuleKind.Reject : RuleKind.Free, Name(context.@event),
            ExprOrNull(context.expr()), Str(context.STRING()), SpanOf(context));

    public override SyntaxNode VisitLetDecl(LetDeclContext context) =>
        new LetSyntax(Name(context.name(0)), context.@event is { } e ? Name(e) : null, Expr(context.expr()), SpanOf(context));

    public override SyntaxNode VisitAggregateCharge(AggregateChargeContext context) =>
        new AggregateChargeSyntax(Str(context.STRING()), SpanOf(context.STRING()), Expr(context.amount), ExprOrNull(context.price),
            SpanOf(context))
        {
            GroupKey = NameOrNull(context.groupKey),
            Grace = context.groupSpan()?.DURATION()?.GetText(),
            GraceSpan = context.groupSpan()?.DURATION() is { } grace ? SpanOf(grace) : default,
        };

    public override SyntaxNode VisitEventCharge(EventChargeContext context) =>
        new EventChargeSyntax(Str(context.STRING()), SpanOf(context.STRING()), Name(context.@event), ExprOrNull(context.cond),
            Expr(context.price), SpanOf(context));

    public override SyntaxNode VisitOnceGrant(OnceGrantContext context) =>
        new GrantSyntax(Str(context.STRING()), context.DATE().GetText(), 0, 0, SpanOf(context.DATE()), Expr(context.expr()),
            Name(context.wallet),
            SpanOf(context)) { Lot = LotTerms(context.lotTerms()) };

    public override SyntaxNode VisitYearlyGrant(YearlyGrantContext context) =>
        new GrantSyntax(Str(context.STRING()), null,
            Int(context.month, 99), Int(context.day, 99),
            TextSpan.FromBounds(context.month.StartIndex, context.day.StopIndex + 1), Expr(context.expr()), Name(context.wallet),
            SpanOf(context))
        {
            Lot = LotTerms(context.lotTerms()),
        };

    private LotTermsSyntax? LotTerms(LotTermsContext? context)
    {
        if (context is null) return null;
        var expiry = context.expiry();
        int? length = expiry?.length is { } l ? Int(l, int.MaxValue) : null;
        int? priority = context.priority is { } p ? Int(p, int.MaxValue) : null;
        return new LotTermsSyntax(length, expiry?.unit is { } unit ? Name(unit) : null, expiry?.NEVER() is not null, priority,
            SpanOf(context));
    }

    public override SyntaxNode VisitVersionsDecl(VersionsDeclContext context) =>
        new VersionsSyntax(Name(context.name()), context.versionBlock().Select(v => new VersionSyntax(
            v.from?.Text, v.from is { } from ? SpanOf(from) : default, v.until?.Text, v.until is { } until ? SpanOf(until) : default,
            TextSpan.FromBounds(v.Start.StartIndex, v.LBRACE().Symbol.StartIndex),
            Items(v.item()), SpanOf(v))).ToImmutableArray(), SpanOf(context));

    public override SyntaxNode VisitExampleDecl(ExampleDeclContext context) =>
        new ExampleSyntax(Str(context.STRING()), SpanOf(context.STRING()),
            context.exampleItem().Select(i => (ExampleItemSyntax)Visit(i)).ToImmutableArray(), SpanOf(context));

    private static string? Month(InMonthContext? ctx) => ctx?.MONTHLIT().GetText();

    private static DisputedSyntax? Disputed(DisputedContext? ctx) =>
        ctx is null ? null : new DisputedSyntax(Str(ctx.STRING()), SpanOf(ctx));

    public override SyntaxNode VisitWithParam(WithParamContext context) =>
        new WithParamSyntax(Name(context.name()), Expr(context.expr()), SpanOf(context));

    public override SyntaxNode VisitUsage(UsageContext context)
    {
        var eventName = Name(context.name());
        return new UsageSyntax(
            context.count is { } count ? Int(count, MaxExampleCount) : 1,
            context.when?.Text,
            context.AFTER() is not null ? context.DURATION().GetText() : null,
            context.when is { } when ? SpanOf(when) : context.DURATION() is { } after ? SpanOf(after) : default,
            eventName,
            context.exampleArg().Select(a => new ExampleArgSyntax(Name(a.name()), Expr(a.expr()), SpanOf(a))).ToImmutableArray(),
            context.outcome is { } outcome ? new NameSyntax(outcome.GetText(), SpanOf(outcome)) : null,
            SpanOf(context));
    }

    public override SyntaxNode VisitExpectTotal(ExpectTotalContext context) =>
        new ExpectTotalSyntax(Expr(context.expr()), Month(context.inMonth()), Disputed(context.disputed()), SpanOf(context))
        {
            Kind = context.TOTAL() is null ? TotalKind.Tax : context.WITH() is not null ? TotalKind.WithTax : TotalKind.AsPriced,
        };

    public override SyntaxNode VisitExpectLine(ExpectLineContext context) =>
        new ExpectLineSyntax(Str(context.STRING()), false, ExprOrNull(context.qty), ExprOrNull(context.amt),
            Month(context.inMonth()), Disputed(context.disputed()), SpanOf(context));

    public override SyntaxNode VisitExpectNoLine(ExpectNoLineContext context) =>
        new ExpectLineSyntax(Str(context.STRING()), true, null, null, Month(context.inMonth()), null, SpanOf(context));

    public override SyntaxNode VisitExpectCount(ExpectCountContext context) =>
        new ExpectCountSyntax(new NameSyntax(context.outcome.GetText(), SpanOf(context.outcome)), Int(context.INT().Symbol),
            Month(context.inMonth()), SpanOf(context));

    public override SyntaxNode VisitExpectBalance(ExpectBalanceContext context) =>
        new ExpectBalanceSyntax(Name(context.name()), Expr(context.expr()), Month(context.inMonth()), SpanOf(context));

    // Expressions

    public override SyntaxNode VisitNegate(NegateContext context) => new UnarySyntax(UnaryOp.Negate, Expr(context.expr()), SpanOf(context));

    public override SyntaxNode VisitNot(NotContext context) => new UnarySyntax(UnaryOp.Not, Expr(context.expr()), SpanOf(context));

    private BinarySyntax Binary(BinaryOp op, ParserRuleContext context, ExprContext left, ExprContext right, IToken opToken) =>
        new(op, Expr(left), Expr(right), SpanOf(opToken), SpanOf(context));

    public override SyntaxNode VisitMultiply(MultiplyContext context) =>
        Binary(context.op.Type == STAR ? BinaryOp.Mul : BinaryOp.Div, context, context.expr(0), context.expr(1), context.op);

    public override SyntaxNode VisitAdd(AddContext context) =>
        Binary(context.op.Type == PLUS ? BinaryOp.Add : BinaryOp.Sub, context, context.expr(0), context.expr(1), context.op);

    public override SyntaxNode VisitCompare(CompareContext context)
    {
        var op = context.op.Type switch
        {
            LT => BinaryOp.Lt,
            LE => BinaryOp.Le,
            GT => BinaryOp.Gt,
            GE => BinaryOp.Ge,
            ASSIGN => BinaryOp.Eq,
            _ => BinaryOp.Ne,
        };
        return Binary(op, context, context.expr(0), context.expr(1), context.op);
    }

    public override SyntaxNode VisitContains(ContainsContext context) =>
        Binary(BinaryOp.Contains, context, context.expr(0), context.expr(1), context.CONTAINS().Symbol);

    public override SyntaxNode VisitAnd(AndContext context) =>
        Binary(BinaryOp.And, context, context.expr(0), context.expr(1), context.AND().Symbol);

    public override SyntaxNode VisitOr(OrContext context) =>
        Binary(BinaryOp.Or, context, context.expr(0), context.expr(1), context.OR().Symbol);

    public override SyntaxNode VisitIsNone(IsNoneContext context) =>
        new IsNoneSyntax(Expr(context.expr()), context.NOT() is not null, SpanOf(context));

    public override SyntaxNode VisitFilter(FilterContext context) =>
        new FilterSyntax(Expr(context.expr(0)), Expr(context.expr(1)), SpanOf(context));

    public override SyntaxNode VisitConditional(ConditionalContext context) =>
        new ConditionalSyntax(Expr(context.expr(0)), Expr(context.expr(1)), Expr(context.expr(2)), SpanOf(context));

    public override SyntaxNode VisitPrimaryExpr(PrimaryExprContext context) => Visit(context.primary());

    public override SyntaxNode VisitNumberLiteral(NumberLiteralContext context) =>
        new NumberSyntax(Decimal(context.number()),
            NameOrNull(context.unitName), NameOrNull(context.perUnit), SpanOf(context));

    public override SyntaxNode VisitPercentLiteral(PercentLiteralContext context) =>
        new PercentSyntax(Decimal(context.number()) / 100m, SpanOf(context));

    public override SyntaxNode VisitStringLiteral(StringLiteralContext context) => new StringSyntax(Str(context.STRING()), SpanOf(context));

    public override SyntaxNode VisitBoolLiteral(BoolLiteralContext context) => new BoolSyntax(context.TRUE() is not null, SpanOf(context));

    public override SyntaxNode VisitDateLiteral(DateLiteralContext context) => new DateSyntax(context.GetText(), SpanOf(context));

    public override SyntaxNode VisitDateTimeLiteral(DateTimeLiteralContext context) =>
        new DateTimeSyntax(context.GetText(), SpanOf(context));

    public override SyntaxNode VisitDurationLiteral(DurationLiteralContext context) =>
        new DurationSyntax(context.GetText(), SpanOf(context));

    public override SyntaxNode VisitParamRef(ParamRefContext context) => new ParamRefSyntax(Name(context.name()), SpanOf(context));

    public override SyntaxNode VisitWithinWindow(WithinWindowContext context) => new WithinSyntax(Name(context.name()), SpanOf(context));

    public override SyntaxNode VisitMemberAccess(MemberAccessContext context) =>
        new MemberSyntax(Name(context.target), Name(context.member), SpanOf(context));

    public override SyntaxNode VisitTableLookup(TableLookupContext context) =>
        new LookupSyntax(Name(context.name()), context.expr().Select(Expr).ToImmutableArray(), SpanOf(context));

    public override SyntaxNode VisitCall(CallContext context) =>
        new CallSyntax(Name(context.name()), context.expr().Select(Expr).ToImmutableArray(), SpanOf(context));

    public override SyntaxNode VisitNameRef(NameRefContext context) => new NameRefSyntax(Name(context.name()), SpanOf(context));

    public override SyntaxNode VisitParens(ParensContext context) => Visit(context.expr());
}
