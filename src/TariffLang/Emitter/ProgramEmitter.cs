using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;
using TariffLang.Runtime;
using TariffLang.Semantics;
using TariffLang.Syntax;

namespace TariffLang.Emitter;

/// <summary>A bound expression the emitter cannot translate; reported as TL0090 at the expression's span.</summary>
internal sealed class CompilerLimitationException(BoundExpr expr, string message) : Exception(message)
{
    public BoundExpr Expr { get; } = expr;
}

/// <summary>How generated code carries a value: a C# type, nullable where the value may be none.</summary>
internal enum Repr { Decimal, NullableDecimal, Bool, NullableBool, Text, Date, NullableDate, Time, NullableTime, Duration, NullableDuration,
    Tags }

/// <summary>
/// Generates the C# of one tariff's <see cref="RatingProgram"/>: per event kind a Classify and an Apply method that run the
/// plan's pipeline steps, per aggregate a Fold method, and one typed method per expression (plain <c>decimal</c>,
/// <c>bool</c>, <c>DateTimeOffset</c>… where none cannot occur). Every operator, builtin and step is a call into the shared
/// runtime (<see cref="Operators"/>, <see cref="RatingContext"/>): the generated code decides nothing on its own.
/// No tariff text is ever pasted: identifiers are ours (<c>E12</c>, <c>Classify3</c>), names, labels and reasons are
/// read from the model by position, and every constant is a literal formatted by Roslyn, which escapes whatever the
/// tariff wrote.
/// </summary>
internal sealed class ProgramEmitter
{
    public const string Namespace = "TariffLang.Generated";
    public const string ClassName = "TariffProgram";
    public const string FaultIdentifier = "__tarifflang_injected_fault";

    // A short alias: the name is written at every operator, and the generated text is a third of its size with it.
    private const string Ops = "O";
    private const string ValueType = "global::TariffLang.Runtime.Value";
    private const string Context = "global::TariffLang.Runtime.RatingContext";

    private readonly RatingPlan _plan;
    private readonly CheckedTariff _model;
    private readonly Nullability _nullability;
    private readonly int? _fault;
    private readonly List<BoundExpr> _expressions = new();
    private readonly Dictionary<BoundExpr, int> _expressionIndex = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<int, EventSymbol> _eventOf = new();
    private EventSymbol? _event;
    private readonly StringBuilder _methods = new();

    private ProgramEmitter(RatingPlan plan, int? fault)
    {
        _plan = plan;
        _model = plan.Model;
        _nullability = new Nullability(plan.Model);
        _fault = fault;
        // The plan's roots come first, with the plan's numbers: E{root} is root's method.
        foreach (var root in plan.Roots) Expression(root);
    }

    /// <summary>Every expression that has a method, by method number (roots first, then per-event expressions).</summary>
    public IReadOnlyList<BoundExpr> Expressions => _expressions;

    /// <summary>The generated source. <paramref name="fault"/> (tests only) makes that expression's method fail to compile.</summary>
    public static (string Source, IReadOnlyList<BoundExpr> Expressions) Emit(RatingPlan plan, int? fault = null)
    {
        var emitter = new ProgramEmitter(plan, fault);
        return (emitter.Source(), emitter.Expressions);
    }

    public static string MethodName(int expression) => "E" + expression.ToString(CultureInfo.InvariantCulture);

    private static string N(int i) => i.ToString(CultureInfo.InvariantCulture);

    private int Expression(BoundExpr expr)
    {
        if (_expressionIndex.TryGetValue(expr, out var index)) return index;
        index = _expressions.Count;
        _expressionIndex[expr] = index;
        _expressions.Add(expr);
        return index;
    }

