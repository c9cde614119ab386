using System.Collections.Immutable;
using System.Globalization;
using NodaTime;
using TariffLang.Diagnostics;
using TariffLang.Ledgers;
using TariffLang.Syntax;
using TariffLang.Text;
using static TariffLang.Diagnostics.DiagnosticCatalog;

namespace TariffLang.Semantics;

/// <summary>
/// Resolves names, types, units, currency and dates of a parsed tariff and builds the checked model.
/// Declarations are entered before use sites are bound, so order in the file does not matter except for lets.
/// </summary>
internal sealed class Checker
{
    private readonly DiagnosticBag _diagnostics;
    private readonly SymbolTable _symbols = new();
    private readonly ExpressionBinder _binder;
    private readonly HashSet<string> _declaredNames = new(StringComparer.Ordinal);

    private readonly List<CheckedRule> _rules = new();
    private readonly Dictionary<(string Text, Validity Validity), TextSpan> _ruleTexts = new();
    private readonly List<CheckedEventCharge> _eventCharges = new();
    private readonly List<CheckedAggregateCharge> _aggregateCharges = new();
    private readonly List<LetSymbol> _lets = new();
    private readonly List<CheckedGrant> _grants = new();
    private readonly Dictionary<string, LotTermsSyntax> _walletDefaults = new(StringComparer.Ordinal);
    private readonly HashSet<string> _lotWallets = new(StringComparer.Ordinal);
    private bool _hasTaxes;

    private Checker(DiagnosticBag diagnostics)
    {
        _diagnostics = diagnostics;
        _binder = new ExpressionBinder(diagnostics, _symbols);
        _diagnostics.Vocabulary = Vocabulary;
    }

    /// <summary>For an unknown name: the name and the declared names of its kind, for the diagnostic's "did you mean".</summary>
    private (string Name, IEnumerable<string> Candidates)? Vocabulary(DiagnosticDescriptor descriptor, object[] args)
    {
        string Arg(int i) => args.Length > i ? Convert.ToString(args[i], System.Globalization.CultureInfo.InvariantCulture) ?? "" : "";
        if (descriptor == UnknownNameIsParam) return null;
        return descriptor.Code switch
        {
            "TL0004" => (Arg(0), _symbols.Events.Keys),
            "TL0005" => (Arg(0), _symbols.Lets.Keys.Concat(_symbols.States.Keys).Concat(_symbols.Tables.Keys)
                .Concat(_symbols.Events.Values.SelectMany(e => e.Attributes).Select(a => a.Name)).Concat(["time", "quantity"]).Distinct()),
            "TL0007" when !Arg(0).Contains(' ') => (Arg(0), TypeNames.Concat(_symbols.Units)),
            "TL0008" => (Arg(0), _symbols.Units),
            "TL0009" => (Arg(0), _symbols.Params.Keys),
            "TL0010" => (Arg(1), _symbols.Events.TryGetValue(Arg(0), out var e)
                ? e.Attributes.Select(a => a.Name).Concat(_symbols.EventLets.Keys.Where(k => k.Event == e.Name).Select(k => k.Name))
                : []),
            "TL0011" => (Arg(0), ExpressionBinder.FunctionNames),
            "TL0012" => (Arg(0), _symbols.Tables.Keys),
            "TL0013" => (Arg(0), _symbols.Windows.Keys),
            "TL0014" => (Arg(0), _symbols.States.Values.Where(s => s.Kind == StateKind.Wallet).Select(s => s.Name)),
            "TL0015" => (Arg(0), _symbols.Plans.Keys),
            "TL0016" when Arg(0) == "plan" => (Arg(1), ["fee", "includes", "extra", "name"]),
            _ => null,
        };
    }

    public static CheckedTariff? Check(TariffSyntax syntax, DiagnosticBag diagnostics)
    {
        var checker = new Checker(diagnostics);
        var result = checker.CheckTariff(syntax);
        return diagnostics.HasErrors ? null : result;
    }

    private static readonly string[] TypeNames = ["text", "int", "decimal", "number", "bool", "date", "time", "money", "duration", "tags"];

    private TlType ResolveType(TypeSyntax t)
    {
        var name = t.Name.Text;
        TlType type;
        if (t.PerUnit is not null && name != "money")
        {
            _diagnostics.Report(UnknownType, t.Span, $"{name} per {t.PerUnit.Text}");
            return TlType.Error;
        }
        switch (name)
        {
            case "text": type = TlType.Text; break;
            case "int": type = TlType.Int; break;
            case "decimal" or "number": type = TlType.Number; break;
            case "bool": type = TlType.Bool; break;
            case "date": type = TlType.Date; break;
            case "time": type = TlType.Time; break;
            case "duration": type = TlType.Duration; break;
            case "tags": type = TlType.Tags; break;
            case "money":
                if (t.PerUnit is { } per && !_symbols.Units.Contains(per.Text))
                {
                    _diagnostics.Report(UnknownUnit, per.Span, per.Text);
                    return TlType.Error;
                }
                type = TlType.MoneyPer(t.PerUnit?.Text);
                break;
            default:
                if (_symbols.Units.Contains(name)) { type = TlType.Quantity(name); break; }
                _diagnostics.Report(UnknownType, t.Name.Span, name);
                return TlType.Error;
        }
        return t.Optional ? type.AsOptional() : type;
    }

    /// <summary>Names share one namespace (events, states, tables, lets…) so that a bare name is never ambiguous.</summary>
    private bool Declare(NameSyntax name)
    {
        if (!_eventLetNames.Contains(name.Text) && _declaredNames.Add(name.Text)) return true;
        _diagnostics.Report(DuplicateName, name.Span, name.Text);
        return false;
    }

