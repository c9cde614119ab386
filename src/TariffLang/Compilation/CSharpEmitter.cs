using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TariffLang.Semantics;
using BinaryOp = TariffLang.Syntax.BinaryOp;
using UnaryOp = TariffLang.Syntax.UnaryOp;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace TariffLang.Compilation;

/// <summary>How a generated C# expression carries its value: boxed, or typed (possibly nullable, for none).</summary>
internal enum Repr { Object, Decimal, NullableDecimal, Bool, NullableBool }

/// <summary>A generated C# expression and the representation of its value.</summary>
internal readonly record struct Code(ExpressionSyntax Syntax, Repr Repr);

/// <summary>A bound expression the compiler cannot translate; reported as TL0090 at the expression's span.</summary>
internal sealed class CompilerLimitationException(BoundExpr expr, string message) : Exception(message)
{
    public BoundExpr Expr { get; } = expr;
}

/// <summary>
/// Builds the C# of one tariff with Roslyn's syntax factory. No tariff text ever becomes C# source text:
/// identifiers are our own (<c>E12</c>, <c>A3</c>, <c>S7</c>, numbered by the <see cref="ProgramPlan"/>), and
/// every constant is a literal token made by <see cref="SyntaxFactory.Literal(string)"/> and its overloads,
/// which escape whatever the tariff wrote.
/// </summary>
internal sealed partial class CSharpEmitter
{
    public const string Namespace = "TariffLang.Generated";
    public const string ClassName = "TariffProgram";
    public const string FaultIdentifier = "__tarifflang_injected_fault";

    private static readonly TypeSyntax ObjectType = PredefinedType(Token(SyntaxKind.ObjectKeyword));
    private static readonly TypeSyntax DecimalType = PredefinedType(Token(SyntaxKind.DecimalKeyword));
    private static readonly TypeSyntax BoolType = PredefinedType(Token(SyntaxKind.BoolKeyword));
    private static readonly TypeSyntax StringType = PredefinedType(Token(SyntaxKind.StringKeyword));
    private static readonly TypeSyntax ContextType = ParseTypeName("global::TariffLang.Evaluation.EvalContext");
    private static readonly ExpressionSyntax Runtime = ParseName("global::TariffLang.Compilation.CompiledRuntime");
    private static readonly ExpressionSyntax RuntimeOps = ParseName("global::TariffLang.Evaluation.RuntimeOps");
    private static readonly ExpressionSyntax MathType = ParseName("global::System.Math");
    private static readonly IdentifierNameSyntax Ctx = IdentifierName("ctx");

    private readonly ProgramPlan _plan;
    private readonly int? _faultRoot;

    private CSharpEmitter(ProgramPlan plan, int? faultRoot)
    {
        _plan = plan;
        _faultRoot = faultRoot;
    }

    /// <summary>The generated class for a plan. <paramref name="faultRoot"/> (tests only) makes that root's method fail to compile.</summary>
    public static CompilationUnitSyntax Emit(ProgramPlan plan, int? faultRoot = null) => new CSharpEmitter(plan, faultRoot).Unit();

    /// <summary>The C# of one expression of the plan's model, as its root method would contain it (tests prove every node type translates).</summary>
    public static ExpressionSyntax Translate(ProgramPlan plan, BoundExpr expr) => ToObject(new CSharpEmitter(plan, null).Emit(expr));

    public static string RootMethodName(int index) => "E" + index.ToString(CultureInfo.InvariantCulture);

    public static string AggregateMethodName(int index) => "A" + index.ToString(CultureInfo.InvariantCulture);

    private static string SymbolField(int index) => "S" + index.ToString(CultureInfo.InvariantCulture);