    private string Source()
    {
        var pipelines = new StringBuilder();
        var classify = new string[_plan.Pipelines.Length];
        var apply = new string[_plan.Pipelines.Length];
        foreach (var p in _plan.Pipelines)
        {
            var k = N(p.Event.Index);
            classify[p.Event.Index] = $"return Classify{k}(c);";
            apply[p.Event.Index] = $"Apply{k}(c); return;";
            pipelines.Append(ClassifyMethod(p)).Append(ApplyMethod(p));
        }
        var fold = new string[_plan.Aggregates.Length];
        foreach (var a in _plan.Aggregates)
        {
            fold[a.Index] = $"Fold{N(a.Index)}(c); return;";
            pipelines.Append(FoldMethod(a));
        }
        var evaluate = new string[_plan.Roots.Count];
        for (var r = 0; r < evaluate.Length; r++) evaluate[r] = $"return {ToValue($"{MethodName(r)}(c)", ReprOf(_plan.Roots[r]))};";

        var classifyBody = Switch("c.EventKind", classify, "string", "int kind", "no such event kind");
        var applyBody = Switch("c.EventKind", apply, "void", "int kind", "no such event kind");
        var foldBody = Switch("aggregate", fold, "void", "int aggregate", "no such aggregate");
        var evaluateBody = Switch("root", evaluate, ValueType, "int root", "no such root");

        // Methods are generated last: expressions met in the pipelines get their numbers on the way.
        _event = null;
        for (var i = 0; i < _expressions.Count; i++) ExpressionMethod(i);

        return $$"""
            using O = global::TariffLang.Runtime.Operators;
            using MethodImpl = global::System.Runtime.CompilerServices.MethodImplAttribute;
            using MethodImplOptions = global::System.Runtime.CompilerServices.MethodImplOptions;
            namespace {{Namespace}};

            internal sealed class {{ClassName}} : global::TariffLang.Runtime.RatingProgram, global::TariffLang.Emitter.IGeneratedProgram
            {
                public string Layout => {{Lit(_plan.Layout)}};

                public override string Classify({{Context}} c)
                {
            {{classifyBody}}    }

                public override void Apply({{Context}} c)
                {
            {{applyBody}}    }

                public override void Fold({{Context}} c, int aggregate)
                {
            {{foldBody}}    }

                public override {{ValueType}} Evaluate({{Context}} c, int root)
                {
            {{evaluateBody}}    }

            {{pipelines}}
            {{_methods}}}
            """;
    }

    /// <summary>Most cases one generated switch holds.</summary>
    internal const int MaxCases = 128;

    private int _switches;

    /// <summary>
    /// A method body that runs <paramref name="cases"/>[key] (a statement that returns), or throws. Roslyn compiles one
    /// switch in time and memory that grow with the square of its cases (18,000 roots: 67 s and 9.8 GB), so past
    /// <see cref="MaxCases"/> the cases go to methods of their own, dispatched by <c>key / MaxCases</c>: a tree of small
    /// switches. The part methods take <paramref name="parameter"/> (the key, named as in the body) besides the context.
    /// </summary>
    private string Switch(string key, string[] cases, string returns, string parameter, string missing)
    {
        var fail = $"        throw new global::System.InvalidOperationException({Lit(missing)});\n";
        var argument = parameter[(parameter.IndexOf(' ') + 1)..];
        return Cases(key, 0, cases.Length) + fail;

        string Cases(string on, int first, int count)
        {
            var sb = new StringBuilder();
            if (count <= MaxCases)
            {
                sb.Append($"        switch ({on})\n        {{\n");
                for (var i = first; i < first + count; i++) sb.Append($"            case {N(i)}: {cases[i]}\n");
                return sb.Append("        }\n").ToString();
            }
            var size = MaxCases;
            while ((long)size * MaxCases < count) size *= MaxCases;
            var offset = first == 0 ? on : $"({on} - {N(first)})";
            sb.Append($"        switch ({offset} / {N(size)})\n        {{\n");
            for (var part = 0; part * size < count; part++)
            {
                var name = "Switch" + N(_switches++);
                var body = Cases(argument, first + part * size, Math.Min(size, count - part * size));
                _methods.Append($"    private {returns} {name}({Context} c, {parameter})\n    {{\n{body}{fail}    }}\n\n");
                var call = $"{name}(c, {on})";
                sb.Append($"            case {N(part)}: {(returns == "void" ? call + "; return;" : "return " + call + ";")}\n");
            }
            return sb.Append("        }\n").ToString();
        }
    }

    // ---- pipelines --------------------------------------------------------------------------------------------

