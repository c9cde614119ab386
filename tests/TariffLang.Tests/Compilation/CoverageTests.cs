using System.Collections.Immutable;
using TariffLang.Compilation;
using TariffLang.Evaluation;
using TariffLang.Ledgers;
using TariffLang.Semantics;
using TariffLang.Syntax;
using TariffLang.Text;

namespace TariffLang.Tests.Compilation;

/// <summary>Every construct of the language compiles: proven over the node types found by reflection, not a hand-kept list.</summary>
public class CoverageTests
{
    private static readonly CheckedTariff Model = Tariff.Compile(TestTariffs.Everything, "everything.tariff").Model!;

    /// <summary>Every bound node reachable from the model: roots, and everything below them.</summary>
    private static List<BoundExpr> AllNodes(CheckedTariff? model = null)
    {
        var plan = ProgramPlan.Build(model ?? Model);
        var seen = new HashSet<BoundExpr>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<BoundExpr>(plan.Roots);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!seen.Add(node)) continue;
            foreach (var child in Dependencies.Children(node)) stack.Push(child);
        }
        return seen.ToList();
    }

    [Fact]
    public void The_test_tariff_uses_every_bound_expression_type()
    {
        var all = typeof(BoundExpr).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(BoundExpr).IsAssignableFrom(t))
            .Select(t => t.Name).ToHashSet();
        all.ShouldNotBeEmpty();
        var used = AllNodes().Select(n => n.GetType().Name).ToHashSet();
        // A new node type fails here until the everything tariff uses it (and then the compiler must handle it).
        all.Except(used).ShouldBeEmpty();
    }

    [Fact]
    public void The_test_tariff_uses_every_operator_builtin_and_aggregate()
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
    public void Every_root_of_the_test_tariff_compiles_to_a_delegate()
    {
        var (evaluator, diagnostics, model) = CompilerTestSupport.CompileInternal(TestTariffs.Everything, new CompilerOptions { UseCache = false });
        diagnostics.ShouldBeEmpty();
        evaluator.ShouldNotBeNull();
        var plan = ProgramPlan.Build(model);
        evaluator.Count.ShouldBe(plan.Roots.Count);
        foreach (var root in plan.Roots) evaluator.Handles(root).ShouldBeTrue();
        // The engine's own entry points are all among the roots.
        foreach (var rule in model.Rules.Where(r => r.Condition is not null)) evaluator.Handles(rule.Condition!).ShouldBeTrue();
        foreach (var charge in model.AggregateCharges) evaluator.Handles(charge.Amount).ShouldBeTrue();
        // The engine evaluates aggregates' conditions and values on their own to attribute rows to charges.
        foreach (var aggregate in AllNodes(model).OfType<BoundAggregate>())
        {
            foreach (var condition in aggregate.Set.Conditions) evaluator.Handles(condition).ShouldBeTrue();
            if (aggregate.Value is not null) evaluator.Handles(aggregate.Value).ShouldBeTrue();
        }
        foreach (var cell in model.Tables.SelectMany(t => t.Cells.Values)) evaluator.Handles(cell).ShouldBeTrue();
        foreach (var p in model.Params.Where(p => p.Default is not null)) evaluator.Handles(p.Default!).ShouldBeTrue();
    }

    [Fact]
    public void Every_node_type_is_translated_by_the_emitter()
    {
        // Every node, of every type, on its own: the emitter must not reject any of them.
        var plan = ProgramPlan.Build(Model);
        var translated = new HashSet<string>();
        foreach (var node in AllNodes())
        {
            CSharpEmitter.Translate(plan, node).ToString().ShouldNotBeNullOrWhiteSpace();
            translated.Add(node.GetType().Name);
        }
        translated.Count.ShouldBe(typeof(BoundExpr).Assembly.GetTypes().Count(t => !t.IsAbstract && typeof(BoundExpr).IsAssignableFrom(t)));
    }

    [Fact]
    public void An_expression_without_compiled_code_throws_instead_of_being_interpreted()
    {
        var (evaluator, _, _) = CompilerTestSupport.CompileInternal(TestTariffs.Everything, new CompilerOptions { UseCache = false });
        var stranger = new BoundLiteral(1m, TlType.Number, new TextSpan(0, 1));
        var context = new EvalContext(Model, evaluator!, "a", ImmutableDictionary<string, string>.Empty);
        Should.Throw<InvalidOperationException>(() => evaluator!.Evaluate(stranger, context));
    }

    [Fact]
    public void The_everything_tariff_rates_identically_through_both_engines()
    {
        var (interpreted, compiled) = CompilerTestSupport.Both(TestTariffs.Everything, "everything.tariff");
        var expected = interpreted.RunExamples();
        var actual = compiled.RunExamples();
        actual.Select(r => r.Rating.ToJson()).ShouldBe(expected.Select(r => r.Rating.ToJson()));
        actual.Select(r => r.Status).ShouldAllBe(s => s == ExampleStatus.Passed);
    }

    [Fact]
    public void Literals_keep_their_scale_and_min_max_keep_the_first_of_equals()
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
        foreach (var value in new[] { 1.50m, 0.0000000000000000000000000001m, 79228162514264337593543950335m, 1.0000000000000000000000000000m, 12345.678900m })
        {
            var token = Microsoft.CodeAnalysis.CSharp.SyntaxFactory.ParseExpression(CSharpEmitter.DecimalLiteral(value).ToFullString());
            var parsed = (decimal)((Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax)token).Token.Value!;
            parsed.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData("1", "1.0", "1.00")]
    [InlineData("1.00", "1", "1.0")]
    [InlineData("2.0", "2", "1")]
    [InlineData("0", "-0.0", "0.00")]
    public void Typed_min_and_max_pick_the_same_of_equal_values_as_the_runtime(string a, string b, string c)
    {
        var values = new[] { a, b, c }.Select(v => decimal.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var zone = new DateTimeZoneInfo(NodaTime.DateTimeZone.Utc);
        var args = values.Cast<object?>().ToArray();
        RuntimeOps.Show(CompiledRuntime.Min(values)).ShouldBe(RuntimeOps.Show(RuntimeOps.Call(Builtin.Min, args, default, zone)));
        RuntimeOps.Show(CompiledRuntime.Max(values)).ShouldBe(RuntimeOps.Show(RuntimeOps.Call(Builtin.Max, args, default, zone)));
        RuntimeOps.Show(CompiledRuntime.Min(values.Select(v => (decimal?)v).ToArray())).ShouldBe(RuntimeOps.Show(RuntimeOps.Call(Builtin.Min, args, default, zone)));
    }

    [Fact]
    public void Division_by_zero_and_none_behave_as_in_the_interpreter()
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
}