    private CompilationUnitSyntax Unit()
    {
        var members = new List<MemberDeclarationSyntax>();
        for (var i = 0; i < _plan.Symbols.Count; i++)
        {
            members.Add(FieldDeclaration(VariableDeclaration(SymbolType(_plan.Symbols[i]), SingletonSeparatedList(VariableDeclarator(SymbolField(i)))))
                .AddModifiers(Token(SyntaxKind.PrivateKeyword)));
        }
        members.Add(PropertyDeclaration(StringType, "Layout")
            .AddModifiers(Token(SyntaxKind.PublicKeyword))
            .WithExpressionBody(ArrowExpressionClause(StringLiteral(_plan.Layout)))
            .WithSemicolonToken(Token(SyntaxKind.SemicolonToken)));
        members.Add(BindMethod());
        for (var i = 0; i < _plan.Roots.Count; i++) members.Add(RootMethod(i));
        foreach (var aggregate in _plan.Aggregates) members.Add(AggregateMethod(aggregate));
        members.AddRange(PipelineMembers());

        var type = ClassDeclaration(ClassName)
            .AddModifiers(Token(SyntaxKind.InternalKeyword), Token(SyntaxKind.SealedKeyword))
            .AddBaseListTypes(SimpleBaseType(ParseTypeName("global::TariffLang.Compilation.IGeneratedProgram")),
                SimpleBaseType(ParseTypeName("global::TariffLang.Evaluation.IEventRater")))
            .WithMembers(List(members));
        return CompilationUnit().AddMembers(FileScopedNamespaceDeclaration(ParseName(Namespace)).AddMembers(type));
    }

    private static TypeSyntax SymbolType(object symbol) => ParseTypeName("global::" + symbol.GetType().FullName);

    private static TypeSyntax RootDelegateType() => ParseTypeName("global::System.Func<global::TariffLang.Evaluation.EvalContext, object>");

    /// <summary><c>Bind(symbols)</c>: stores each symbol in its typed field, returns the root methods as delegates.</summary>
    private MethodDeclarationSyntax BindMethod()
    {
        var statements = new List<StatementSyntax>();
        for (var i = 0; i < _plan.Symbols.Count; i++)
        {
            var element = ElementAccessExpression(IdentifierName("symbols"), BracketedArgumentList(SingletonSeparatedList(Argument(IntLiteral(i)))));
            statements.Add(ExpressionStatement(AssignmentExpression(SyntaxKind.SimpleAssignmentExpression,
                IdentifierName(SymbolField(i)), CastExpression(SymbolType(_plan.Symbols[i]), element))));
        }
        var delegates = Enumerable.Range(0, _plan.Roots.Count).Select(i => (ExpressionSyntax)IdentifierName(RootMethodName(i)));
        statements.Add(ReturnStatement(ArrayCreationExpression(ArrayType(RootDelegateType()).AddRankSpecifiers(ArrayRankSpecifier()),
            InitializerExpression(SyntaxKind.ArrayInitializerExpression, SeparatedList(delegates)))));
        return MethodDeclaration(ArrayType(RootDelegateType()).AddRankSpecifiers(ArrayRankSpecifier()), "Bind")
            .AddModifiers(Token(SyntaxKind.PublicKeyword))
            .AddParameterListParameters(Parameter(Identifier("symbols")).WithType(ArrayType(ObjectType).AddRankSpecifiers(ArrayRankSpecifier())))
            .WithBody(Block(statements));
    }

    private MethodDeclarationSyntax RootMethod(int index)
    {
        var root = _plan.Roots[index];
        ExpressionSyntax body = index == _faultRoot ? IdentifierName(FaultIdentifier) : ToObject(Emit(root));
        return MethodDeclaration(ObjectType, RootMethodName(index))
            .AddModifiers(Token(SyntaxKind.PrivateKeyword))
            .AddParameterListParameters(ContextParameter())
            .WithBody(Block(ReturnStatement(body)));
    }

    private static ParameterSyntax ContextParameter() => Parameter(Identifier("ctx")).WithType(ContextType);

    // ---- expressions -------------------------------------------------------------------------------------