    /// <summary>Table cells, reject rules, free rules, per-event charges: the plan's order, the runtime's steps.</summary>
    private string ClassifyMethod(EventPipeline p)
    {
        _event = p.Event;
        var sb = new StringBuilder();
        sb.Append($"    private string Classify{N(p.Event.Index)}({Context} c)\n    {{\n");
        foreach (var table in p.Tables)
        {
            var keys = string.Join(", ", table.KeyAttributes.Select(a => $"c.Attribute({N(a)})"));
            var t = N(_model.Tables.IndexOf(table.Table));
            sb.Append($"        if (!c.HasCell({t}, [{keys}])) return c.MissingCell({t}, [{keys}]);\n");
        }
        foreach (var rule in p.Rejects)
            sb.Append(
                $"        if ({Guard(rule.Validity, rule.Condition)}) return c.Model.Rules[{N(_model.Rules.IndexOf(rule))}].Reason;\n");
        foreach (var rule in p.Frees)
        {
            sb.Append($"        if ({Guard(rule.Validity, rule.Condition)})\n        {{\n");
            sb.Append($"            c.MarkFree({N(_model.Rules.IndexOf(rule))});\n            return null;\n        }}\n");
        }
        foreach (var charge in p.Charges)
        {
            var price = Call(charge.Charge.Price);
            sb.Append(
                $"        if ({Guard(charge.Charge.Validity, charge.Charge.Condition)}) c.AddEventLine({N(charge.Index)}, "
                + $"{Widen(price, Repr.NullableDecimal)});\n");
        }
        sb.Append("        return null;\n    }\n\n");
        return sb.ToString();
    }

    /// <summary>State operations (states in declaration order, each one's operations in order), then windows.</summary>
    private string ApplyMethod(EventPipeline p)
    {
        _event = p.Event;
        var sb = new StringBuilder();
        sb.Append($"    private void Apply{N(p.Event.Index)}({Context} c)\n    {{\n");
        foreach (var op in p.Ops)
        {
            var key = op.KeyAttribute is { } k ? $"c.Attribute({N(k)})" : $"{ValueType}.None";
            var value = Call(op.Op.Value);
            var state = N(op.State.Index);
            var step = op.Op.Op switch
            {
                StateOpKind.Set when op.Op.AtNextPeriod => $"c.StateSetAtNextPeriod({state}, {key}, {ToValue(value.Code, value.Repr)});",
                StateOpKind.Set => $"c.StateSet({state}, {key}, {ToValue(value.Code, value.Repr)});",
                StateOpKind.Add when op.State.TracksLots =>
                    $"c.StateAdd({state}, {key}, {Widen(value, Repr.NullableDecimal)}, false, {N(op.Position)});",
                StateOpKind.Add => $"c.StateAdd({state}, {key}, {Widen(value, Repr.NullableDecimal)}, false);",
                StateOpKind.Use =>
                    $"c.AllowanceUse({state}, {Widen(Call(op.State.Allowance!), Repr.NullableDecimal)}, "
                    + $"{Widen(value, Repr.NullableDecimal)});",
                _ => $"c.StateAdd({state}, {key}, {Widen(value, Repr.NullableDecimal)}, true);",
            };
            sb.Append(op.Op.Condition is null ? $"        {step}\n" : $"        if ({Truth(Call(op.Op.Condition))}) {step}\n");
        }
        foreach (var w in p.Windows)
        {
            var step = $"c.OpenWindow({N(w.Window.Index)}, c.Attribute({N(w.KeyAttribute)}));";
            sb.Append(w.Window.Condition is null ? $"        {step}\n" : $"        if ({Truth(Call(w.Window.Condition))}) {step}\n");
        }
        sb.Append("    }\n\n");
        return sb.ToString();
    }