    private CheckedTariff CheckTariff(TariffSyntax syntax)
    {
        var items = syntax.Items;

        // 1. Header: currency, period, effective date, units.
        CurrencySyntax? currency = Single<CurrencySyntax>(items, "currency");
        PeriodSyntax? period = Single<PeriodSyntax>(items, "billing period");
        EffectiveSyntax? effective = Single<EffectiveSyntax>(items, "effective date");
        if (currency is null) _diagnostics.Report(MissingCurrency, syntax.Name.Span);
        else
        {
            _symbols.Currency = currency.Code.Text;
            if (!Invoicing.Currencies.IsKnown(currency.Code.Text))
                _diagnostics.Report(InvalidLiteral, currency.Code.Span, "currency code", currency.Code.Text);
        }
        if (period is null) _diagnostics.Report(MissingPeriod, syntax.Name.Span);
        else
        {
            var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(period.Zone);
            if (zone is null) _diagnostics.Report(UnknownTimeZone, period.ZoneSpan, period.Zone);
            else _symbols.Zone = zone;
        }
        DateOnly? effectiveFrom = effective is null ? null : _binder.BindDate(effective.Date, effective.DateSpan);
        foreach (var unit in items.OfType<UnitSyntax>().SelectMany(u => u.Names))
        {
            if (!_symbols.Units.Add(unit.Text)) _diagnostics.Report(DuplicateName, unit.Span, unit.Text);
        }

        foreach (var h in items.OfType<HolidaysSyntax>())
        {
            _symbols.Holidays ??= new List<string>();
            foreach (var (text, span) in h.Dates)
            {
                if (_binder.BindDate(text, span) is { } date)
                    _symbols.Holidays.Add(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
        }

        // 2. Declarations that others refer to.
        foreach (var e in items.OfType<EventSyntax>()) DeclareEvent(e);
        foreach (var p in items.OfType<ParamSyntax>()) DeclareParam(p);
        var planSyntaxes = items.OfType<PlanSyntax>().ToList();
        if (planSyntaxes.Count > 0 && !_symbols.Params.ContainsKey("plan"))
        {
            _symbols.Params["plan"] = new ParamSymbol("plan", TlType.Text, null, planSyntaxes[0].Span);
        }
        foreach (var p in planSyntaxes) DeclarePlan(p);
        foreach (var w in items.OfType<WindowSyntax>()) DeclareWindow(w);
        var stateSyntaxes = items.OfType<StateSyntax>().ToList();
        foreach (var s in stateSyntaxes) DeclareState(s);
        foreach (var t in items.OfType<TableSyntax>()) DeclareTable(t);
        foreach (var t in items.OfType<TiersSyntax>()) DeclareTiers(t);
        foreach (var s in stateSyntaxes) BindStateOps(s);

        var periodSpec = CheckPeriod(period);

        // 3. Rules, lets, charges and grants, in file order, with their validity.
        CheckBody(items, Validity.Always, topLevel: true);
        // A window read by elapsed() keeps the time each key's window opened; the others need not pay for it.
        foreach (var name in _symbols.ElapsedWindows) _symbols.Windows[name] = _symbols.Windows[name] with { TracksStart = true };
        var (groups, limits, taxes) = CheckTotals(items);
        // A wallet whose credits expire or have priorities keeps each credit apart; the others keep one balance.
        foreach (var name in _lotWallets) _symbols.States[name] = _symbols.States[name] with { TracksLots = true };

        // 4. Examples, once everything they use is known.
        var exampleStart = StartOfDay(effectiveFrom ?? new DateOnly(2024, 1, 1)).AddHours(9);
        var examples = items.OfType<ExampleSyntax>().Select(e => CheckExample(e, exampleStart)).ToImmutableArray();

        return new CheckedTariff(
            syntax.Name.Text,
            syntax.Title ?? syntax.Name.Text,
            _symbols.Currency ?? "EUR",
            currency?.TaxBasis,
            periodSpec,
            effectiveFrom,
            _symbols.Params.Values.ToImmutableArray(),
            _symbols.Events.Values.OrderBy(e => e.Index).ToImmutableArray(),
            planSyntaxes.Where(p => _symbols.Plans.ContainsKey(p.Name.Text)).Select(p => _symbols.Plans[p.Name.Text]).ToImmutableArray(),
            _symbols.Tables.Values.ToImmutableArray(),
            _symbols.Windows.Values.OrderBy(w => w.Index).ToImmutableArray(),
            _symbols.States.Values.OrderBy(s => s.Index).ToImmutableArray(),
            _lets.ToImmutableArray(),
            _rules.ToImmutableArray(),
            _eventCharges.ToImmutableArray(),
            _aggregateCharges.ToImmutableArray(),
            _grants.ToImmutableArray(),
            examples,
            _diagnostics.Source.Path)
        {
            Tiers = _symbols.Tiers.Values.OrderBy(t => t.Index).ToImmutableArray(),
            Groups = groups,
            Limits = limits,
            Taxes = taxes,
        };
    }

    private T? Single<T>(ImmutableArray<ItemSyntax> items, string what) where T : ItemSyntax
    {
        var found = items.OfType<T>().ToList();
        foreach (var extra in found.Skip(1)) _diagnostics.Report(DuplicateDeclaration, extra.Span, what);
        return found.FirstOrDefault();
    }

    private void DeclareEvent(EventSyntax e)
    {
        if (!Declare(e.Name)) return;
        var attributes = new List<AttributeSymbol>();
        foreach (var a in e.Attributes)
        {
            if (attributes.Any(x => x.Name == a.Name.Text) || a.Name.Text is "time" or "quantity" or "account" or "event" or "id")
            {
                _diagnostics.Report(DuplicateName, a.Name.Span, a.Name.Text);
                continue;
            }
            attributes.Add(new AttributeSymbol(a.Name.Text, ResolveType(a.Type), attributes.Count));
        }
        _symbols.Events[e.Name.Text] = new EventSymbol(e.Name.Text, attributes.ToImmutableArray(), _symbols.Events.Count, e.Span);
    }

    private void DeclareParam(ParamSyntax p)
    {
        if (_symbols.Params.ContainsKey(p.Name.Text))
        {
            _diagnostics.Report(DuplicateName, p.Name.Span, p.Name.Text);
            return;
        }
        var type = ResolveType(p.Type);
        BoundExpr? defaultValue = null;
        if (p.Default is not null)
        {
            defaultValue = _binder.Bind(p.Default, BindScope.Constant("a parameter default"));
            if (defaultValue is not BoundLiteral && !defaultValue.Type.IsError)
                _diagnostics.Report(ExampleValueNotConstant, p.Default.Span);
        }
        _symbols.Params[p.Name.Text] = new ParamSymbol(p.Name.Text, type, defaultValue, p.Span);
    }

    private void DeclarePlan(PlanSyntax p)
    {
        if (_symbols.Plans.ContainsKey(p.Name.Text))
        {
            _diagnostics.Report(DuplicateName, p.Name.Span, p.Name.Text);
            return;
        }
        var scope = BindScope.Constant("a plan");
        if (p.Fee is null) _diagnostics.Report(PlanFieldMissing, p.Name.Span, p.Name.Text, "fee");
        var fee = p.Fee is null ? new BoundLiteral(0m, TlType.Money, p.Span) : RequireMoney(p.Fee, scope);
        BoundExpr? includes = null, extra = null;
        if (p.Includes is not null)
        {
            includes = _binder.BindAs(p.Includes, scope, TypeKind.Number);
            PlanUnit(includes.Type.Unit, p.Includes.Span);
        }
        if (p.Extra is not null)
        {
            extra = _binder.BindAs(p.Extra, scope, TypeKind.Money, TypeKind.Number);
            PlanUnit(extra.Type.Unit, p.Extra.Span);
        }
        if ((includes is null) != (extra is null))
            _diagnostics.Report(PlanFieldMissing, p.Name.Span, p.Name.Text,
                includes is null ? "included quota ('includes')" : "overage rate ('extra')");
        _symbols.Plans[p.Name.Text] = new PlanSymbol(p.Name.Text, p.Title ?? p.Name.Text, fee, includes, extra, p.Span);
    }

    // Every plan meters the same unit, so that plan.includes and plan.extra have one type across plans.
    private void PlanUnit(string? unit, TextSpan span)
    {
        if (unit is null) return;
        if (_symbols.PlanUnit is null) _symbols.PlanUnit = unit;
        else if (_symbols.PlanUnit != unit) _diagnostics.Report(UnitMismatch, span, _symbols.PlanUnit, unit);
    }

    /// <summary>Money, or a plain number read as money (analysts write 0.106, not 0.106 EUR).</summary>
    private BoundExpr RequireMoney(ExprSyntax syntax, BindScope scope)
    {
        var bound = _binder.BindAs(syntax, scope, TypeKind.Money, TypeKind.Number);
        if (bound.Type.Kind == TypeKind.Number && bound.Type.Unit is not null)
        {
            _diagnostics.Report(TypeMismatch, syntax.Span, "money", bound.Type);
        }
        return bound;
    }

    private void DeclareTiers(TiersSyntax t)
    {
        if (!Declare(t.Name)) return;
        var scope = BindScope.Constant("a band");
        var bands = ImmutableArray.CreateBuilder<TierBandSymbol>();
        string? unit = null;
        decimal? previous = null;
        for (var i = 0; i < t.Bands.Length; i++)
        {
            var band = t.Bands[i];
            BoundExpr? bound = null;
            if (band.Bound is null)
            {
                if (i != t.Bands.Length - 1) _diagnostics.Report(TierOpenBand, band.Span, t.Name.Text);
            }
            else
            {
                bound = _binder.BindAs(band.Bound, scope, TypeKind.Number);
                if (!bound.Type.IsError)
                {
                    if (unit is not null && bound.Type.Unit is { } u && u != unit) _diagnostics.Report(UnitMismatch, band.Bound.Span,
                        TlType.Quantity(unit), bound.Type);
                    unit ??= bound.Type.Unit;
                }
                // Bounds written as numbers are checked now; those read from a contract when an account is rated.
                if (bound is BoundLiteral { Value: decimal d })
                {
                    if (d <= 0m) _diagnostics.Report(TierBoundNotPositive, band.Bound.Span, d);
                    else if (previous is { } p && d <= p) _diagnostics.Report(TierBoundsNotIncreasing, band.Bound.Span, p);
                    previous = d;
                }
                if (i == t.Bands.Length - 1) _diagnostics.Report(TierOpenBand, band.Span, t.Name.Text);
            }
            if (band.Price is null && band.Flat is null) _diagnostics.Report(TierBandEmpty, band.Span);
            BoundExpr? price = null, flat = null;
            if (band.Price is not null)
            {
                price = _binder.BindAs(band.Price, scope, TypeKind.Money, TypeKind.Number);
                if (!price.Type.IsError && price.Type.Unit is { } per && unit is not null && per != unit)
                    _diagnostics.Report(UnitMismatch, band.Price.Span, TlType.MoneyPer(unit), price.Type);
            }
            if (band.Flat is not null) flat = RequireMoney(band.Flat, scope);
            bands.Add(new TierBandSymbol(bound, price, flat, band.Span));
        }
        _symbols.Tiers[t.Name.Text] = new TiersSymbol(t.Name.Text, t.Scheme, bands.ToImmutable(), unit, _symbols.Tiers.Count, t.Span);
    }

    /// <summary>Groups of charges, then the minimums, maximums and taxes on them: what an invoice adds after its charges.</summary>
    private (ImmutableArray<ChargeGroupSymbol>, ImmutableArray<CheckedLimit>, ImmutableArray<CheckedTax>) CheckTotals(
        ImmutableArray<ItemSyntax> items)
    {
        var labels = _eventCharges.Select(c => c.Label).Concat(_aggregateCharges.Select(c => c.Label)).ToHashSet(StringComparer.Ordinal);
        var groups = new Dictionary<string, ChargeGroupSymbol>(StringComparer.Ordinal);
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var g in items.OfType<GroupSyntax>())
        {
            if (!Declare(g.Name)) continue;
            var members = ImmutableArray.CreateBuilder<string>();
            foreach (var (label, span) in g.Labels)
            {
                if (!labels.Contains(label)) _diagnostics.Report(GroupLabelUnknown, span, label);
                else if (owner.TryGetValue(label, out var other)) _diagnostics.Report(GroupLabelTwice, span, label, other);
                else
                {
                    owner[label] = g.Name.Text;
                    members.Add(label);
                }
            }
            groups[g.Name.Text] = new ChargeGroupSymbol(g.Name.Text, members.ToImmutable(), groups.Count, g.Span);
        }
        ChargeGroupSymbol? GroupOf(NameSyntax? name)
        {
            if (name is null) return null;
            if (groups.TryGetValue(name.Text, out var group)) return group;
            _diagnostics.Report(UnknownGroup, name.Span, name.Text);
            return null;
        }

        var limits = new List<CheckedLimit>();
        foreach (var l in items.OfType<LimitSyntax>())
        {
            var amount = RequireMoney(l.Amount, BindScope.ForPeriod("a minimum or maximum"));
            limits.Add(new CheckedLimit(l.Minimum, l.Label, amount, GroupOf(l.Group), limits.Count, l.Span));
        }
        // A minimum above the maximum of the same scope can never be met: both written as amounts are compared now.
        foreach (var min in limits.Where(l => l.Minimum && l.Amount is BoundLiteral { Value: decimal }))
        {
            foreach (var max in limits.Where(l => !l.Minimum && l.Group?.Name == min.Group?.Name
                && l.Amount is BoundLiteral { Value: decimal }))
            {
                var (low, high) = ((decimal)((BoundLiteral)min.Amount).Value!, (decimal)((BoundLiteral)max.Amount).Value!);
                if (low > high)
                    _diagnostics.Report(MinimumAboveMaximum, min.Amount.Span, low, high, min.Group is null ? "invoice" : "group");
            }
        }

        var taxes = new List<CheckedTax>();
        var taxed = new Dictionary<string, TextSpan>(StringComparer.Ordinal);
        foreach (var t in items.OfType<TaxSyntax>())
        {
            var rate = _binder.BindAs(t.Rate, BindScope.Constant("a tax rate"), TypeKind.Number);
            if (rate is BoundLiteral { Value: decimal r } && r is < 0m or > 1m)
                _diagnostics.Report(TaxRateOutOfRange, t.Rate.Span,
                    (r * 100m).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " %");
            var group = GroupOf(t.Group);
            var scope = group?.Name ?? "";
            if (taxed.TryGetValue(scope, out var first))
                _diagnostics.Report(TaxTwice, t.Span, group is null ? "the invoice" : $"group '{group.Name}'",
                    _diagnostics.Source.GetLineColumn(first.Start).Line);
            else taxed[scope] = t.Span;
            taxes.Add(new CheckedTax(t.Label, rate, group, t.PerLine, taxes.Count, t.Span));
        }
        _hasTaxes = taxes.Count > 0;
        return ([.. groups.Values.OrderBy(g => g.Index)], [.. limits], [.. taxes]);
    }

    private void DeclareWindow(WindowSyntax w)
    {
        if (!Declare(w.Name)) return;
        var length = _binder.BindDuration(w.Duration, w.DurationSpan) ?? TimeSpan.Zero;
        if (!_symbols.Events.TryGetValue(w.OpenedBy.Text, out var opener))
        {
            _diagnostics.Report(UnknownEvent, w.OpenedBy.Span, w.OpenedBy.Text);
            return;
        }
        if (opener.Find(w.Key.Text) is not { } key)
            _diagnostics.Report(MissingKeyAttribute, w.Key.Span, opener.Name, w.Key.Text, w.Name.Text);
        else if (key.Type.Optional) _diagnostics.Report(OptionalKeyAttribute, w.Key.Span, w.Name.Text, w.Key.Text, opener.Name);
        var condition = w.Condition is null ? null : _binder.BindAs(w.Condition, BindScope.ForEvent(opener, "a window"), TypeKind.Bool);
        _symbols.Windows[w.Name.Text] = new WindowSymbol(w.Name.Text, length, w.Key.Text, opener, condition, _symbols.Windows.Count,
            w.Span);
    }

    private void DeclareState(StateSyntax s)
    {
        if (!Declare(s.Name)) return;
        TlType type;
        if (s.Type is not null) type = ResolveType(s.Type);
        else if (s.Kind == StateKind.Setting)
        {
            _diagnostics.Report(SettingNeedsInitial, s.Name.Span, s.Name.Text);
            type = TlType.Error;
        }
        else type = TlType.Number;
        BoundExpr? initial = null;
        BoundExpr? allowance = null;
        if (s.Kind == StateKind.Allowance)
        {
            // The amount may read params and the plan (plan.includes): it is computed with each event that uses it.
            if (s.Initial is null) _diagnostics.Report(AllowanceNeedsAmount, s.Name.Span, s.Name.Text);
            else allowance = _binder.BindAs(s.Initial, BindScope.Constant("an allowance's amount"), TypeKind.Number);
            if (s.Type is null && allowance is { Type.IsError: false }) type = TlType.Quantity(allowance.Type.Unit);
            else if (s.Type is not null && allowance is { Type.IsError: false } && allowance.Type.Unit != type.Unit)
                _diagnostics.Report(UnitMismatch, s.Initial!.Span, type, allowance.Type);
        }
        else if (s.Initial is not null) initial = _binder.Bind(s.Initial, BindScope.Constant("an initial value"));
        else if (s.Kind == StateKind.Setting) _diagnostics.Report(SettingNeedsInitial, s.Name.Span, s.Name.Text);
        if (s.Kind is StateKind.Wallet or StateKind.Allowance && s.Key is not null)
            _diagnostics.Report(NotAllowedHere, s.Key.Span, $"a key on {(s.Kind == StateKind.Wallet ? "a wallet" : "an allowance")}");
        if (s.Lot is not null)
        {
            if (s.Kind == StateKind.Wallet)
            {
                _walletDefaults[s.Name.Text] = s.Lot;
                _lotWallets.Add(s.Name.Text);
            }
            else _diagnostics.Report(LotTermsNotAllowed, s.Lot.Span, "a " + s.Kind.ToString().ToLowerInvariant());
        }
        if (s.Reset is { } reset && s.Kind is StateKind.Wallet or StateKind.Setting)
            _diagnostics.Report(ResetNotAllowed, reset, s.Kind.ToString().ToLowerInvariant());
        _symbols.States[s.Name.Text] = new StateSymbol(s.Kind, s.Name.Text, s.Key?.Text, type, initial, ImmutableArray<StateOpSymbol>.Empty,
            _symbols.States.Count, s.Span)
        {
            ResetsEachPeriod = s.Kind == StateKind.Allowance || (s.Reset is not null && s.Kind == StateKind.Counter),
            Allowance = allowance,
        };
    }

    private void BindStateOps(StateSyntax s)
    {
        if (!_symbols.States.TryGetValue(s.Name.Text, out var state) || state.Span != s.Span) return;
        var ops = new List<StateOpSymbol>();
        foreach (var op in s.Ops)
        {
            if (!_symbols.Events.TryGetValue(op.Event.Text, out var ev))
            {
                _diagnostics.Report(UnknownEvent, op.Event.Span, op.Event.Text);
                continue;
            }
            if (state.KeyAttribute is { } key && ev.Find(key) is not { } keyAttribute)
                _diagnostics.Report(MissingKeyAttribute, op.Event.Span, ev.Name, key, state.Name);
            else if (state.KeyAttribute is { } optionalKey && ev.Find(optionalKey)!.Type.Optional)
                _diagnostics.Report(OptionalKeyAttribute, op.Event.Span, state.Name, optionalKey, ev.Name);
            if (op.AtNextPeriod && state.Kind != StateKind.Setting) _diagnostics.Report(NextPeriodOnlyForSettings, op.Span);
            if ((op.Op == StateOpKind.Use) != (state.Kind == StateKind.Allowance))
            {
                var kind = state.Kind.ToString().ToLowerInvariant();
                var verb = op.Op.ToString().ToLowerInvariant();
                _diagnostics.Report(StateOpNotAllowed, op.Span, verb, state.Kind == StateKind.Allowance ? "allowance" : "a " + kind,
                    state.Name,
                    state.Kind == StateKind.Allowance ? "an event uses an allowance with 'use'" : "'use' is for allowances");
            }
            else if (op.Op == StateOpKind.Use && ops.FirstOrDefault(o => o.Event.Name == ev.Name) is { } earlier)
                _diagnostics.Report(AllowanceUsedTwice, op.Span, state.Name, ev.Name,
                    _diagnostics.Source.GetLineColumn(earlier.Span.Start).Line);
            var scope = BindScope.ForEvent(ev, "a state operation");
            var condition = op.Condition is null ? null : _binder.BindAs(op.Condition, scope, TypeKind.Bool);
            var value = _binder.Bind(op.Value, scope);
            if (!value.Type.IsError && !state.Type.IsError)
            {
                var compatible = state.Type.Kind == value.Type.Kind || (state.Type.IsNumeric && value.Type.Kind == TypeKind.Number);
                if (!compatible || (op.Op != StateOpKind.Set && !state.Type.IsNumeric))
                    _diagnostics.Report(TypeMismatch, op.Value.Span, state.Type, value.Type);
                else if (value.Type.Unit is not null && state.Type.Unit is not null && value.Type.Unit != state.Type.Unit)
                    _diagnostics.Report(UnitMismatch, op.Value.Span, state.Type, value.Type);
            }
            LotTerms? lot = null;
            if (state.Kind == StateKind.Wallet && op.Op == StateOpKind.Add)
            {
                _walletDefaults.TryGetValue(state.Name, out var walletTerms);
                if (op.Lot is not null || walletTerms is not null) _lotWallets.Add(state.Name);
                lot = ResolveLot(op.Lot, walletTerms);
            }
            else if (op.Lot is not null) _diagnostics.Report(LotTermsNotAllowed, op.Lot.Span,
                $"'{op.Op.ToString().ToLowerInvariant()}' on a {state.Kind.ToString().ToLowerInvariant()}");
            ops.Add(new StateOpSymbol(ev, condition, op.Op, value, op.AtNextPeriod, op.Span) { Lot = lot });
        }
        _symbols.States[s.Name.Text] = state with { Ops = ops.ToImmutableArray() };
    }

    private void DeclareTable(TableSyntax t)
    {
        if (!Declare(t.Name)) return;
        EventSymbol? forEvent = null;
        if (t.ForEvent is not null)
        {
            if (!_symbols.Events.TryGetValue(t.ForEvent.Text, out forEvent))
                _diagnostics.Report(UnknownEvent, t.ForEvent.Span, t.ForEvent.Text);
            else
            {
                foreach (var key in t.Keys.Where(k => forEvent.Find(k.Text) is null))
                    _diagnostics.Report(UnknownAttribute, key.Span, forEvent.Name, key.Text);
            }
        }
        if (t.Keys.Length is < 1 or > 2) _diagnostics.Report(TableCellShape, t.Name.Span, t.Name.Text, t.Keys.Length,
            "a table is keyed by one or two attributes");
        var valueType = ResolveType(t.ValueType);
        var cells = ImmutableDictionary.CreateBuilder<string, BoundExpr>(StringComparer.Ordinal);
        var scope = BindScope.Constant("a table cell");
        foreach (var row in t.Rows)
        {
            foreach (var cell in row.Cells)
            {
                if ((cell.ColumnKey is null) != (t.Keys.Length == 1))
                {
                    _diagnostics.Report(TableCellShape, cell.Span, t.Name.Text, t.Keys.Length,
                        t.Keys.Length == 1 ? "write \"key\": value" : "write \"row\": \"column\" value, …");
                    continue;
                }
                var key = TableSymbol.CellKey(cell.ColumnKey is null ? [row.Key] : [row.Key, cell.ColumnKey]);
                if (cells.ContainsKey(key) || (cell.Value is null && cells.ContainsKey(key)))
                {
                    _diagnostics.Report(DuplicateTableCell, cell.Span, t.Name.Text, key.Replace(TableSymbol.KeySeparator, ','));
                    continue;
                }
                if (cell.Value is null) continue; // `none`: the combination deliberately has no value.
                var value = _binder.Bind(cell.Value, scope);
                if (!value.Type.IsError && !valueType.IsError)
                {
                    var ok = value.Type.Kind == valueType.Kind
                        || (valueType.IsNumeric && value.Type.Kind == TypeKind.Number && value.Type.Unit is null);
                    if (!ok || (value.Type.Unit is not null && valueType.Unit is not null && value.Type.Unit != valueType.Unit))
                        _diagnostics.Report(TypeMismatch, cell.Value.Span, valueType, value.Type);
                }
                cells[key] = value;
            }
        }
        _symbols.Tables[t.Name.Text] = new TableSymbol(t.Name.Text, forEvent, t.Keys.Select(k => k.Text).ToImmutableArray(), valueType,
            cells.ToImmutable(), t.Span);
    }

    private PeriodSpec CheckPeriod(PeriodSyntax? period)
    {
        var zone = _symbols.Zone;
        if (period is null) return new PeriodSpec(1, null, ImmutableDictionary<string, int>.Empty, zone);
        int Months(PeriodLengthSyntax length)
        {
            if (length.Unit.Text is "month" or "months" && length.Count > 0) return length.Count;
            if (length.Unit.Text is "year" or "years" && length.Count > 0) return length.Count * 12;
            _diagnostics.Report(BadPeriodLength, length.Span, $"{length.Count} {length.Unit.Text}");
            return 1;
        }
        if (period.Length is not null) return new PeriodSpec(Months(period.Length), null, ImmutableDictionary<string, int>.Empty, zone);
        var settingName = period.ChoiceSetting!;
        if (!_symbols.States.TryGetValue(settingName.Text, out var setting) || setting.Kind != StateKind.Setting
            || setting.Type.Kind != TypeKind.Text)
        {
            _diagnostics.Report(PeriodChoiceNeedsSetting, settingName.Span, settingName.Text);
            return new PeriodSpec(1, null, ImmutableDictionary<string, int>.Empty, zone);
        }
        var choices = ImmutableDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var choice in period.Choices)
        {
            if (choices.ContainsKey(choice.Key)) _diagnostics.Report(DuplicateName, choice.Span, choice.Key);
            else choices[choice.Key] = Months(choice.Length);
        }
        return new PeriodSpec(1, setting, choices.ToImmutable(), zone);
    }

