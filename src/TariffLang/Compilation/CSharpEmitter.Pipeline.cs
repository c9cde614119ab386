using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TariffLang.Semantics;
using StateKind = TariffLang.Syntax.StateKind;
using StateOpKind = TariffLang.Syntax.StateOpKind;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace TariffLang.Compilation;

/// <summary>
/// The per-event pipeline of the generated class (it implements <see cref="Evaluation.IEventRater"/>): for each event
/// kind, a <c>Classify_N</c> and an <c>Apply_N</c> method that run that kind's steps of the <see cref="EventPipeline"/>
/// in the reference order. Rules, charges and states are model symbols read through their fields (reasons and labels
/// included); conditions and values call the root methods, which is what the compiled evaluator would run for them.
/// </summary>
internal sealed partial class CSharpEmitter
{
    private static readonly TypeSyntax RunStateType = ParseTypeName("global::TariffLang.Evaluation.AccountRunState");
    private static readonly TypeSyntax EventType = ParseTypeName("global::TariffLang.Evaluation.EventInstance");
    private static readonly ExpressionSyntax SystemString = ParseName("global::System.String");
    private static readonly ExpressionSyntax Invariant = ParseName("global::System.Globalization.CultureInfo.InvariantCulture");
    private static readonly IdentifierNameSyntax S = IdentifierName("s");
    private static readonly IdentifierNameSyntax E = IdentifierName("e");

    public static string ClassifyMethodName(int eventIndex) => "Classify_" + eventIndex.ToString(CultureInfo.InvariantCulture);

    public static string ApplyMethodName(int eventIndex) => "Apply_" + eventIndex.ToString(CultureInfo.InvariantCulture);

    private IEnumerable<MemberDeclarationSyntax> PipelineMembers()
    {
        yield return Dispatch("Classify", StringType, ClassifyMethodName, returnsValue: true);
        yield return Dispatch("Apply", PredefinedType(Token(SyntaxKind.VoidKeyword)), ApplyMethodName, returnsValue: false);
        foreach (var pipeline in _plan.Pipelines)
        {
            yield return PipelineMethod(StringType, ClassifyMethodName(pipeline.Event.Index), ClassifyBody(pipeline));
            yield return PipelineMethod(PredefinedType(Token(SyntaxKind.VoidKeyword)), ApplyMethodName(pipeline.Event.Index), ApplyBody(pipeline));
        }
    }

    /// <summary>The interface method: a switch on the event's kind to that kind's method. An unknown kind is a bug, never skipped.</summary>
    private MethodDeclarationSyntax Dispatch(string name, TypeSyntax returnType, Func<int, string> target, bool returnsValue)
    {
        var sections = _plan.Pipelines.Select(pipeline =>
        {
            var call = InvocationExpression(IdentifierName(target(pipeline.Event.Index)), ArgumentList(SeparatedList([Argument(S), Argument(E)])));
            var statements = returnsValue
                ? List<StatementSyntax>([ReturnStatement(call)])
                : List<StatementSyntax>([ExpressionStatement(call), ReturnStatement()]);
            return SwitchSection(SingletonList<SwitchLabelSyntax>(CaseSwitchLabel(IntLiteral(pipeline.Event.Index))), statements);
        }).ToList();
        sections.Add(SwitchSection(SingletonList<SwitchLabelSyntax>(DefaultSwitchLabel()),
            SingletonList(ParseStatement("throw new global::System.InvalidOperationException(\"the compiled pipeline has no method for this event kind\");"))));
        var body = Block(SwitchStatement(Member(Member(E, "Event"), "Index")).WithSections(List(sections)));
        return MethodDeclaration(returnType, name)
            .AddModifiers(Token(SyntaxKind.PublicKeyword))
            .AddParameterListParameters(Parameter(Identifier("s")).WithType(RunStateType), Parameter(Identifier("e")).WithType(EventType))
            .WithBody(body);
    }

    private static MethodDeclarationSyntax PipelineMethod(TypeSyntax returnType, string name, List<StatementSyntax> body) =>
        MethodDeclaration(returnType, name)
            .AddModifiers(Token(SyntaxKind.PrivateKeyword))
            .AddParameterListParameters(Parameter(Identifier("s")).WithType(RunStateType), Parameter(Identifier("e")).WithType(EventType))
            .WithBody(Block(body));