    /// <summary>The aggregate's conditions, then its value folded by the runtime.</summary>
    private string FoldMethod(AggregatePlan plan)
    {
        var a = plan.Aggregate;
        _event = plan.Event;
        var sb = new StringBuilder();
        sb.Append($"    private void Fold{N(plan.Index)}({Context} c)\n    {{\n");
        foreach (var condition in a.Set.Conditions) sb.Append($"        if (!({Truth(Call(condition))})) return;\n");
        var i = N(plan.Index);
        switch (a.Kind)
        {
            case AggregateKind.Count:
                sb.Append($"        c.FoldCount({i});\n");
                break;
            case AggregateKind.Distinct:
            {
                // An attribute's slot goes in as it is: a text read from the ledger may be held as its word alone, which the
                // distinct set keeps without ever making its string.
                var value = a.Value is BoundAttribute attribute ? $"c.Attribute({N(attribute.Attribute.Index)})" : ToValue(Call(a.Value!));
                sb.Append($"        c.FoldDistinct({i}, {value});\n");
                break;
            }
            default:
            {
                var step = a.Kind switch { AggregateKind.Sum => "FoldSum", AggregateKind.Min => "FoldMin", _ => "FoldMax" };
                sb.Append($"        c.{step}({i}, {Widen(Call(a.Value!), Repr.NullableDecimal)});\n");
                break;
            }
        }
        sb.Append("    }\n\n");
        return sb.ToString();
    }

    /// <summary>The dates are checked before the condition is evaluated, so a condition that would fail outside its validity never runs
    /// there.</summary>
    private string Guard(Validity validity, BoundExpr? condition)
    {
        var tests = new List<string>();
        if (validity.From is { } from) tests.Add($"c.LocalDate >= {DateLiteral(from)}");
        if (validity.Until is { } until) tests.Add($"c.LocalDate <= {DateLiteral(until)}");
        if (condition is not null) tests.Add(Truth(Call(condition)));
        return tests.Count == 0 ? "true" : string.Join(" && ", tests.Select(t => "(" + t + ")"));
    }

    /// <summary>A call of an expression's method, typed as the method returns; the expression belongs to the event in hand.</summary>
    private (string Code, Repr Repr) Call(BoundExpr expr)
    {
        var index = Expression(expr);
        if (_event is not null) _eventOf[index] = _event;
        return ($"{MethodName(index)}(c)", ReprOf(expr));
    }

    private void ExpressionMethod(int index)
    {
        var expr = _expressions[index];
        _event = _eventOf.GetValueOrDefault(index);
        var (code, repr) = index == _fault ? (FaultIdentifier, ReprOf(expr)) : Translate(expr);
        _methods.Append("    [MethodImpl(MethodImplOptions.AggressiveInlining)]\n");
        _methods.Append(
            $"    private static {TypeName(repr)} {MethodName(index)}({Context} c) => {Widen((code, repr), ReprOf(expr))};\n\n");
    }

    // ---- expressions ------------------------------------------------------------------------------------------

    private Repr ReprOf(BoundExpr expr)
    {
        var none = _nullability.MayBeNone(expr);
        return expr.Type.Kind switch
        {
            TypeKind.Number or TypeKind.Money => none ? Repr.NullableDecimal : Repr.Decimal,
            TypeKind.Bool => none ? Repr.NullableBool : Repr.Bool,
            TypeKind.Text => Repr.Text,
            TypeKind.Date => none ? Repr.NullableDate : Repr.Date,
            TypeKind.Time => none ? Repr.NullableTime : Repr.Time,
            TypeKind.Duration => none ? Repr.NullableDuration : Repr.Duration,
            TypeKind.Tags => Repr.Tags,
            _ => throw new CompilerLimitationException(expr, $"an expression of type {expr.Type} has no value"),
        };
    }

    /// <summary>
    /// How deep one generated method nests its expression. Deeper, the rest of the tree is a method of its own: nested as
    /// deep as the tariff, building the code copied each level's text once per level above it (time and memory grew with
    /// the square of the depth), and Roslyn, which binds nested calls recursively on its own threads, could overflow
    /// their stacks.
    /// </summary>
    internal const int MaxInlineDepth = 32;

    private int _depth;

    private (string Code, Repr Repr) Translate(BoundExpr expr)
    {
        if (_depth >= MaxInlineDepth && expr is BoundUnary or BoundBinary or BoundIsNone or BoundConditional or BoundCall or BoundLookup)
            return Call(expr);
        _depth++;
        try
        {
            return TranslateNode(expr);
        }
        finally
        {
            _depth--;
        }
    }