    private void CheckBody(ImmutableArray<ItemSyntax> items, Validity validity, bool topLevel)
    {
        foreach (var item in items)
        {
            switch (item)
            {
                case RuleSyntax r: CheckRule(r, validity); break;
                case LetSyntax l: CheckLet(l, validity); break;
                case AggregateChargeSyntax a: CheckAggregateCharge(a, validity); break;
                case EventChargeSyntax e: CheckEventCharge(e, validity); break;
                case GrantSyntax g: CheckGrant(g, validity, topLevel); break;
                case VersionsSyntax v when topLevel: CheckVersions(v); break;
                case ExampleSyntax or CurrencySyntax or PeriodSyntax or EffectiveSyntax or UnitSyntax or ParamSyntax or EventSyntax
                    or PlanSyntax or TableSyntax or WindowSyntax or StateSyntax or HolidaysSyntax or TiersSyntax
                    or GroupSyntax or LimitSyntax or TaxSyntax when topLevel:
                    break;
                default:
                    _diagnostics.Report(NotAllowedHere, item.Span, "this declaration inside a version");
                    break;
            }
        }
    }

    private void CheckRule(RuleSyntax r, Validity validity)
    {
        if (!_symbols.Events.TryGetValue(r.Event.Text, out var ev))
        {
            _diagnostics.Report(UnknownEvent, r.Event.Span, r.Event.Text);
            return;
        }
        var condition = r.Condition is null ? null : _binder.BindAs(r.Condition, BindScope.ForEvent(ev, "a rule"), TypeKind.Bool);
        // The same rule twice is a copy-paste slip: harmless for rating, but the second copy is dead text.
        var text = string.Join(' ', _diagnostics.Source.ToString(r.Span).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (_ruleTexts.TryGetValue((text, validity), out var first))
            _diagnostics.Report(DuplicateRule, r.Span, _diagnostics.Source.GetLineColumn(first.Start).Line);
        else _ruleTexts[(text, validity)] = r.Span;
        _rules.Add(new CheckedRule(r.Kind, ev, condition, r.Reason, validity, r.Span));
    }

    private void CheckLet(LetSyntax l, Validity validity)
    {
        if (l.Event is { } eventName)
        {
            CheckEventLet(l, eventName);
            return;
        }
        if (!Declare(l.Name)) return;
        var value = _binder.Bind(l.Value, BindScope.ForPeriod("a let"));
        // Lets are evaluated recursively through the lets they read: keep such chains short.
        var depth = 1 + LetRefs(value).Select(r => _letDepth.GetValueOrDefault(r.Name)).DefaultIfEmpty(0).Max();
        _letDepth[l.Name.Text] = depth;
        if (depth > MaxLetDepth) _diagnostics.Report(NestingTooDeep, l.Name.Span, MaxLetDepth);
        var let = new LetSymbol(l.Name.Text, value, validity, _lets.Count, l.Span);
        _lets.Add(let);
        _symbols.Lets[l.Name.Text] = let;
    }

    internal const int MaxLetDepth = 50;

    // Names of event-level lets: several events may each have one of the same name, but no other declaration may take it.
    private readonly HashSet<string> _eventLetNames = new(StringComparer.Ordinal);

    private void CheckEventLet(LetSyntax l, NameSyntax eventName)
    {
        if (!_symbols.Events.TryGetValue(eventName.Text, out var ev))
        {
            _diagnostics.Report(UnknownEvent, eventName.Span, eventName.Text);
            return;
        }
        var name = l.Name.Text;
        if (ev.Find(name) is not null || name is "time" or "quantity")
        {
            _diagnostics.Report(EventLetShadows, l.Name.Span, name, ev.Name);
            return;
        }
        if (_declaredNames.Contains(name) || _symbols.EventLets.ContainsKey((ev.Name, name)))
        {
            _diagnostics.Report(DuplicateName, l.Name.Span, name);
            return;
        }
        var value = _binder.Bind(l.Value, BindScope.ForEvent(ev, "a let"));
        if (value.Type.IsError) return;
        _eventLetNames.Add(name);
        _symbols.EventLets[(ev.Name, name)] = new EventLetSymbol(name, ev, value, l.Span);
    }

    private readonly Dictionary<string, int> _letDepth = new(StringComparer.Ordinal);

    private static IEnumerable<LetSymbol> LetRefs(BoundExpr e) =>
        e is BoundLetRef r ? [r.Let] : Dependencies.Children(e).SelectMany(LetRefs);

    private void CheckAggregateCharge(AggregateChargeSyntax a, Validity validity)
    {
        if (a.Label.Contains("{plan", StringComparison.Ordinal) && _symbols.Plans.Count == 0)
            _diagnostics.Report(PlanLabelWithoutPlans, a.LabelSpan);
        var scope = BindScope.ForPeriod("a charge") with { GroupKey = a.GroupKey?.Text, Grace = BindGrace(a, validity) };
        string unit = a.GroupKey?.Text ?? "";
        BoundExpr amount;
        BoundExpr? price = null;
        if (a.GroupKey is null && a.Price is NameRefSyntax tiersName && _symbols.Tiers.TryGetValue(tiersName.Name.Text, out var tiers))
        {
            // charge "L" = QUANTITY at TIERS: one line per band the quantity reaches.
            var quantity = _binder.BindAs(a.Amount, scope, TypeKind.Number);
            if (!quantity.Type.IsError && quantity.Type.Unit is { } qu && tiers.Unit is { } tu && qu != tu)
                _diagnostics.Report(UnitMismatch, a.Amount.Span, TlType.Quantity(tu), quantity.Type);
            var tierSources = Dependencies.Aggregates(quantity).Distinct().ToImmutableArray();
            _aggregateCharges.Add(
                new CheckedAggregateCharge(a.Label, quantity, null, quantity.Type.Unit ?? tiers.Unit ?? "", validity, tierSources,
                _aggregateCharges.Count, a.Span) { Tiers = tiers });
            return;
        }
        if (a.GroupKey is not null && a.Price is not null)
        {
            _diagnostics.Report(GroupedChargeForm, a.Price.Span, a.GroupKey.Text);
            amount = RequireMoney(a.Amount, scope);
        }
        else if (a.Price is null)
        {
            amount = RequireMoney(a.Amount, scope);
        }
        else
        {
            amount = _binder.BindAs(a.Amount, scope, TypeKind.Number);
            price = RequireMoney(a.Price, scope);
            if (amount.Type.Unit is { } q && price.Type.Unit is { } p && q != p)
                _diagnostics.Report(UnitMismatch, a.Price.Span, amount.Type, price.Type);
            unit = amount.Type.Unit ?? price.Type.Unit ?? "";
        }
        var sources = Dependencies.Aggregates(amount).Concat(price is null ? [] : Dependencies.Aggregates(price)).Distinct()
            .ToImmutableArray();
        if (a.GroupKey is { } key && !amount.Type.IsError && !sources.Any(s => s.GroupKey is not null))
            _diagnostics.Report(GroupedChargeForm, a.GroupKey.Span, key.Text);
        _aggregateCharges.Add(new CheckedAggregateCharge(a.Label, amount, price, unit, validity, sources, _aggregateCharges.Count, a.Span)
        {
            GroupKey = a.GroupKey?.Text,
            Grace = scope.Grace,
        });
    }

    /// <summary>
    /// The grace of <c>by KEY whole within D</c>. It must end before the next period does (28 days is the shortest month),
    /// so that a rating holds one period open at most while the next one runs.
    /// </summary>
    private TimeSpan? BindGrace(AggregateChargeSyntax a, Validity validity)
    {
        if (a.Grace is not { } text || _binder.BindDuration(text, a.GraceSpan) is not { } grace) return null;
        if (validity != Validity.Always)
        {
            _diagnostics.Report(GraceInVersions, a.GraceSpan);
            return null;
        }
        if (grace > TimeSpan.Zero && grace <= TimeSpan.FromDays(28)) return grace;
        _diagnostics.Report(GraceOutOfRange, a.GraceSpan, text);
        return null;
    }

    private void CheckEventCharge(EventChargeSyntax e, Validity validity)
    {
        if (!_symbols.Events.TryGetValue(e.Event.Text, out var ev))
        {
            _diagnostics.Report(UnknownEvent, e.Event.Span, e.Event.Text);
            return;
        }
        var scope = BindScope.ForEvent(ev, "a per-event charge");
        var condition = e.Condition is null ? null : _binder.BindAs(e.Condition, scope, TypeKind.Bool);
        var price = RequireMoney(e.Price, scope);
        _eventCharges.Add(
            new CheckedEventCharge(e.Label, ev, condition, price, price.Type.Unit ?? ev.Name, validity, _eventCharges.Count, e.Span));
    }

    private void CheckGrant(GrantSyntax g, Validity validity, bool topLevel)
    {
        if (!topLevel || validity != Validity.Always) _diagnostics.Report(NotAllowedHere, g.Span, "a grant inside a version");
        if (!_symbols.States.TryGetValue(g.Wallet.Text, out var wallet))
        {
            _diagnostics.Report(UnknownWallet, g.Wallet.Span, g.Wallet.Text);
            return;
        }
        if (wallet.Kind != StateKind.Wallet)
        {
            _diagnostics.Report(StateKindMismatch, g.Wallet.Span, wallet.Name, wallet.Kind.ToString().ToLowerInvariant(), "wallet");
            return;
        }
        // A capped grant (min/max of an amount and a cap) names the offending bound itself.
        if (g.Amount is CallSyntax { Function.Text: "min" or "max" } capped)
        {
            var scope = BindScope.Constant("a grant");
            var badBound = false;
            foreach (var arg in capped.Args)
            {
                var bound = _binder.Bind(arg, scope);
                if (!bound.Type.IsError && bound.Type.Kind != TypeKind.Number)
                {
                    _diagnostics.Report(GrantNotNumber, arg.Span, bound.Type);
                    badBound = true;
                }
            }
            if (badBound) return;
        }
        var amount = _binder.Bind(g.Amount, BindScope.Constant("a grant"));
        if (!amount.Type.IsError && amount.Type.Kind != TypeKind.Number)
            _diagnostics.Report(GrantNotNumber, g.Amount.Span, amount.Type);
        else if (amount.Type.Unit is { } u && wallet.Type.Unit is { } w && u != w)
            _diagnostics.Report(UnitMismatch, g.Amount.Span, amount.Type, wallet.Type);
        DateOnly? once = null;
        if (g.OnceDate is not null)
        {
            once = _binder.BindDate(g.OnceDate, g.DateSpan);
        }
        // 02-29 is allowed: in other years the grant lands on 02-28.
        else if (g.Month is < 1 or > 12 || g.Day < 1 || g.Day > DateTime.DaysInMonth(2000, g.Month))
        {
            _diagnostics.Report(InvalidLiteral, g.DateSpan, "month and day", $"{g.Month:00}-{g.Day:00}");
        }
        _walletDefaults.TryGetValue(wallet.Name, out var walletTerms);
        if (g.Lot is not null || walletTerms is not null) _lotWallets.Add(wallet.Name);
        _grants.Add(new CheckedGrant(g.Label, once, g.Month, g.Day, amount, wallet, _grants.Count, g.Span)
        {
            Lot = ResolveLot(g.Lot, walletTerms)
        });
    }

    /// <summary>A credit's terms: its own expiry and priority where it states them, else its wallet's, else never and 0.</summary>
    private LotTerms ResolveLot(LotTermsSyntax? own, LotTermsSyntax? wallet)
    {
        var expiry = own is { ExpiryLength: not null } or { NeverExpires: true } ? own : wallet;
        int? length = null;
        var unit = ExpiryUnit.Days;
        if (expiry is { ExpiryLength: { } n, ExpiryUnit: { } unitName })
        {
            ExpiryUnit? known = unitName.Text switch
            {
                "day" or "days" => ExpiryUnit.Days,
                "month" or "months" => ExpiryUnit.Months,
                "year" or "years" => ExpiryUnit.Years,
                _ => null,
            };
            // At most a century, so that a credit's expiry stays inside the calendar rating works in.
            var tooLong = known switch { ExpiryUnit.Days => n > 36525, ExpiryUnit.Months => n > 1200, _ => n > 100 };
            if (known is null || n <= 0 || tooLong) _diagnostics.Report(BadExpiry, expiry.Span, _diagnostics.Source.ToString(expiry.Span));
            else (length, unit) = (n, known.Value);
        }
        return new LotTerms(length, unit, own?.Priority ?? wallet?.Priority ?? 0);
    }

    private void CheckVersions(VersionsSyntax v)
    {
        Declare(v.Name);
        DateOnly? previousUntil = null;
        for (var i = 0; i < v.Versions.Length; i++)
        {
            var version = v.Versions[i];
            var from = version.From is null ? null : _binder.BindDate(version.From, version.FromSpan);
            var until = version.Until is null ? null : _binder.BindDate(version.Until, version.UntilSpan);
            if ((from is null && i > 0) || (until is null && i < v.Versions.Length - 1))
                _diagnostics.Report(VersionUnbounded, version.HeaderSpan);
            if (from is not null && until is not null && until < from)
                _diagnostics.Report(VersionEmptyRange, version.HeaderSpan, Iso(until.Value), Iso(from.Value));
            if (i > 0 && from is not null && previousUntil is not null)
            {
                if (from <= previousUntil)
                    _diagnostics.Report(VersionsOverlap, version.HeaderSpan, Iso(from.Value), Iso(previousUntil.Value));
                else if (from > previousUntil.Value.AddDays(1)) _diagnostics.Report(VersionsGap, version.HeaderSpan,
                    Iso(previousUntil.Value), Iso(from.Value));
            }
            if (from is { Day: > 1 } start && version.Items.Any(item => item is AggregateChargeSyntax))
                _diagnostics.Report(MidMonthVersionCharges, version.HeaderSpan, Iso(start));
            previousUntil = until;
            CheckBody(version.Items, new Validity(from, until), topLevel: false);
        }
    }

    private DateTimeOffset StartOfDay(DateOnly d) => _symbols.Zone.AtStartOfDay(NodaTime.LocalDate.FromDateOnly(d)).ToDateTimeOffset();

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// Most rows the examples of one tariff may hold in all: <c>tariff test</c> builds, rates and explains every one, so a
    /// few repeated lines could otherwise ask for millions.
    /// </summary>
    internal const int MaxExampleRows = 100_000;

    private long _exampleRows;

    /// <summary><paramref name="start"/> is the first row's time when the example does not give one.</summary>
    private CheckedExample CheckExample(ExampleSyntax e, DateTimeOffset start)
    {
        var parameters = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var usages = new List<ExampleUsage>();
        var expectations = new List<ExampleExpectation>();
        var clock = new ExampleClock(start);
        foreach (var item in e.Items)
        {
            var month = item switch
            {
                ExpectTotalSyntax t => t.Month, ExpectLineSyntax l => l.Month, ExpectCountSyntax c => c.Month,
                ExpectBalanceSyntax b => b.Month, _ => null,
            };
            if (month is not null && _binder.BindDate(month + "-01", item.Span, "month", month) is null) continue;
            switch (item)
            {
                case WithParamSyntax w:
                    if (!_symbols.Params.ContainsKey(w.Name.Text)) _diagnostics.Report(UnknownParam, w.Name.Span, w.Name.Text);
                    else if (LiteralText(w.Value) is { } text)
                    {
                        if (w.Name.Text == "plan" && _symbols.Plans.Count > 0 && !_symbols.Plans.ContainsKey(text))
                            _diagnostics.Report(UnknownPlan, w.Value.Span, text);
                        parameters[w.Name.Text] = text;
                    }
                    break;
                case UsageSyntax u:
                    CheckUsage(u, usages, clock);
                    break;
                case ExpectTotalSyntax t when LiteralNumber(t.Total) is { } total:
                    if (t.Kind != TotalKind.AsPriced && !_hasTaxes) _diagnostics.Report(ExpectTaxWithoutTax, t.Span);
                    expectations.Add(new ExpectTotal(total, t.Month, t.Disputed?.Reason, t.Span) { Kind = t.Kind });
                    break;
                case ExpectLineSyntax l:
                    decimal? qty = l.Quantity is null ? null : LiteralNumber(l.Quantity);
                    decimal? amount = l.Amount is null ? null : LiteralNumber(l.Amount);
                    expectations.Add(new ExpectLine(l.Label, l.Absent, qty, amount, l.Month, l.Disputed?.Reason, l.Span));
                    break;
                case ExpectCountSyntax c:
                    if (c.Outcome.Text is not ("rated" or "free" or "rejected"))
                        _diagnostics.Report(UnknownOutcome, c.Outcome.Span, c.Outcome.Text);
                    else expectations.Add(new ExpectCount(c.Outcome.Text, c.Count, c.Month, c.Span));
                    break;
                case ExpectBalanceSyntax b:
                    if (!_symbols.States.TryGetValue(b.Wallet.Text, out var wallet) || wallet.Kind != StateKind.Wallet)
                        _diagnostics.Report(UnknownWallet, b.Wallet.Span, b.Wallet.Text);
                    else if (LiteralNumber(b.Balance) is { } balance)
                        expectations.Add(new ExpectBalance(b.Wallet.Text, balance, b.Month, b.Span));
                    break;
            }
        }
        if (expectations.Count == 0 && usages.All(u => u.ExpectedOutcome is null))
            _diagnostics.Report(ExampleNoExpectation, e.NameSpan, e.Name);
        return new CheckedExample(e.Name, parameters.ToImmutable(), usages.ToImmutableArray(), expectations.ToImmutableArray(), e.Span);
    }

    private void CheckUsage(UsageSyntax u, List<ExampleUsage> usages, ExampleClock clock)
    {
        // The budget counts every row written, whether or not the usage is otherwise sound.
        var before = _exampleRows;
        _exampleRows += u.Count;
        if (before <= MaxExampleRows && _exampleRows > MaxExampleRows) _diagnostics.Report(ExampleRowBudget, u.Span, MaxExampleRows);
        if (!_symbols.Events.TryGetValue(u.Event.Text, out var ev))
        {
            _diagnostics.Report(UnknownEvent, u.Event.Span, u.Event.Text);
            return;
        }
        var args = new List<(string, string)>();
        foreach (var arg in u.Args)
        {
            if (ev.Find(arg.Name.Text) is null && arg.Name.Text is not ("quantity" or "id"))
            {
                _diagnostics.Report(UnknownAttribute, arg.Name.Span, ev.Name, arg.Name.Text);
                continue;
            }
            if (arg.Name.Text == "quantity" && arg.Value is not NumberSyntax { Value: > 0m })
            {
                _diagnostics.Report(InvalidLiteral, arg.Value.Span, "quantity (a number above 0)",
                    _diagnostics.Source.ToString(arg.Value.Span));
                continue;
            }
            if (LiteralText(arg.Value) is { } text) args.Add((arg.Name.Text, text));
        }
        if (u.Outcome is { } outcome && outcome.Text is not ("rated" or "free" or "rejected"))
            _diagnostics.Report(UnknownOutcome, outcome.Span, outcome.Text);
        DateTimeOffset? at = null;
        TimeSpan? after = null;
        if (u.At is not null)
        {
            at = u.At.Length == 10
                ? _binder.BindDate(u.At, u.WhenSpan) is { } d ? StartOfDay(d) : null
                : _binder.BindDateTime(u.At, u.WhenSpan);
            if (at is null) clock.Stop();
        }
        if (u.After is not null)
        {
            after = _binder.BindDuration(u.After, u.WhenSpan);
            if (after is null) clock.Stop();
        }
        // With a time unknown or out of range, an error is reported and the example never runs: its times do not matter.
        var first = clock.Last;
        if (u.Count > 0 && !clock.Stopped)
        {
            first = clock.Next(at, after, u.Count);
            if (!EventBinder.InRatingYears(first) || !EventBinder.InRatingYears(clock.Last))
            {
                var outside = EventBinder.InRatingYears(first) ? clock.Last : first;
                var row = "this usage's row at " + outside.ToString("yyyy-MM-ddTHH:mmzzz", CultureInfo.InvariantCulture);
                _diagnostics.Report(DateOutOfRange, u.Span, row, ExpressionBinder.MinYear, ExpressionBinder.MaxYear);
                clock.Stop();
            }
        }
        usages.Add(new ExampleUsage(u.Count, first, ev, args.ToImmutableArray(), u.Outcome?.Text, u.Span));
    }

    /// <summary>
    /// When an example's rows happen: a usage starts at its <c>at</c>, or <c>after</c> the previous row, or a minute after
    /// it (the first row at 09:00 on the start date), and its rows follow a minute apart. Laid out here, where each time
    /// is checked before the next is computed from it, so that no sum of durations can leave the calendar.
    /// </summary>
    private sealed class ExampleClock(DateTimeOffset start)
    {
        private DateTimeOffset? _last;

        /// <summary>Set once a time could not be known or left the supported years: later rows are not laid out.</summary>
        public bool Stopped { get; private set; }

        public DateTimeOffset Last => _last ?? start;

        public void Stop() => Stopped = true;

        /// <summary>The time of a usage's first row; <see cref="Last"/> becomes the time of its last.</summary>
        public DateTimeOffset Next(DateTimeOffset? at, TimeSpan? after, int count)
        {
            var first = at ?? (after is { } a ? Last + a : _last is { } l ? l.AddMinutes(1) : start);
            _last = first.AddMinutes(count - 1);
            return first;
        }
    }

    /// <summary>An example value as the text a ledger would hold.</summary>
    private string? LiteralText(ExprSyntax syntax)
    {
        switch (syntax)
        {
            case NumberSyntax n: return n.Value.ToString(CultureInfo.InvariantCulture);
            case UnarySyntax { Op: UnaryOp.Negate, Operand: NumberSyntax n }: return (-n.Value).ToString(CultureInfo.InvariantCulture);
            case PercentSyntax p: return p.Value.ToString(CultureInfo.InvariantCulture);
            case StringSyntax s: return s.Value;
            case BoolSyntax b: return b.Value ? "true" : "false";
            case DateSyntax d: return _binder.BindDate(d.Text, d.Span) is null ? null : d.Text;
            case DateTimeSyntax dt:
                return _binder.BindDateTime(dt.Text, dt.Span)?.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
            // A duration literal is one of the forms a ledger may hold: call(d: 80s) is the row "80s".
            case DurationSyntax du: return _binder.BindDuration(du.Text, du.Span) is null ? null : du.Text;
            default:
                _diagnostics.Report(ExampleValueNotConstant, syntax.Span);
                return null;
        }
    }

    private decimal? LiteralNumber(ExprSyntax syntax)
    {
        switch (syntax)
        {
            case NumberSyntax n: return n.Value;
            case UnarySyntax { Op: UnaryOp.Negate, Operand: NumberSyntax n }: return -n.Value;
            default:
                _diagnostics.Report(ExampleValueNotConstant, syntax.Span);
                return null;
        }
    }
}