    /// <summary>Tables, reject rules (first match rejects), free rules (first match frees), per-event charges.</summary>
    private List<StatementSyntax> ClassifyBody(EventPipeline p)
    {
        var body = new List<StatementSyntax> { ParseStatement("var ctx = s.Context;") };
        foreach (var table in p.Tables)
        {
            var keys = ObjectArray(table.KeyAttributes.Select(EventValue));
            var evalContext = ParseName("global::TariffLang.Evaluation.EvalContext");
            var symbol = Symbol(table.Table);
            body.Add(Block(
                LocalDeclarationStatement(VariableDeclaration(IdentifierName("var"),
                    SingletonSeparatedList(VariableDeclarator("__keys").WithInitializer(EqualsValueClause(keys))))),
                IfStatement(Not(Call(evalContext, "HasCell", symbol, IdentifierName("__keys"))),
                    ReturnStatement(Call(evalContext, "MissingCell", symbol, IdentifierName("__keys"))))));
        }
        foreach (var rule in p.Rejects)
        {
            body.Add(Guarded(rule.Validity, rule.Condition, Block(ReturnStatement(Member(Symbol(rule), "Reason")))));
        }
        foreach (var rule in p.Frees)
        {
            body.Add(Guarded(rule.Validity, rule.Condition, Block(
                ExpressionStatement(Assign(Member(E, "FreeReason"), Member(Symbol(rule), "Reason"))),
                ReturnStatement(Null()))));
        }
        foreach (var charge in p.Charges)
        {
            var symbol = Symbol(charge);
            var price = IdentifierName("__price");
            var noPrice = ThrowStatement(New("global::TariffLang.Evaluation.RatingException",
                Concat(StringLiteral("charge '"), Member(symbol, "Label"), StringLiteral("' has no price for this event"))));
            body.Add(Guarded(charge.Validity, charge.Condition, Block(
                IfStatement(Not(IsPatternExpression(RootCall(charge.Price), DeclarationPattern(DecimalType, SingleVariableDesignation(Identifier("__price"))))), noPrice),
                ExpressionStatement(Call(Member(S, "PendingEventLines"), "Add", New("global::TariffLang.Evaluation.PendingEventLine", symbol, price, E))),
                ExpressionStatement(Call(Member(E, "RatedBy"), "Add", Concat(
                    Member(symbol, "Label"), StringLiteral(" ("), ShowDecimal(Member(E, "Quantity")), StringLiteral(" × "), ShowDecimal(price),
                    StringLiteral(" "), StringLiteral(_plan.Model.Currency), StringLiteral(")")))))));
        }
        body.Add(ReturnStatement(Null()));
        return body;
    }

    /// <summary>State operations (states in declaration order, each one's operations in order), windows, then the period's billable list.</summary>
    private List<StatementSyntax> ApplyBody(EventPipeline p)
    {
        var body = new List<StatementSyntax> { ParseStatement("var ctx = s.Context;") };
        foreach (var op in p.Ops) body.Add(StateOp(op));
        foreach (var w in p.Windows)
        {
            var windows = ElementAccess(Member(Ctx, "Windows"), IntLiteral(w.Window.Index));
            body.Add(Guarded(Validity.Always, w.Window.Condition, Block(
                ExpressionStatement(Assign(ElementAccess(windows, Key(w.KeyAttribute)), Member(E, "Time"))))));
        }
        // Aggregates see every billable event, including those already charged per event or moving a wallet.
        body.Add(IfStatement(BinaryExpression(SyntaxKind.EqualsExpression, Member(E, "FreeReason"), Null()),
            ExpressionStatement(Call(ElementAccess(Member(Member(Ctx, "Period"), "Billable"), IntLiteral(p.Event.Index)), "Add", E))));
        return body;
    }