    private (string Code, Repr Repr) TranslateNode(BoundExpr expr)
    {
        var repr = ReprOf(expr);
        switch (expr)
        {
            case BoundLiteral l: return (Literal(l), repr);
            case BoundParam p: return (FromValue($"c.Param({N(_plan.ParamIndex(p.Param))})", repr), repr);
            case BoundAttribute a: return (FromAttribute(a.Attribute.Index, repr), repr);
            case BoundEventBuiltin b: return (b.Builtin == EventBuiltin.Time ? "c.Time" : "c.Quantity", repr);
            case BoundLetRef l: return (FromValue($"c.Let({N(l.Let.Index)})", repr), repr);
            case BoundPlanField f: return (FromValue($"c.PlanField((global::TariffLang.Semantics.PlanField){N((int)f.Field)})", repr),
                repr);
            case BoundWithin w: return ($"c.Within({N(w.Window.Index)}, c.Attribute({N(KeyOf(w, w.Window.KeyAttribute))}))", repr);
            case BoundStateValue s:
            {
                var key = s.State.KeyAttribute is null ? $"{ValueType}.None" : $"c.Attribute({N(KeyOf(s, s.State.KeyAttribute))})";
                return (FromValue($"c.StateValue({N(s.State.Index)}, {key})", repr), repr);
            }
            case BoundStateAggregate s:
                return ($"c.StateAggregate((global::TariffLang.Semantics.StateAggregateKind){N((int)s.Kind)}, {N(s.State.Index)})", repr);
            case BoundTiered t:
            {
                var quantity = Translate(t.Quantity);
                var argument = IsNullable(repr) ? Widen(quantity, Repr.NullableDecimal) : Widen(quantity, Repr.Decimal);
                return ($"c.Tiered({N(t.Tiers.Index)}, {argument})", repr);
            }
            case BoundWindowElapsed w:
                return ($"c.WindowElapsed({N(w.Window.Index)}, c.Attribute({N(KeyOf(w, w.Window.KeyAttribute))}))", repr);
            case BoundAllowanceShare a:
            {
                var holds = a.Condition is null ? "true" : Truth(Translate(a.Condition));
                var amount = Widen(Translate(a.Amount), Repr.NullableDecimal);
                var weight = Widen(Translate(a.Weight), Repr.NullableDecimal);
                var beyond = a.Share == AllowanceShare.Beyond ? "true" : "false";
                return ($"c.AllowanceShare({N(a.Allowance.Index)}, {holds}, {amount}, {weight}, {beyond})", repr);
            }
            case BoundLookup l:
            {
                var keys = string.Join(", ", l.Keys.Select(k => ToValue(Translate(k))));
                return (FromValue($"c.Lookup({N(_model.Tables.IndexOf(l.Table))}, [{keys}])", repr), repr);
            }
            case BoundUnary u:
            {
                var operand = Translate(u.Operand);
                return ($"{Ops}.{(u.Op == UnaryOp.Not ? "Not" : "Negate")}({operand.Code})", repr);
            }
            case BoundBinary b: return (Binary(b, repr), repr);
            case BoundIsNone i:
            {
                var operand = Translate(i.Operand);
                return ($"{(i.Negated ? "!" : "")}{Ops}.IsNone({Widen(operand, Nullable(operand.Repr))})", repr);
            }
            case BoundConditional k:
            {
                var then = Translate(k.Then);
                var @else = Translate(k.Else);
                return ($"({Choice(Translate(k.Condition), k.NoneReason)} ? {Widen(then, repr)} : {Widen(@else, repr)})", repr);
            }
            case BoundCall call: return (CallBuiltin(call, repr), repr);
            case BoundAggregate a: return ($"c.Aggregate({N(_plan.AggregateIndex(a))})", repr);
        }
        throw new CompilerLimitationException(expr, $"no translation for {expr.GetType().Name}");
    }

    /// <summary>The position of a key attribute in the event the expression belongs to (the checker made sure it has it).</summary>
    private int KeyOf(BoundExpr expr, string attribute) =>
        _event?.Find(attribute)?.Index ?? throw new CompilerLimitationException(expr, $"'{attribute}' needs the event in hand");

