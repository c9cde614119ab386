using System.Collections.Immutable;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TariffLang.Emitter;
using TariffLang.Interpreter;
using TariffLang.Ledgers;
using TariffLang.Runtime;
using TariffLang.Semantics;
using TariffLang.Syntax;
using TariffLang.Text;
using Oracle = TariffLang.Tests.Reference;

namespace TariffLang.Tests.Compilation;

/// <summary>An expression type the emitter has never heard of: what a new node type looks like before the emitter handles it.</summary>
internal sealed record AlienExpr(TlType Type, TextSpan Span) : BoundExpr(Type, Span);

/// <summary>Every construct of the language compiles: proven over the node types found by reflection, not a hand-kept list.</summary>
public class CoverageTests
{
    private static readonly CheckedTariff Model = Tariff.Compile(TestTariffs.Everything, "everything.tariff").Model!;

    /// <summary>Every bound node of the model: its declarations' expressions, and everything below them.</summary>
    private static List<BoundExpr> AllNodes(CheckedTariff? model = null) => CompilerTestSupport.ModelExpressions(model ?? Model);

    /// <summary>The expressions the emitter gave a method, and every node below them (translated inline, or folded).</summary>
    private static HashSet<BoundExpr> EmittedNodes(RatingPlan plan)
    {
        var seen = new HashSet<BoundExpr>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<BoundExpr>(ProgramEmitter.Emit(plan).Expressions);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!seen.Add(node)) continue;
            foreach (var child in Dependencies.Children(node)) stack.Push(child);
        }
        return seen;
    }

    [Fact]
    public void EverythingTariff_BoundExpressionTypes_AreAllUsed()
    {
        var all = CompilerTestSupport.BoundExpressionTypes().Select(t => t.Name).ToHashSet();
        all.ShouldNotBeEmpty();
        var used = AllNodes().Select(n => n.GetType().Name).ToHashSet();
        // A new node type fails here until the everything tariff uses it (and then the compiler must handle it).
        all.Except(used).ShouldBeEmpty();
    }

    [Fact]
    public void EverythingTariff_OperatorsBuiltinsAndAggregates_AreAllUsed()
    {
        var nodes = AllNodes();
        void Covers<TEnum>(IEnumerable<TEnum> used) where TEnum : struct, Enum =>
            Enum.GetValues<TEnum>().Except(used).ShouldBeEmpty(typeof(TEnum).Name);
        Covers(nodes.OfType<BoundBinary>().Select(b => b.Op));
        Covers(nodes.OfType<BoundUnary>().Select(u => u.Op));
        Covers(nodes.OfType<BoundCall>().Select(c => c.Function));
        Covers(nodes.OfType<BoundAggregate>().Select(a => a.Kind));
        Covers(nodes.OfType<BoundPlanField>().Select(f => f.Field));
        Covers(nodes.OfType<BoundStateAggregate>().Select(s => s.Kind));
        Covers(nodes.OfType<BoundEventBuiltin>().Select(b => b.Builtin));
        var literalTypes = nodes.OfType<BoundLiteral>().Select(l => l.Value?.GetType()).ToHashSet();
        foreach (var t in new Type?[] { typeof(decimal), typeof(string), typeof(DateOnly), typeof(DateTimeOffset), typeof(TimeSpan) })
            literalTypes.ShouldContain(t);
    }

    [Fact]
    public void EverythingTariff_OperandKinds_AreAllUsed()
    {
        // Each operand kind is its own runtime operation in the generated code: each must be exercised.
        Enum.GetValues<OperandKind>().Except(AllNodes().OfType<BoundBinary>().Select(b => b.Operands)).ShouldBeEmpty();
    }

    [Fact]
    public void Emitter_EveryExpressionOfTheTestTariff_HasAMethodThatCompiles()
    {
        var (program, diagnostics, plan) = CompilerTestSupport.CompileInternal(TestTariffs.Everything,
            new CompilerOptions { UseCache = false });
        diagnostics.ShouldBeEmpty();
        program.ShouldNotBeNull();
        var model = plan.Model;
        var expressions = ProgramEmitter.Emit(plan).Expressions;
        bool HasMethod(BoundExpr e) => expressions.Any(x => ReferenceEquals(x, e));

        // The plan's roots come first, with the plan's numbers.
        expressions.Count.ShouldBeGreaterThanOrEqualTo(plan.Roots.Count);
        for (var r = 0; r < plan.Roots.Count; r++) ReferenceEquals(expressions[r], plan.Roots[r]).ShouldBeTrue($"root {r}");
        // Every expression the engine evaluates on its own has a method: roots, and every pipeline step.
        foreach (var rule in model.Rules.Where(r => r.Condition is not null)) HasMethod(rule.Condition!).ShouldBeTrue();
        foreach (var charge in model.EventCharges)
        {
            HasMethod(charge.Price).ShouldBeTrue();
            if (charge.Condition is not null) HasMethod(charge.Condition).ShouldBeTrue();
        }
        foreach (var op in model.States.SelectMany(s => s.Ops))
        {
            HasMethod(op.Value).ShouldBeTrue();
            if (op.Condition is not null) HasMethod(op.Condition).ShouldBeTrue();
        }
        foreach (var window in model.Windows.Where(w => w.Condition is not null)) HasMethod(window.Condition!).ShouldBeTrue();
        foreach (var charge in model.AggregateCharges) HasMethod(charge.Amount).ShouldBeTrue();
        foreach (var aggregate in plan.Aggregates.Select(a => a.Aggregate))
        {
            foreach (var condition in aggregate.Set.Conditions) HasMethod(condition).ShouldBeTrue();
            // A distinct count of an attribute is handed the attribute's slot as it is (a text may be held as its word).
            var slot = aggregate.Kind == AggregateKind.Distinct && aggregate.Value is BoundAttribute;
            if (aggregate.Value is not null && !slot) HasMethod(aggregate.Value).ShouldBeTrue();
        }
        foreach (var cell in model.Tables.SelectMany(t => t.Cells.Values)) HasMethod(cell).ShouldBeTrue();
        foreach (var p in model.Params.Where(p => p.Default is not null)) HasMethod(p.Default!).ShouldBeTrue();

        // The loaded program holds a method for each of them, and the pipeline's own methods.
        var methods = program.Program.GetType().GetMethods(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static
            | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public
            | System.Reflection.BindingFlags.DeclaredOnly)
            .Select(m => m.Name).ToHashSet();
        for (var i = 0; i < expressions.Count; i++) methods.ShouldContain(ProgramEmitter.MethodName(i));
        foreach (var e in model.Events)
        {
            methods.ShouldContain("Classify" + e.Index);
            methods.ShouldContain("Apply" + e.Index);
        }
        foreach (var a in plan.Aggregates) methods.ShouldContain("Fold" + a.Index);
    }

    [Fact]
    public void Emitter_EveryNodeTypeOfTheTestTariff_IsTranslated()
    {
        var plan = RatingPlan.Build(Model);
        // The emitter reaches every node of the model: as a method of its own, inline in its parent's, or as a Fold method
        // (an aggregate's event set). Emitting throws for a node it cannot translate (see the alien node below).
        var emitted = EmittedNodes(plan);
        foreach (var node in AllNodes()) emitted.ShouldContain(node, $"{node.GetType().Name} at {node.Span.Start}");
        emitted.Select(n => n.GetType()).ToHashSet().SetEquals(CompilerTestSupport.BoundExpressionTypes())
            .ShouldBeTrue();
        // And Roslyn accepts what it made of them.
        var tree = CSharpSyntaxTree.ParseText(ProgramEmitter.Emit(plan).Source);
        tree.GetDiagnostics().ShouldBeEmpty();
    }

    [Fact]
    public void Emitter_NodeTypeItDoesNotKnow_IsTL0090AtItsSpan()
    {
        // The negative control of the coverage above: a node type the emitter has no translation for is reported, not skipped.
        var let = Model.Lets[0];
        var alien = new AlienExpr(let.Value.Type, let.Value.Span);
        var broken = Model with { Lets = Model.Lets.SetItem(0, let with { Value = alien }) };

        var (program, diagnostics) = TariffCompiler.Create(RatingPlan.Build(broken),
            new SourceText(TestTariffs.Everything, "everything.tariff"),
            new CompilerOptions { UseCache = false });

        program.ShouldBeNull();
        var d = diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("TL0090");
        d.Span.ShouldBe(let.Value.Span);
        d.Message.ShouldContain(nameof(AlienExpr));
    }

    [Fact]
    public void CompiledProgram_RootOutsideItsPlan_ThrowsInsteadOfBeingInterpreted()
    {
        var (program, _, plan) = CompilerTestSupport.CompileInternal(TestTariffs.Everything, new CompilerOptions { UseCache = false });
        var generated = program.ShouldNotBeNull().Program;
        generated.ShouldNotBeOfType<InterpretedProgram>();
        // The generated class holds no state: no interpreter (nor anything else) it could hand an expression to.
        generated.GetType().GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static
            | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public).ShouldBeEmpty();
        var context = new RatingContext(plan, generated, "a", ImmutableDictionary<string, string>.Empty);
        Should.Throw<InvalidOperationException>(() => generated.Evaluate(context, plan.Roots.Count));
        Should.Throw<InvalidOperationException>(() => generated.Evaluate(context, -1));
    }

    [Fact]
    public void EverythingTariff_Examples_RateIdenticallyThroughBothEngines()
    {
        var (interpreted, compiled) = CompilerTestSupport.Both(TestTariffs.Everything, "everything.tariff");
        var expected = interpreted.RunExamples();
        var actual = compiled.RunExamples();
        actual.Select(r => r.Rating.ToJson()).ShouldBe(expected.Select(r => r.Rating.ToJson()));
        actual.Select(r => r.Status).ShouldAllBe(s => s == ExampleStatus.Passed);
    }

    [Fact]
    public void Compiler_DecimalLiteralsAndEqualMinMax_KeepTheirScale()
    {
        // 1.50 and 1.5 are equal but print differently (invoice JSON, distinct keys): both backends must agree on which survives.
        const string text = """
            tariff scales "scales" {
              currency EUR
              period month in "UTC"
              event e(v: decimal)
              let a = min(1.50, 1.5, 2) * 1
              let b = max(2.0, 2, 1.000) * 1
              let c = sum(e, max(v, 1.0))
              let d = distinct(e, v * 1.00)
              charge "A" = a * 1 EUR
              charge "B" = b * 1 EUR
              charge "C" = c at 1.000 EUR
              charge "D" = d * 0.0100 EUR
              example "x" {
                e(v: 1)
                e(v: 1.00)
                e(v: 0.5)
                expect total 0
              }
            }
            """;
        var (interpreted, compiled) = CompilerTestSupport.Both(text);
        compiled.RunExamples()[0].Rating.ToJson().ShouldBe(interpreted.RunExamples()[0].Rating.ToJson());
        foreach (var value in new[] { 1.50m, 0.0000000000000000000000000001m, 79228162514264337593543950335m,
            1.0000000000000000000000000000m, 12345.678900m })
        {
            var token = Microsoft.CodeAnalysis.CSharp.SyntaxFactory.ParseExpression(ProgramEmitter.DecimalLiteral(value));
            var parsed = (decimal)((Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax)token).Token.Value!;
            parsed.ToString(System.Globalization.CultureInfo.InvariantCulture)
                .ShouldBe(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData("1", "1.0", "1.00")]
    [InlineData("1.00", "1", "1.0")]
    [InlineData("2.0", "2", "1")]
    [InlineData("0", "-0.0", "0.00")]
    public void Operators_MinAndMaxOfEqualValues_KeepTheSameOneAsTheOracle(string a, string b, string c)
    {
        // Both engines call Operators.Min/Max pairwise, left to right (typed or nullable): which of equal values survives
        // shows on invoices and in distinct keys, and must be the one the old engine kept.
        var values = new[] { a, b, c }.Select(v => decimal.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var zone = new Oracle.DateTimeZoneInfo(NodaTime.DateTimeZone.Utc);
        var args = values.Cast<object?>().ToArray();
        string Show(decimal? v) => Oracle.RuntimeOps.Show(v);
        var min = Show(values.Aggregate(Operators.Min));
        var max = Show(values.Aggregate(Operators.Max));
        min.ShouldBe(Oracle.RuntimeOps.Show(Oracle.RuntimeOps.Call(Builtin.Min, args, default, zone)));
        max.ShouldBe(Oracle.RuntimeOps.Show(Oracle.RuntimeOps.Call(Builtin.Max, args, default, zone)));
        Show(values.Select(v => (decimal?)v).Aggregate(Operators.Min)).ShouldBe(min);
        Show(values.Select(v => (decimal?)v).Aggregate(Operators.Max)).ShouldBe(max);
    }

    [Fact]
    public void CompiledEngine_DivisionByZeroAndNone_BehaveAsInTheInterpreter()
    {
        const string text = """
            tariff zero "zero" {
              currency EUR
              period month in "UTC"
              param divisor: number = 0
              param maybe: number?
              event e(v: decimal, w: decimal?)
              charge "Per e" per e where w is none or w / v > 1 at 1 EUR / param divisor
              charge "None" = if (param maybe + 1) > 0 then 1 EUR else 2 EUR
              charge "Comparisons" = if not (param maybe = 1) then 3 EUR else 4 EUR
              example "x" {
                e(v: 0)
                e(v: 0, w: 1)
                e(v: 2, w: 1)
                expect total 0
              }
            }
            """;
        var (interpreted, compiled) = CompilerTestSupport.Both(text);
        var expected = interpreted.RunExamples()[0].Rating;
        compiled.RunExamples()[0].Rating.ToJson().ShouldBe(expected.ToJson());
        expected.ToJson().ShouldContain("division by zero");
        // The same with a divisor: the rows are rated, not rejected.
        var ledger = new Ledger("x", [new LedgerRow(1, null, new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero), "a", "e", 1m,
            ImmutableDictionary<string, string>.Empty.Add("v", "2"))], []);
        var accounts = new AccountTable(ImmutableDictionary<string, ImmutableDictionary<string, string>>.Empty
            .Add("a", ImmutableDictionary<string, string>.Empty.Add("divisor", "4").Add("maybe", "1")));
        compiled.Rate(ledger, accounts).ToJson().ShouldBe(interpreted.Rate(ledger, accounts).ToJson());
    }

    private const string EventSetLet = """
        tariff sets "sets" {
          currency EUR
          period month in "UTC"
          event e(n: int)
          let big = e where n > 1
          charge "Big" = count(big) at 1 EUR
          charge "Sum" = sum(big, n) at 0.1 EUR
        }
        """;

    private static Ledger EventSetLedger() => new("sets.csv", [.. new[] { 1, 2, 3 }.Select(n => new LedgerRow(n + 1, null,
        new DateTimeOffset(2024, 3, n, 10, 0, 0, TimeSpan.Zero), "a", "e", 1m,
        ImmutableDictionary<string, string>.Empty.Add("n", n.ToString(System.Globalization.CultureInfo.InvariantCulture))))], []);

    [Fact]
    public void Interpreter_LetBoundToAnEventSet_MatchesTheOracle()
    {
        var tariff = Tariff.Compile(EventSetLet, "sets.tariff");
        tariff.HasErrors.ShouldBeFalse(string.Join("\n", tariff.Diagnostics));
        var result = tariff.Rate(EventSetLedger());
        result.Invoices.ShouldHaveSingleItem().Total.ShouldBe(2.50m);
        Reference.OracleDifferentialTests.Describe(() => result)
            .ShouldBe(Reference.OracleDifferentialTests.Describe(() =>
                Reference.OracleDifferentialTests.RateWithOracle(tariff.Model!, EventSetLedger())));
    }

    [Fact]
    public void Compiler_LetBoundToAnEventSet_CompilesAndMatchesTheOracle()
    {
        var compiled = Tariff.Compile(EventSetLet, "sets.tariff", TariffEngine.Compiled);
        compiled.Diagnostics.ShouldBeEmpty();
        Reference.OracleDifferentialTests.Describe(() => compiled.Rate(EventSetLedger()))
            .ShouldBe(Reference.OracleDifferentialTests.Describe(() =>
                Reference.OracleDifferentialTests.RateWithOracle(compiled.Model!, EventSetLedger())));
    }
}