    private Code Emit(BoundExpr expr) => expr switch
    {
        BoundLiteral l => EmitLiteral(l),
        BoundParam p => Obj(Call(Ctx, "Param", Symbol(p.Param))),
        BoundAttribute a => Obj(ElementAccessExpression(Member(Member(Ctx, "Event"), "Values"),
            BracketedArgumentList(SingletonSeparatedList(Argument(IntLiteral(a.Attribute.Index)))))),
        BoundEventBuiltin { Builtin: EventBuiltin.Time } => new Code(CastExpression(ObjectType, Member(Member(Ctx, "Event"), "Time")), Repr.Object),
        BoundEventBuiltin { Builtin: EventBuiltin.Quantity } => new Code(Member(Member(Ctx, "Event"), "Quantity"), Repr.Decimal),
        BoundLetRef l => Obj(Call(Ctx, "Let", Symbol(l.Let))),
        BoundPlanField f => Obj(Call(Ctx, "PlanField", EnumValue("global::TariffLang.Semantics.PlanField", (int)f.Field))),
        BoundWithin w => new Code(Call(Ctx, "Within", Symbol(w.Window)), Repr.Bool),
        BoundStateValue s => Obj(Call(Ctx, "StateValue", Symbol(s.State))),
        BoundStateAggregate s => new Code(Call(Ctx, "StateAggregate", EnumValue("global::TariffLang.Semantics.StateAggregateKind", (int)s.Kind), Symbol(s.State)), Repr.Decimal),
        BoundLookup l => Obj(Call(Ctx, "Lookup", Symbol(l.Table), ObjectArray(l.Keys.Select(k => ToObject(Emit(k)))))),
        BoundUnary u => EmitUnary(u),
        BoundBinary b => EmitBinary(b),
        BoundIsNone i => new Code(IsPatternExpression(Paren(ToObject(Emit(i.Operand))),
            i.Negated ? UnaryPattern(Token(SyntaxKind.NotKeyword), NullPattern()) : NullPattern()), Repr.Bool),
        BoundConditional c => EmitConditional(c),
        BoundCall c => EmitCall(c),
        BoundAggregate a => new Code(InvocationExpression(IdentifierName(AggregateMethodName(_plan.AggregateIndex(a))),
            ArgumentList(SingletonSeparatedList(Argument(Ctx)))), Repr.Decimal),
        // A set of events has no value; the interpreter refuses it, and so does the compiled code, the same way.
        BoundEventSet => Obj(Call(Runtime, "NoValue", StringLiteral(nameof(BoundEventSet)))),
        _ => throw new CompilerLimitationException(expr, $"no translation for {expr.GetType().Name}"),
    };

    private static Code EmitLiteral(BoundLiteral l) => l.Value switch
    {
        null => Obj(CastExpression(ObjectType, LiteralExpression(SyntaxKind.NullLiteralExpression))),
        // Through an identity call: Roslyn would fold constant arithmetic at compile time, where an overflow is a
        // compile error (CS0463) instead of the rating error the interpreter gives.
        decimal d => new Code(Call(Runtime, "Lit", DecimalLiteral(d)), Repr.Decimal),
        bool b => new Code(LiteralExpression(b ? SyntaxKind.TrueLiteralExpression : SyntaxKind.FalseLiteralExpression), Repr.Bool),
        string s => Obj(StringLiteral(s)),
        DateOnly d => Obj(New("global::System.DateOnly", IntLiteral(d.Year), IntLiteral(d.Month), IntLiteral(d.Day))),
        DateTimeOffset t => Obj(New("global::System.DateTimeOffset", LongLiteral(t.Ticks), TimeSpanFromTicks(t.Offset.Ticks))),
        TimeSpan s => Obj(TimeSpanFromTicks(s.Ticks)),
        string[] tags => Obj(ArrayCreationExpression(ArrayType(StringType).AddRankSpecifiers(ArrayRankSpecifier()),
            InitializerExpression(SyntaxKind.ArrayInitializerExpression, SeparatedList(tags.Select(t => (ExpressionSyntax)StringLiteral(t)))))),
        _ => throw new CompilerLimitationException(l, $"no literal form for a {l.Value.GetType().Name} constant"),
    };