    private string Binary(BoundBinary b, Repr repr)
    {
        if (b.Op is BinaryOp.And or BinaryOp.Or)
        {
            // Short-circuit: the right side is not evaluated when the left decides.
            var op = b.Op == BinaryOp.And ? "&&" : "||";
            return $"({Truth(Translate(b.Left))} {op} {Truth(Translate(b.Right))})";
        }
        var left = Translate(b.Left);
        var right = Translate(b.Right);
        // One overload for plain operands, the nullable one as soon as either side may be none.
        var nullable = IsNullable(left.Repr) || IsNullable(right.Repr);
        string Arg((string Code, Repr Repr) x) => nullable ? Widen(x, Nullable(x.Repr)) : x.Code;
        var name = b.Op switch
        {
            BinaryOp.Add when b.Operands == OperandKind.TimeAndDuration => "AddDuration",
            BinaryOp.Sub when b.Operands == OperandKind.TimeAndDuration => "SubtractDuration",
            BinaryOp.Sub when b.Operands == OperandKind.TimeAndTime => "Elapsed",
            BinaryOp.Add => "Add",
            BinaryOp.Sub => "Subtract",
            BinaryOp.Mul => "Multiply",
            BinaryOp.Div => "Divide",
            BinaryOp.Eq => "Equal",
            BinaryOp.Ne => "NotEqual",
            BinaryOp.Lt => "Less",
            BinaryOp.Le => "LessOrEqual",
            BinaryOp.Gt => "Greater",
            BinaryOp.Ge => "GreaterOrEqual",
            BinaryOp.Contains => "Contains",
            _ => throw new CompilerLimitationException(b, $"no translation for operator {b.Op}"),
        };
        var call = $"{Ops}.{name}({Arg(left)}, {Arg(right)})";
        // Texts and tags are references, so their comparisons answer bool? even when neither side can be none.
        return repr == Repr.Bool && (left.Repr is Repr.Text or Repr.Tags) ? $"{Ops}.Proven({call})" : call;
    }

    private string CallBuiltin(BoundCall call, Repr repr)
    {
        if (call.Function == Builtin.PeriodMonths) return "c.PeriodMonths";
        if (call.Function == Builtin.DaysInPeriod) return "c.PeriodDays";
        var args = call.Args.Select(Translate).ToList();
        var nullable = args.Any(a => IsNullable(a.Repr));
        string Arg((string Code, Repr Repr) x) => nullable ? Widen(x, Nullable(x.Repr)) : x.Code;
        switch (call.Function)
        {
            case Builtin.Ceil or Builtin.Floor or Builtin.Round or Builtin.Abs:
                var name = call.Function switch { Builtin.Ceil => "Ceiling", Builtin.Floor => "Floor", Builtin.Round => "Round",
                    _ => "Abs" };
                return $"{Ops}.{name}({Arg(args[0])})";
            case Builtin.Min or Builtin.Max:
            {
                // Every argument evaluated, left to right. Min and Max keep the leftmost of equal values and are none when
                // any argument is, so grouping does not change the answer: a balanced tree keeps a call with thousands of
                // arguments log-deep, where a left fold nested (and copied) the code once per argument.
                var fn = call.Function == Builtin.Min ? "Min" : "Max";
                string Fold(int from, int to) =>
                    to - from == 1 ? Arg(args[from]) : $"{Ops}.{fn}({Fold(from, (from + to) / 2)}, {Fold((from + to) / 2, to)})";
                return Fold(0, args.Count);
            }
            case Builtin.YearsSince:
                return $"{Ops}.YearsSince({args[0].Code}, c.Now, c.Zone)";
            case Builtin.RoundUp or Builtin.RoundDown or Builtin.RoundNearest or Builtin.Blocks:
                return $"{Ops}.{call.Function}({string.Join(", ", args.Select(Arg))})";
            case Builtin.RoundUpDuration or Builtin.RoundDownDuration or Builtin.RoundNearestDuration:
            {
                var fn = call.Function switch { Builtin.RoundUpDuration => "RoundUp", Builtin.RoundDownDuration => "RoundDown",
                    _ => "RoundNearest" };
                return $"{Ops}.{fn}({Arg(args[0])}, {Arg(args[1])})";
            }
            case Builtin.Seconds or Builtin.Minutes or Builtin.Hours or Builtin.Days:
                return $"{Ops}.{call.Function}({Arg(args[0])})";
            case Builtin.Length or Builtin.StartsWith or Builtin.EndsWith or Builtin.IsGsm7 or Builtin.Gsm7Length:
            {
                // Texts are references, so these answer nullables; a text that cannot be none gives a value proved present.
                var code = $"{Ops}.{call.Function}({string.Join(", ", args.Select(a => a.Code))})";
                return IsNullable(repr) ? code : $"{Ops}.Proven({code})";
            }
            case Builtin.TimeOfDay:
                return $"{Ops}.TimeOfDay({args[0].Code}, c.Zone)";
            case Builtin.Overlap:
                return $"{Ops}.Overlap({Arg(args[0])}, {Arg(args[1])}, {Arg(args[2])}, {Arg(args[3])}, c.Zone)";
            case Builtin.DayOfWeek or Builtin.MonthOfYear or Builtin.DayOfMonth or Builtin.IsHoliday:
            {
                // A time counts by its local date in the tariff's zone.
                var date = args[0].Repr is Repr.Time or Repr.NullableTime ? $"{Ops}.LocalDate({args[0].Code}, c.Zone)" : args[0].Code;
                if (call.Function != Builtin.IsHoliday) return $"{Ops}.{call.Function}({date})";
                var holds = $"{Ops}.IsHoliday({date}, {args[1].Code}{(args.Count > 2 ? ", " + args[2].Code : "")})";
                return IsNullable(repr) ? holds : $"{Ops}.Proven({holds})";
            }
            case Builtin.DaysBetween or Builtin.DayOfPeriod:
            {
                // A time counts by its local date in the tariff's zone.
                var dates = args.Select(a => a.Repr is Repr.Time or Repr.NullableTime ? $"{Ops}.LocalDate({a.Code}, c.Zone)" : a.Code)
                    .ToList();
                return call.Function == Builtin.DaysBetween
                    ? $"{Ops}.DaysBetween({dates[0]}, {dates[1]})"
                    : $"{Ops}.DayOfPeriod({dates[0]}, c.PeriodFirstDay)";
            }
        }
        throw new CompilerLimitationException(call, $"no translation for {call.Function}");
    }