    private StatementSyntax StateOp(PipelineOp p)
    {
        var op = p.Op;
        var state = Symbol(p.State);
        var store = IdentifierName("__store");
        var key = IdentifierName("__key");
        var value = IdentifierName("__value");
        var amount = IdentifierName("__amount");
        var statements = new List<StatementSyntax>
        {
            Local("__key", Key(p.KeyAttribute)),
            Local("__value", RootCall(op.Value)),
        };
        if (op.Op == StateOpKind.Set)
        {
            statements.Add(op.AtNextPeriod
                ? ExpressionStatement(Call(Member(store, "Pending"), "Add", TupleExpression(SeparatedList([Argument(key), Argument(value)]))))
                : ExpressionStatement(Call(store, "Set", key, value)));
        }
        else
        {
            var add = op.Op == StateOpKind.Add;
            statements.Add(IfStatement(Not(IsPatternExpression(value, DeclarationPattern(DecimalType, SingleVariableDesignation(Identifier("__amount"))))),
                ThrowStatement(New("global::TariffLang.Evaluation.RatingException",
                    Concat(StringLiteral("'"), Member(state, "Name"), StringLiteral("' cannot change by none"))))));
            statements.Add(ExpressionStatement(Assign(amount, BinaryExpression(SyntaxKind.MultiplyExpression, amount, Member(E, "Quantity")))));
            var current = BinaryExpression(SyntaxKind.CoalesceExpression,
                BinaryExpression(SyntaxKind.AsExpression, Call(store, "Get", key), NullableType(DecimalType)), DecimalLiteral(0m));
            statements.Add(Local("__current", current));
            statements.Add(ExpressionStatement(Call(store, "Set", key,
                BinaryExpression(add ? SyntaxKind.AddExpression : SyntaxKind.SubtractExpression, IdentifierName("__current"), amount))));
            statements.Add(ExpressionStatement(AssignmentExpression(SyntaxKind.AddAssignmentExpression, Member(store, add ? "Purchases" : "Debits"), amount)));
            if (p.State.Kind == StateKind.Wallet)
            {
                statements.Add(ExpressionStatement(Call(Member(E, "RatedBy"), "Add", Concat(
                    StringLiteral("wallet "), Member(state, "Name"), StringLiteral(add ? " +" : " -"), ShowDecimal(amount),
                    StringLiteral(" "), Member(state, "UnitLabel")))));
            }
        }
        var index = IntLiteral(p.State.Index);
        var changed = Member(E, "ChangedStates");
        statements.Add(IfStatement(Not(Call(changed, "Contains", index)), ExpressionStatement(Call(changed, "Add", index))));
        return Block(
            Local("__store", ElementAccess(Member(Ctx, "States"), IntLiteral(p.Store))),
            Guarded(Validity.Always, op.Condition, Block(statements)));
    }

    /// <summary>
    /// <c>if (valid from/until, then condition) { … }</c>: the dates are checked before the condition is evaluated, as
    /// the reference does, so a condition that would fail outside its validity is never run there.
    /// </summary>
    private StatementSyntax Guarded(Validity validity, BoundExpr? condition, BlockSyntax then)
    {
        var tests = new List<ExpressionSyntax>();
        var date = Member(E, "LocalDate");
        if (validity.From is { } from) tests.Add(BinaryExpression(SyntaxKind.GreaterThanOrEqualExpression, date, DateLiteral(from)));
        if (validity.Until is { } until) tests.Add(BinaryExpression(SyntaxKind.LessThanOrEqualExpression, date, DateLiteral(until)));
        if (condition is not null) tests.Add(Truth(Obj(RootCall(condition))));
        if (tests.Count == 0) return then;
        var test = tests.Aggregate((a, b) => BinaryExpression(SyntaxKind.LogicalAndExpression, Paren(a), Paren(b)));
        return IfStatement(test, then);
    }

    /// <summary>The root method of an expression, called directly: the code <c>ctx.Eval</c> would reach through the evaluator.</summary>
    private ExpressionSyntax RootCall(BoundExpr expr) =>
        InvocationExpression(IdentifierName(RootMethodName(_plan.RootIndex(expr))), ArgumentList(SingletonSeparatedList(Argument(Ctx))));

    /// <summary>A state's or window's key for the event: the attribute's value shown, or "" when it has none or the state no key.</summary>
    private static ExpressionSyntax Key(int? attribute)
    {
        if (attribute is not { } index) return StringLiteral("");
        var value = EventValue(index);
        return ConditionalExpression(BinaryExpression(SyntaxKind.EqualsExpression, value, Null()), StringLiteral(""),
            Call(RuntimeOps, "Show", value));
    }

    private static ExpressionSyntax EventValue(int attribute) => ElementAccess(Member(E, "Values"), IntLiteral(attribute));

    private static ExpressionSyntax ShowDecimal(ExpressionSyntax value) => Call(value, "ToString", Invariant);

    private static ExpressionSyntax Concat(params ExpressionSyntax[] parts) => Call(SystemString, "Concat", parts);

    private static ExpressionSyntax DateLiteral(DateOnly d) => New("global::System.DateOnly", IntLiteral(d.Year), IntLiteral(d.Month), IntLiteral(d.Day));

    private static ExpressionSyntax Not(ExpressionSyntax e) => PrefixUnaryExpression(SyntaxKind.LogicalNotExpression, ParenthesizedExpression(e));

    private static ExpressionSyntax Null() => LiteralExpression(SyntaxKind.NullLiteralExpression);

    private static ExpressionSyntax Assign(ExpressionSyntax target, ExpressionSyntax value) =>
        AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, target, value);

    private static ExpressionSyntax ElementAccess(ExpressionSyntax target, ExpressionSyntax index) =>
        ElementAccessExpression(target, BracketedArgumentList(SingletonSeparatedList(Argument(index))));

    private static LocalDeclarationStatementSyntax Local(string name, ExpressionSyntax value) =>
        LocalDeclarationStatement(VariableDeclaration(IdentifierName("var"), SingletonSeparatedList(VariableDeclarator(name).WithInitializer(EqualsValueClause(value)))));
}