    private Code EmitUnary(BoundUnary u)
    {
        var operand = Emit(u.Operand);
        if (u.Op == UnaryOp.Not)
        {
            return operand.Repr is Repr.Bool or Repr.NullableBool
                ? new Code(PrefixUnaryExpression(SyntaxKind.LogicalNotExpression, Paren(operand.Syntax)), operand.Repr)
                : new Code(Call(Runtime, "Not", ToObject(operand)), Repr.NullableBool);
        }
        if (u.Operand.Type.IsNumeric)
        {
            var number = AsNumber(operand);
            return new Code(PrefixUnaryExpression(SyntaxKind.UnaryMinusExpression, Paren(number.Syntax)), number.Repr);
        }
        return Obj(Call(RuntimeOps, "Negate", ToObject(operand)));
    }

    private Code EmitBinary(BoundBinary b)
    {
        if (b.Op is BinaryOp.And or BinaryOp.Or)
        {
            // Short-circuit like the interpreter: the right side is not evaluated when the left decides.
            var kind = b.Op == BinaryOp.And ? SyntaxKind.LogicalAndExpression : SyntaxKind.LogicalOrExpression;
            return new Code(BinaryExpression(kind, Paren(Truth(Emit(b.Left))), Paren(Truth(Emit(b.Right)))), Repr.Bool);
        }
        // Both operands are evaluated, left first, before the operator looks at none: the same order of
        // side effects (parameter errors, let caching) as the interpreter.
        var left = Emit(b.Left);
        var right = Emit(b.Right);
        var numeric = b.Left.Type.IsNumeric && b.Right.Type.IsNumeric;
        switch (b.Op)
        {
            case BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div when numeric:
            {
                var l = AsNumber(left);
                var r = AsNumber(right);
                var repr = l.Repr == Repr.Decimal && r.Repr == Repr.Decimal ? Repr.Decimal : Repr.NullableDecimal;
                if (b.Op == BinaryOp.Div) return new Code(Call(Runtime, "Div", l.Syntax, r.Syntax), repr);
                var kind = b.Op switch
                {
                    BinaryOp.Add => SyntaxKind.AddExpression,
                    BinaryOp.Sub => SyntaxKind.SubtractExpression,
                    _ => SyntaxKind.MultiplyExpression,
                };
                // C#'s lifted decimal operators give null when either side is null: none propagates.
                return new Code(BinaryExpression(kind, Paren(l.Syntax), Paren(r.Syntax)), repr);
            }
            case BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div:
                return Obj(Call(RuntimeOps, "Arithmetic", EnumValue("global::TariffLang.Syntax.BinaryOp", (int)b.Op), ToObject(left), ToObject(right)));
            case BinaryOp.Contains:
                return new Code(Call(Runtime, "Contains", ToObject(left), ToObject(right)), Repr.NullableBool);
            case BinaryOp.Eq or BinaryOp.Ne or BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge when numeric:
            {
                var l = AsNumber(left);
                var r = AsNumber(right);
                if (l.Repr == Repr.Decimal && r.Repr == Repr.Decimal)
                {
                    var kind = b.Op switch
                    {
                        BinaryOp.Eq => SyntaxKind.EqualsExpression,
                        BinaryOp.Ne => SyntaxKind.NotEqualsExpression,
                        BinaryOp.Lt => SyntaxKind.LessThanExpression,
                        BinaryOp.Le => SyntaxKind.LessThanOrEqualExpression,
                        BinaryOp.Gt => SyntaxKind.GreaterThanExpression,
                        _ => SyntaxKind.GreaterThanOrEqualExpression,
                    };
                    return new Code(BinaryExpression(kind, Paren(l.Syntax), Paren(r.Syntax)), Repr.Bool);
                }
                // Lifted C# comparisons answer false for null; the language answers none: helpers.
                return new Code(Call(Runtime, b.Op.ToString(), l.Syntax, r.Syntax), Repr.NullableBool);
            }
            case BinaryOp.Eq or BinaryOp.Ne or BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge:
                return new Code(Call(Runtime, "Compare", EnumValue("global::TariffLang.Syntax.BinaryOp", (int)b.Op), ToObject(left), ToObject(right)), Repr.NullableBool);
        }
        throw new CompilerLimitationException(b, $"no translation for operator {b.Op}");
    }