    private string Literal(BoundLiteral l) => l.Value switch
    {
        null => $"({TypeName(ReprOf(l))})null",
        decimal d => DecimalLiteral(d),
        string s => Lit(s),
        bool b => b ? "true" : "false",
        DateOnly d => DateLiteral(d),
        DateTimeOffset t => $"new global::System.DateTimeOffset({Lit(t.Ticks)}, global::System.TimeSpan.FromTicks({Lit(t.Offset.Ticks)}))",
        TimeSpan s => $"global::System.TimeSpan.FromTicks({Lit(s.Ticks)})",
        string[] tags => $"new string[] {{ {string.Join(", ", tags.Select(Lit))} }}",
        _ => throw new CompilerLimitationException(l, $"no literal form for a {l.Value.GetType().Name} constant"),
    };

    // ---- representations -----------------------------------------------------------------------------------

    private static bool IsNullable(Repr r) =>
        r is Repr.NullableDecimal or Repr.NullableBool or Repr.NullableDate or Repr.NullableTime or Repr.NullableDuration
        or Repr.Text or Repr.Tags;

    private static Repr Nullable(Repr r) => r switch
    {
        Repr.Decimal => Repr.NullableDecimal,
        Repr.Bool => Repr.NullableBool,
        Repr.Date => Repr.NullableDate,
        Repr.Time => Repr.NullableTime,
        Repr.Duration => Repr.NullableDuration,
        _ => r,
    };

    private static string TypeName(Repr r) => r switch
    {
        Repr.Decimal => "decimal",
        Repr.NullableDecimal => "decimal?",
        Repr.Bool => "bool",
        Repr.NullableBool => "bool?",
        Repr.Text => "string",
        Repr.Date => "global::System.DateOnly",
        Repr.NullableDate => "global::System.DateOnly?",
        Repr.Time => "global::System.DateTimeOffset",
        Repr.NullableTime => "global::System.DateTimeOffset?",
        Repr.Duration => "global::System.TimeSpan",
        Repr.NullableDuration => "global::System.TimeSpan?",
        _ => "string[]",
    };