    private Code EmitConditional(BoundConditional c)
    {
        var condition = Truth(Emit(c.Condition));
        var then = Emit(c.Then);
        var @else = Emit(c.Else);
        var repr = (then.Repr, @else.Repr) switch
        {
            (Repr.Decimal, Repr.Decimal) => Repr.Decimal,
            (Repr.Decimal or Repr.NullableDecimal, Repr.Decimal or Repr.NullableDecimal) => Repr.NullableDecimal,
            (Repr.Bool, Repr.Bool) => Repr.Bool,
            (Repr.Bool or Repr.NullableBool, Repr.Bool or Repr.NullableBool) => Repr.NullableBool,
            _ => Repr.Object,
        };
        return new Code(ConditionalExpression(Paren(condition), Paren(Convert(then, repr)), Paren(Convert(@else, repr))), repr);
    }

    private Code EmitCall(BoundCall c)
    {
        if (c.Function == Builtin.PeriodMonths) return new Code(Member(Ctx, "PeriodMonths"), Repr.Decimal);
        var args = c.Args.Select(Emit).ToList();
        var numeric = c.Args.All(a => a.Type.IsNumeric);
        switch (c.Function)
        {
            case Builtin.Ceil or Builtin.Floor or Builtin.Round or Builtin.Abs when numeric && args.Count == 1:
            {
                var x = AsNumber(args[0]);
                if (x.Repr == Repr.NullableDecimal) return new Code(Call(Runtime, c.Function.ToString(), x.Syntax), Repr.NullableDecimal);
                var call = c.Function switch
                {
                    Builtin.Ceil => Call(MathType, "Ceiling", x.Syntax),
                    Builtin.Floor => Call(MathType, "Floor", x.Syntax),
                    Builtin.Round => Call(MathType, "Round", x.Syntax, ParseName("global::System.MidpointRounding.AwayFromZero")),
                    _ => Call(MathType, "Abs", x.Syntax),
                };
                return new Code(call, Repr.Decimal);
            }
            case Builtin.Min or Builtin.Max when numeric && args.Count >= 1:
            {
                var numbers = args.Select(AsNumber).ToList();
                var name = c.Function.ToString();
                if (numbers.All(n => n.Repr == Repr.Decimal))
                    return new Code(Call(Runtime, name, TypedArray(DecimalType, numbers.Select(n => n.Syntax))), Repr.Decimal);
                return new Code(Call(Runtime, name, TypedArray(NullableType(DecimalType), numbers.Select(n => Convert(n, Repr.NullableDecimal)))), Repr.NullableDecimal);
            }
            default:
                return Obj(Call(Runtime, "Call", EnumValue("global::TariffLang.Semantics.Builtin", (int)c.Function),
                    ObjectArray(args.Select(ToObject)), Ctx));
        }
    }

    // ---- aggregates --------------------------------------------------------------------------------------

    /// <summary>One method per aggregate: the interpreter's loop, with the conditions and value inlined.</summary>
    private MethodDeclarationSyntax AggregateMethod(BoundAggregate a)
    {
        var statements = new List<StatementSyntax>();
        statements.Add(a.Kind switch
        {
            AggregateKind.Count or AggregateKind.Sum => ParseStatement("decimal __total = 0m;"),
            AggregateKind.Distinct => ParseStatement("var __seen = new global::System.Collections.Generic.HashSet<string>(global::System.StringComparer.Ordinal);"),
            _ => ParseStatement("decimal? __best = null;"),
        });
        statements.Add(LocalDeclarationStatement(VariableDeclaration(IdentifierName("var"),
            SingletonSeparatedList(VariableDeclarator("__events").WithInitializer(EqualsValueClause(Call(Ctx, "PeriodEvents", Symbol(a.Set.Event))))))));

        var body = new List<StatementSyntax>
        {
            ParseStatement("var __e = __events[__i];"),
            ParseStatement("ctx.Event = __e;"),
        };
        foreach (var condition in a.Set.Conditions)
        {
            body.Add(IfStatement(PrefixUnaryExpression(SyntaxKind.LogicalNotExpression, Paren(Truth(Emit(condition)))), ContinueStatement()));
        }
        if (a.Kind == AggregateKind.Count)
        {
            body.Add(ParseStatement("__total += __e.Quantity;"));
        }
        else
        {
            var value = Emit(a.Value ?? throw new CompilerLimitationException(a, $"{a.Kind} without a value"));
            var boxed = a.Kind == AggregateKind.Distinct || value.Repr is not (Repr.Decimal or Repr.NullableDecimal);
            body.Add(LocalDeclarationStatement(VariableDeclaration(boxed ? ObjectType : NullableType(DecimalType),
                SingletonSeparatedList(VariableDeclarator("__v").WithInitializer(EqualsValueClause(boxed ? ToObject(value) : Convert(value, Repr.NullableDecimal)))))));
            body.Add(a.Kind switch
            {
                AggregateKind.Distinct => ParseStatement("if (__v != null) __seen.Add(global::TariffLang.Evaluation.RuntimeOps.Show(__v));"),
                AggregateKind.Sum => ParseStatement("if (__v is decimal __x) __total += __x * __e.Quantity;"),
                AggregateKind.Min => ParseStatement("if (__v is decimal __m) __best = __best is null ? __m : global::System.Math.Min(__best.Value, __m);"),
                _ => ParseStatement("if (__v is decimal __m) __best = __best is null ? __m : global::System.Math.Max(__best.Value, __m);"),
            });
        }
        statements.Add(ForStatement(Block(body))
            .WithDeclaration(VariableDeclaration(IdentifierName("var"), SingletonSeparatedList(VariableDeclarator("__i").WithInitializer(EqualsValueClause(IntLiteral(0))))))
            .WithCondition(ParseExpression("__i < __events.Count"))
            .AddIncrementors(ParseExpression("__i++")));
        statements.Add(a.Kind switch
        {
            AggregateKind.Count or AggregateKind.Sum => ParseStatement("return __total;"),
            AggregateKind.Distinct => ParseStatement("return (decimal)__seen.Count;"),
            _ => ParseStatement("return __best ?? 0m;"),
        });

        // The event in hand is restored whatever happens, as the interpreter's finally does.
        var method = Block(
            ParseStatement("var __saved = ctx.Event;"),
            TryStatement(Block(statements), default, FinallyClause(Block(ParseStatement("ctx.Event = __saved;")))));
        return MethodDeclaration(DecimalType, AggregateMethodName(_plan.AggregateIndex(a)))
            .AddModifiers(Token(SyntaxKind.PrivateKeyword))
            .AddParameterListParameters(ContextParameter())
            .WithBody(method);
    }

    // ---- representation changes ---------------------------------------------------------------------------

    private static Code Obj(ExpressionSyntax syntax) => new(syntax, Repr.Object);

    private static ExpressionSyntax ToObject(Code code) =>
        code.Repr == Repr.Object ? code.Syntax : CastExpression(ObjectType, Paren(code.Syntax));

    /// <summary>A numeric operand as a (nullable) decimal; a boxed one is unboxed after checking it is a number or none.</summary>
    private static Code AsNumber(Code code) => code.Repr switch
    {
        Repr.Decimal or Repr.NullableDecimal => code,
        _ => new Code(Call(Runtime, "Num", ToObject(code)), Repr.NullableDecimal),
    };

    private static ExpressionSyntax Convert(Code code, Repr target)
    {
        if (code.Repr == target) return code.Syntax;
        return target switch
        {
            Repr.Object => ToObject(code),
            Repr.NullableDecimal => code.Repr == Repr.Decimal ? CastExpression(NullableType(DecimalType), Paren(code.Syntax)) : AsNumber(code).Syntax,
            Repr.NullableBool => code.Repr == Repr.Bool
                ? CastExpression(NullableType(BoolType), Paren(code.Syntax))
                : BinaryExpression(SyntaxKind.AsExpression, Paren(ToObject(code)), NullableType(BoolType)),
            _ => throw new InvalidOperationException($"cannot narrow {code.Repr} to {target}"),
        };
    }