    /// <summary>A value of one representation in another: only widening (plain to nullable) ever happens.</summary>
    private static string Widen((string Code, Repr Repr) x, Repr target)
    {
        if (x.Repr == target) return x.Code;
        if (Nullable(x.Repr) == target) return $"({TypeName(target)})({x.Code})";
        throw new InvalidOperationException($"cannot turn {x.Repr} into {target}");
    }

    /// <summary>The branch of an <c>if</c>: a condition that may be none goes through the shared rule that rejects it.</summary>
    private static string Choice((string Code, Repr Repr) x, string noneReason) => x.Repr switch
    {
        Repr.Bool => x.Code,
        Repr.NullableBool => $"{Ops}.Choose({x.Code}, {Lit(noneReason)})",
        _ => throw new InvalidOperationException($"a condition of representation {x.Repr}"),
    };

    /// <summary>Only true is true: none is not.</summary>
    private static string Truth((string Code, Repr Repr) x) => x.Repr switch
    {
        Repr.Bool => x.Code,
        Repr.NullableBool => $"{Ops}.IsTrue({x.Code})",
        _ => throw new InvalidOperationException($"a condition of representation {x.Repr}"),
    };

    private static string ToValue((string Code, Repr Repr) x) => ToValue(x.Code, x.Repr);

    private static string ToValue(string code, Repr repr) => repr switch
    {
        Repr.Decimal or Repr.NullableDecimal => $"{ValueType}.FromNumber({code})",
        Repr.Bool or Repr.NullableBool => $"{ValueType}.FromBool({code})",
        Repr.Text => $"{ValueType}.FromText({code})",
        Repr.Date or Repr.NullableDate => $"{ValueType}.FromDate({code})",
        Repr.Time or Repr.NullableTime => $"{ValueType}.FromTime({code})",
        Repr.Duration or Repr.NullableDuration => $"{ValueType}.FromDuration({code})",
        _ => $"{ValueType}.FromTags({code})",
    };

    /// <summary>A value read from the runtime as the representation the code needs: checked when none cannot occur.</summary>
    private static string FromValue(string value, Repr repr) => repr switch
    {
        Repr.Decimal => $"{value}.RequireNumber()",
        Repr.NullableDecimal => $"{value}.NumberOrNull",
        Repr.Bool => $"{value}.RequireBool()",
        Repr.NullableBool => $"{value}.BoolOrNull",
        Repr.Text => $"{value}.TextOrNull",
        Repr.Date => $"{value}.RequireDate()",
        Repr.NullableDate => $"{value}.DateOrNull",
        Repr.Time => $"{value}.RequireTime()",
        Repr.NullableTime => $"{value}.TimeOrNull",
        Repr.Duration => $"{value}.RequireDuration()",
        Repr.NullableDuration => $"{value}.DurationOrNull",
        _ => $"{value}.TagsOrNull",
    };

    /// <summary>
    /// An attribute straight from the event's slot. A required attribute is always there with its declared type (the
    /// ledger binder rejects a row otherwise), so it is read without a check.
    /// </summary>
    private static string FromAttribute(int index, Repr repr)
    {
        var slot = $"c.Attribute({N(index)})";
        return repr switch
        {
            Repr.Decimal => $"{slot}.Number",
            Repr.Bool => $"{slot}.Bool",
            Repr.Date => $"{slot}.Date",
            Repr.Time => $"{slot}.Time",
            Repr.Duration => $"{slot}.Duration",
            _ => FromValue(slot, repr),
        };
    }

    // ---- literals: formatted by Roslyn, never pasted --------------------------------------------------------

    private static string Lit(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    private static string Lit(long value) => SyntaxFactory.Literal(value).Text;

    private static string DateLiteral(DateOnly d) =>
        $"new global::System.DateOnly({SyntaxFactory.Literal(d.Year).Text}, {SyntaxFactory.Literal(d.Month).Text}, "
        + $"{SyntaxFactory.Literal(d.Day).Text})";

    /// <summary>A decimal constant with its scale (1.50 stays 1.50: it shows on invoices and in keys).</summary>
    public static string DecimalLiteral(decimal value) => decimal.IsNegative(value)
        ? $"(-{SyntaxFactory.Literal(-value).Text})"
        : SyntaxFactory.Literal(value).Text;
}