    /// <summary>The language's truth: only <c>true</c> is true; none and anything else are not.</summary>
    private static ExpressionSyntax Truth(Code code) => code.Repr switch
    {
        Repr.Bool => code.Syntax,
        Repr.NullableBool => BinaryExpression(SyntaxKind.EqualsExpression, Paren(code.Syntax), LiteralExpression(SyntaxKind.TrueLiteralExpression)),
        Repr.Object => IsPatternExpression(Paren(code.Syntax), ConstantPattern(LiteralExpression(SyntaxKind.TrueLiteralExpression))),
        _ => Call(RuntimeOps, "IsTrue", ToObject(code)),
    };

    // ---- syntax helpers ------------------------------------------------------------------------------------

    private ExpressionSyntax Symbol(object symbol) => IdentifierName(SymbolField(_plan.SymbolIndex(symbol)));

    private static ExpressionSyntax Paren(ExpressionSyntax e) =>
        e is IdentifierNameSyntax or LiteralExpressionSyntax or InvocationExpressionSyntax or MemberAccessExpressionSyntax or ParenthesizedExpressionSyntax
            ? e : ParenthesizedExpression(e);

    private static MemberAccessExpressionSyntax Member(ExpressionSyntax target, string name) =>
        MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, target, IdentifierName(name));

    private static InvocationExpressionSyntax Call(ExpressionSyntax target, string method, params ExpressionSyntax[] args) =>
        InvocationExpression(Member(target, method), ArgumentList(SeparatedList(args.Select(Argument))));

    private static ExpressionSyntax New(string type, params ExpressionSyntax[] args) =>
        ObjectCreationExpression(ParseTypeName(type)).WithArgumentList(ArgumentList(SeparatedList(args.Select(Argument))));

    private static ExpressionSyntax ObjectArray(IEnumerable<ExpressionSyntax> items) => TypedArray(ObjectType, items);

    private static ExpressionSyntax TypedArray(TypeSyntax element, IEnumerable<ExpressionSyntax> items) =>
        ArrayCreationExpression(ArrayType(element).AddRankSpecifiers(ArrayRankSpecifier()),
            InitializerExpression(SyntaxKind.ArrayInitializerExpression, SeparatedList(items)));

    private static ExpressionSyntax EnumValue(string enumType, int value) =>
        CastExpression(ParseTypeName(enumType), Paren(IntLiteral(value)));

    private static ExpressionSyntax TimeSpanFromTicks(long ticks) =>
        Call(ParseName("global::System.TimeSpan"), "FromTicks", LongLiteral(ticks));

    private static ConstantPatternSyntax NullPattern() => ConstantPattern(LiteralExpression(SyntaxKind.NullLiteralExpression));

    private static LiteralExpressionSyntax StringLiteral(string value) =>
        LiteralExpression(SyntaxKind.StringLiteralExpression, Literal(value));

    private static ExpressionSyntax IntLiteral(int value) => value < 0
        ? PrefixUnaryExpression(SyntaxKind.UnaryMinusExpression, LiteralExpression(SyntaxKind.NumericLiteralExpression, Literal(-(long)value)))
        : LiteralExpression(SyntaxKind.NumericLiteralExpression, Literal(value));

    private static ExpressionSyntax LongLiteral(long value) => value < 0
        ? PrefixUnaryExpression(SyntaxKind.UnaryMinusExpression, Paren(LiteralExpression(SyntaxKind.NumericLiteralExpression, Literal(-value))))
        : LiteralExpression(SyntaxKind.NumericLiteralExpression, Literal(value));

    /// <summary>
    /// A decimal constant with its scale (1.50 stays 1.50: it shows on invoices and in distinct keys). A negative
    /// one is the negation of a positive literal, which keeps the scale too.
    /// </summary>
    public static ExpressionSyntax DecimalLiteral(decimal value) => decimal.IsNegative(value)
        ? PrefixUnaryExpression(SyntaxKind.UnaryMinusExpression, ParenthesizedExpression(LiteralExpression(SyntaxKind.NumericLiteralExpression, Literal(-value))))
        : LiteralExpression(SyntaxKind.NumericLiteralExpression, Literal(value));
}

