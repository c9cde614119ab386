using System.Collections.Immutable;
using System.Globalization;
using TariffLang.Diagnostics;
using TariffLang.Syntax;
using TariffLang.Text;
using static TariffLang.Diagnostics.DiagnosticCatalog;

namespace TariffLang.Semantics;

/// <summary>Where an expression is evaluated, which decides the names it may use.</summary>
/// <param name="Event">The single event in hand (rules, per-event charges, state operations, filters), if any.</param>
/// <param name="Period">Whether period aggregates (count, sum, peak…) may be used.</param>
/// <param name="Aggregate">Inside an aggregate's filter or value: the events are read at the period's close.</param>
internal sealed record BindScope(EventSymbol? Event, bool Period, string What, bool Aggregate = false)
{
    /// <summary>Inside <c>charge "L" by KEY</c>: aggregates are folded per value of this attribute.</summary>
    public string? GroupKey { get; init; }

    /// <summary>Inside <c>charge "L" by KEY whole within D</c>: how long after a period's end its groups take events.</summary>
    public TimeSpan? Grace { get; init; }

    public static BindScope ForAggregate(EventSymbol e, string what) => new(e, false, what, Aggregate: true);

    public static BindScope ForPeriod(string what) => new(null, true, what);
    public static BindScope ForEvent(EventSymbol e, string what) => new(e, false, what);
    public static BindScope Constant(string what) => new(null, false, what);
}

/// <summary>Binds expressions to symbols and types them, reporting coded diagnostics.</summary>
internal sealed class ExpressionBinder
{
    private readonly DiagnosticBag _diagnostics;
    private readonly SymbolTable _symbols;

    public ExpressionBinder(DiagnosticBag diagnostics, SymbolTable symbols)
    {
        _diagnostics = diagnostics;
        _symbols = symbols;
    }

    private BoundExpr Fail(TextSpan span) => new BoundLiteral(null, TlType.Error, span);

    /// <summary>Binds and requires a type kind (unit compatibility is the caller's concern).</summary>
    public BoundExpr BindAs(ExprSyntax syntax, BindScope scope, params TypeKind[] kinds)
    {
        var bound = Bind(syntax, scope);
        if (!bound.Type.IsError && !kinds.Contains(bound.Type.Kind))
        {
            var expected = string.Join(" or ", kinds.Select(k => k.ToString().ToLowerInvariant()));
            _diagnostics.Report(TypeMismatch, syntax.Span, expected, bound.Type);
            return Fail(syntax.Span);
        }
        return bound;
    }

    public BoundExpr Bind(ExprSyntax syntax, BindScope scope) => syntax switch
    {
        NumberSyntax n => BindNumber(n),
        PercentSyntax p => new BoundLiteral(p.Value, TlType.Number, p.Span),
        StringSyntax s => new BoundLiteral(s.Value, TlType.Text, s.Span),
        BoolSyntax b => new BoundLiteral(b.Value, TlType.Bool, b.Span),
        DateSyntax d => BindDate(d),
        DateTimeSyntax dt => BindDateTime(dt),
        DurationSyntax du => BindDuration(du.Text, du.Span) is { } span ? new BoundLiteral(span, TlType.Duration, du.Span) : Fail(du.Span),
        ParamRefSyntax p => BindParam(p),
        WithinSyntax w => BindWithin(w, scope),
        MemberSyntax m => BindMember(m),
        LookupSyntax l => BindLookup(l, scope),
        CallSyntax c => BindCall(c, scope),
        NameRefSyntax n => BindName(n.Name, scope),
        UnarySyntax u => BindUnary(u, scope),
        BinarySyntax b => BindBinary(b, scope),
        IsNoneSyntax i => new BoundIsNone(Bind(i.Operand, scope), i.Negated, i.Span),
        FilterSyntax f => BindFilter(f, scope),
        ConditionalSyntax c => BindConditional(c, scope),
        _ => throw new InvalidOperationException($"unbound syntax {syntax.GetType().Name}"),
    };

    private BoundExpr BindNumber(NumberSyntax n)
    {
        string? per = null;
        if (n.PerUnit is { } perUnit)
        {
            if (!_symbols.Units.Contains(perUnit.Text))
            {
                _diagnostics.Report(UnknownUnit, perUnit.Span, perUnit.Text);
                return Fail(n.Span);
            }
            per = perUnit.Text;
        }
        if (n.Unit is null) return new BoundLiteral(n.Value, per is null ? TlType.Number : TlType.MoneyPer(per), n.Span);
        var unit = n.Unit.Text;
        if (unit == _symbols.Currency) return new BoundLiteral(n.Value, TlType.MoneyPer(per), n.Span);
        if (Invoicing.Currencies.IsKnown(unit))
        {
            _diagnostics.Report(CurrencyMismatch, n.Unit.Span, unit, _symbols.Currency ?? "(none)");
            return Fail(n.Span);
        }
        if (!_symbols.Units.Contains(unit))
        {
            _diagnostics.Report(UnknownUnit, n.Unit.Span, unit);
            return Fail(n.Span);
        }
        if (per is not null)
        {
            _diagnostics.Report(TypeMismatch, n.Span, "a price (amount in " + (_symbols.Currency ?? "the currency") + " per unit)",
                $"{unit} per {per}");
            return Fail(n.Span);
        }
        return new BoundLiteral(n.Value, TlType.Quantity(unit), n.Span);
    }

    private BoundExpr BindDate(DateSyntax d) =>
        BindDate(d.Text, d.Span) is { } date ? new BoundLiteral(date, TlType.Date, d.Span) : Fail(d.Span);

    private BoundExpr BindDateTime(DateTimeSyntax dt) =>
        BindDateTime(dt.Text, dt.Span) is { } value ? new BoundLiteral(value, TlType.Time, dt.Span) : Fail(dt.Span);

    /// <summary>
    /// The years a date or time written in a tariff may fall in: the years rating supports (a ledger row outside them is
    /// rejected). Everything the engine derives from a tariff's dates (periods, grants, example rows) then stays far from
    /// the ends of the calendar, where the arithmetic would fail.
    /// </summary>
    public const int MinYear = Ledgers.EventBinder.MinYear, MaxYear = Ledgers.EventBinder.MaxYear;

    /// <summary>The longest duration a tariff may write: a window, an example's <c>after</c>, a literal.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(36_525);


    /// <summary>
    /// A date literal, reported when malformed or outside the supported years: as <paramref name="what"/>
    /// <paramref name="shown"/> (a month is parsed as its first day but reported as written).
    /// </summary>
    public DateOnly? BindDate(string text, TextSpan span, string what = "date", string? shown = null)
    {
        if (ParseDate(text) is not { } date)
        {
            _diagnostics.Report(InvalidLiteral, span, what, shown ?? text);
            return null;
        }
        if (date.Year is < MinYear or > MaxYear)
        {
            _diagnostics.Report(DateOutOfRange, span, $"{what} {shown ?? text}", MinYear, MaxYear);
            return null;
        }
        return date;
    }

    /// <summary>A date-time literal (local to the tariff's zone without an offset), reported when malformed or out of range.</summary>
    public DateTimeOffset? BindDateTime(string text, TextSpan span)
    {
        var value = ParseDateTime(text, _symbols.Zone, out var outOfRange);
        if (outOfRange) _diagnostics.Report(DateOutOfRange, span, $"date and time {text}", MinYear, MaxYear);
        else if (value is null) _diagnostics.Report(InvalidLiteral, span, "date and time", text);
        return value;
    }

    public static DateOnly? ParseDate(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    /// <summary>
    /// A date-time literal; without an offset it is local time in the tariff's zone. Null when it is malformed, or when its
    /// year is outside the supported years (<paramref name="outOfRange"/>): then no instant is computed from it, since
    /// near the ends of the calendar the zone's offset could carry it outside what a DateTimeOffset holds.
    /// </summary>
    private static DateTimeOffset? ParseDateTime(string text, NodaTime.DateTimeZone zone, out bool outOfRange)
    {
        outOfRange = false;
        var localLength = text.Length >= 19 && text[16] == ':' ? 19 : Math.Min(16, text.Length);
        if (!DateTime.TryParseExact(text[..localLength], ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var local))
            return null;
        if (local.Year is < MinYear or > MaxYear)
        {
            outOfRange = true;
            return null;
        }
        var offsetText = text[localLength..];
        if (offsetText.Length == 0) return zone.AtLeniently(NodaTime.LocalDateTime.FromDateTime(local)).ToDateTimeOffset();
        if (offsetText == "Z") return new DateTimeOffset(local, TimeSpan.Zero);
        if (offsetText[0] is not ('+' or '-')
            || !TimeSpan.TryParseExact(offsetText[1..], @"hh\:mm", CultureInfo.InvariantCulture, out var offset)
            || offset > TimeSpan.FromHours(14))
            return null;
        return new DateTimeOffset(local, offsetText[0] == '-' ? -offset : offset);
    }

    public TimeSpan? BindDuration(string text, TextSpan span)
    {
        var unitStart = text.IndexOfAny(['h', 'm', 'd', 's']);
        var unit = unitStart <= 0 ? 0 : text[unitStart..] switch
        {
            "h" => TimeSpan.TicksPerHour,
            "min" => TimeSpan.TicksPerMinute,
            "d" => TimeSpan.TicksPerDay,
            "s" => TimeSpan.TicksPerSecond,
            _ => 0,
        };
        var digits = unitStart <= 0 ? "" : text[..unitStart];
        if (unit == 0 || !digits.All(char.IsAsciiDigit))
        {
            _diagnostics.Report(InvalidLiteral, span, "duration", text);
            return null;
        }
        // Compared in the literal's own unit, so that nothing is multiplied before it is known to fit.
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > MaxDuration.Ticks / unit)
        {
            _diagnostics.Report(DurationTooLong, span, text, $"{MaxDuration.Days}d (100 years)");
            return null;
        }
        return TimeSpan.FromTicks(count * unit);
    }

    private BoundExpr BindParam(ParamRefSyntax p)
    {
        if (_symbols.Params.TryGetValue(p.Name.Text, out var param)) return new BoundParam(param, p.Span);
        _diagnostics.Report(UnknownParam, p.Name.Span, p.Name.Text);
        return Fail(p.Span);
    }

    private BoundExpr BindWithin(WithinSyntax w, BindScope scope)
    {
        if (!_symbols.Windows.TryGetValue(w.Window.Text, out var window))
        {
            _diagnostics.Report(UnknownWindow, w.Window.Span, w.Window.Text);
            return Fail(w.Span);
        }
        if (scope.Event is null)
        {
            _diagnostics.Report(EventContextRequired, w.Span, "within " + w.Window.Text);
            return Fail(w.Span);
        }
        if (scope.Aggregate)
        {
            _diagnostics.Report(StateInAggregate, w.Span, "within " + w.Window.Text);
            return Fail(w.Span);
        }
        if (scope.Event.Find(window.KeyAttribute) is null)
        {
            _diagnostics.Report(MissingKeyAttribute, w.Window.Span, scope.Event.Name, window.KeyAttribute, window.Name);
            return Fail(w.Span);
        }
        return new BoundWithin(window, w.Span);
    }

    private BoundExpr BindMember(MemberSyntax m)
    {
        if (m.Target.Text == "plan" && _symbols.Plans.Count > 0)
        {
            switch (m.Member.Text)
            {
                case "fee": return new BoundPlanField(PlanField.Fee, TlType.Money, m.Span);
                case "includes": return new BoundPlanField(PlanField.Includes, TlType.Quantity(_symbols.PlanUnit), m.Span);
                case "extra": return new BoundPlanField(PlanField.Extra, TlType.MoneyPer(_symbols.PlanUnit), m.Span);
                case "name": return new BoundPlanField(PlanField.Name, TlType.Text, m.Span);
            }
        }
        _diagnostics.Report(UnknownMember, m.Member.Span, m.Target.Text, m.Member.Text);
        return Fail(m.Span);
    }

    private BoundExpr BindLookup(LookupSyntax l, BindScope scope)
    {
        if (!_symbols.Tables.TryGetValue(l.Table.Text, out var table))
        {
            _diagnostics.Report(UnknownTable, l.Table.Span, l.Table.Text);
            return Fail(l.Span);
        }
        if (l.Keys.Length != table.Keys.Length)
        {
            _diagnostics.Report(TableKeyCount, l.Span, table.Name, table.Keys.Length, l.Keys.Length);
            return Fail(l.Span);
        }
        var keys = l.Keys.Select(k => BindAs(k, scope, TypeKind.Text)).ToImmutableArray();
        return new BoundLookup(table, keys, l.Span);
    }

    private BoundExpr BindName(NameSyntax name, BindScope scope)
    {
        var text = name.Text;
        if (scope.Event is { } ev)
        {
            if (ev.Find(text) is { } attribute) return new BoundAttribute(ev, attribute, name.Span);
            if (text == "time") return new BoundEventBuiltin(EventBuiltin.Time, TlType.Time, name.Span);
            if (text == "quantity") return new BoundEventBuiltin(EventBuiltin.Quantity, TlType.Number, name.Span);
            if (_symbols.EventLets.TryGetValue((ev.Name, text), out var eventLet))
            {
                // Folded into a period aggregate event by event, a state would be read as it is at each fold.
                if (scope.Aggregate && Dependencies.ReadsState(eventLet.Value))
                {
                    _diagnostics.Report(StateInAggregate, name.Span, text);
                    return Fail(name.Span);
                }
                return eventLet.Value with { Span = name.Span };
            }
        }
        if (_symbols.Lets.TryGetValue(text, out var let))
        {
            if (!scope.Period && Dependencies.UsesPeriod(let.Value))
            {
                _diagnostics.Report(PeriodValueForEvent, name.Span, text);
                return Fail(name.Span);
            }
            // A let that reads a state or a window would see it as it is when the aggregate is folded, event by event.
            if (scope.Aggregate && Dependencies.ReadsState(let.Value))
            {
                _diagnostics.Report(StateInAggregate, name.Span, text);
                return Fail(name.Span);
            }
            return new BoundLetRef(let, name.Span);
        }
        if (_symbols.States.TryGetValue(text, out var state))
        {
            if (scope.Aggregate)
            {
                _diagnostics.Report(StateInAggregate, name.Span, text);
                return Fail(name.Span);
            }
            if (scope.Event is { } e2)
            {
                if (state.KeyAttribute is { } key && e2.Find(key) is null)
                {
                    _diagnostics.Report(MissingKeyAttribute, name.Span, e2.Name, key, state.Name);
                    return Fail(name.Span);
                }
                return new BoundStateValue(state, name.Span);
            }
            if (state.KeyAttribute is null && (!scope.Period || state.Kind == StateKind.Setting))
                return new BoundStateValue(state, name.Span);
            if (state.KeyAttribute is null)
            {
                // A counter or wallet read bare at a period's close would be its last value, whatever the months.
                _diagnostics.Report(StateNeedsAggregate, name.Span, text);
                return Fail(name.Span);
            }
            _diagnostics.Report(KeyedStateOverPeriod, name.Span, text);
            return Fail(name.Span);
        }
        if (_symbols.Events.TryGetValue(text, out var eventSymbol))
        {
            if (!scope.Period)
            {
                _diagnostics.Report(NotAllowedHere, name.Span, $"the set of '{text}' events");
                return Fail(name.Span);
            }
            return new BoundEventSet(eventSymbol, ImmutableArray<BoundExpr>.Empty, name.Span);
        }
        if (text == "plan" && _symbols.Plans.Count > 0) return new BoundPlanField(PlanField.Name, TlType.Text, name.Span);
        if (_symbols.Params.ContainsKey(text))
        {
            _diagnostics.Report(UnknownNameIsParam, name.Span, text);
            return Fail(name.Span);
        }
        if (scope.Event is { } ev3 && !scope.Period)
        {
            _diagnostics.Report(UnknownAttribute, name.Span, ev3.Name, text);
            return Fail(name.Span);
        }
        if (scope.Event is null && PerEventName(text) is { } owner)
        {
            _diagnostics.Report(AttributeAtPeriodLevel, name.Span, text, owner, scope.What);
            return Fail(name.Span);
        }
        _diagnostics.Report(UnknownName, name.Span, text);
        return Fail(name.Span);
    }

    /// <summary>The first event (in declaration order) that has an attribute or an event-level let of this name.</summary>
    private string? PerEventName(string text)
    {
        foreach (var e in _symbols.Events.Values)
            if (e.Find(text) is not null || _symbols.EventLets.ContainsKey((e.Name, text))) return e.Name;
        return null;
    }

    private BoundExpr BindFilter(FilterSyntax f, BindScope scope)
    {
        var source = Bind(f.Source, scope);
        if (source.Type.IsError) return source;
        if (source is not BoundEventSet set)
        {
            _diagnostics.Report(TypeMismatch, f.Source.Span, "a set of events", source.Type);
            return Fail(f.Span);
        }
        var condition = BindAs(f.Condition, BindScope.ForAggregate(set.Event, "a filter"), TypeKind.Bool);
        return set with { Conditions = set.Conditions.Add(condition), Span = f.Span };
    }

    private BoundExpr BindConditional(ConditionalSyntax c, BindScope scope)
    {
        var condition = BindAs(c.Condition, scope, TypeKind.Bool);
        var then = Bind(c.Then, scope);
        var @else = Bind(c.Else, scope);
        var type = Unify(then.Type, @else.Type, c.Span, "if");
        return new BoundConditional(condition, then, @else, type, c.Span, NoneReason(condition));
    }

    /// <summary>Why an <c>if</c> condition can be none: the optional attributes, parameters and lets it reads, by name.</summary>
    private static string NoneReason(BoundExpr condition)
    {
        var names = new List<string>();
        Collect(condition, names);
        return names.Count == 0
            ? "the condition of an 'if' is none, so no branch applies"
            : $"the condition of an 'if' is none ({string.Join(", ", names)} may have no value), so no branch applies";

        static void Collect(BoundExpr e, List<string> names)
        {
            var name = e switch
            {
                BoundAttribute { Type.Optional: true } a => $"'{a.Attribute.Name}' of {a.Event.Name}",
                BoundParam { Type.Optional: true } p => $"parameter '{p.Param.Name}'",
                BoundLetRef { Type.Optional: true } l => $"'{l.Let.Name}'",
                _ => null,
            };
            if (name is not null && !names.Contains(name)) names.Add(name);
            if (e is BoundIsNone) return; // 'x is none' is true or false, never none
            foreach (var child in Dependencies.Children(e)) Collect(child, names);
        }
    }

    private BoundExpr BindUnary(UnarySyntax u, BindScope scope)
    {
        if (u.Op == UnaryOp.Not)
        {
            var operand = BindAs(u.Operand, scope, TypeKind.Bool);
            return new BoundUnary(UnaryOp.Not, operand, TlType.Bool, u.Span);
        }
        var value = BindAs(u.Operand, scope, TypeKind.Number, TypeKind.Money);
        return new BoundUnary(UnaryOp.Negate, value, value.Type, u.Span);
    }

    /// <summary>
    /// The common type of two operands (of +, −, a comparison, min/max, the branches of an if): units must be the same.
    /// A plain number does not take the other's unit: <c>sms_sent - 5</c> says nothing of what the 5 counts, so it is
    /// an error, written <c>sms_sent - 5 sms</c>. Money per unit keeps the same rule: <c>0.05 EUR per sms</c> meets
    /// neither <c>1 EUR</c> nor a plain <c>1</c>. Money and a plain number still unify, because a tariff has one
    /// currency, so the number can only be an amount in it.
    /// </summary>
    private TlType Unify(TlType a, TlType b, TextSpan span, string op)
    {
        if (a.IsError || b.IsError) return TlType.Error;
        var optional = a.Optional || b.Optional;
        a = a.AsRequired();
        b = b.AsRequired();
        if (a.Kind == b.Kind && a.IsNumeric)
        {
            if (a.Unit != b.Unit)
            {
                if (a.Kind == TypeKind.Number && (a.Unit is null || b.Unit is null))
                    _diagnostics.Report(UnitMissing, span, op, (a.Unit ?? b.Unit)!);
                else _diagnostics.Report(UnitMismatch, span, a, b);
                return TlType.Error;
            }
            return optional ? a.AsOptional() : a;
        }
        if (a.IsNumeric && b.IsNumeric)
        {
            var number = a.Kind == TypeKind.Number ? a : b;
            var money = a.Kind == TypeKind.Money ? a : b;
            if (number.Unit is null && money.Unit is null) return optional ? money.AsOptional() : money;
            // A plain number beside a price per unit would otherwise silently become a price per that unit.
            if (number.Unit is null)
            {
                _diagnostics.Report(UnitMismatch, span, a, b);
                return TlType.Error;
            }
        }
        else if (a.Kind == b.Kind && a.Kind != TypeKind.EventSet)
        {
            return optional ? a.AsOptional() : a;
        }
        _diagnostics.Report(OperatorTypes, span, op, a, b);
        return TlType.Error;
    }

    private BoundExpr BindBinary(BinarySyntax b, BindScope scope)
    {
        var opText = b.Op switch
        {
            BinaryOp.Mul => "*", BinaryOp.Div => "/", BinaryOp.Add => "+", BinaryOp.Sub => "-",
            BinaryOp.Lt => "<", BinaryOp.Le => "<=", BinaryOp.Gt => ">", BinaryOp.Ge => ">=",
            BinaryOp.Eq => "=", BinaryOp.Ne => "!=", BinaryOp.And => "and", BinaryOp.Or => "or", _ => "contains",
        };
        if (b.Op is BinaryOp.And or BinaryOp.Or)
        {
            var l = BindAs(b.Left, scope, TypeKind.Bool);
            var r = BindAs(b.Right, scope, TypeKind.Bool);
            return new BoundBinary(b.Op, OperandKind.Bool, l, r, TlType.Bool, b.Span);
        }
        var left = Bind(b.Left, scope);
        var right = Bind(b.Right, scope);
        if (left.Type.IsError || right.Type.IsError) return new BoundBinary(b.Op, OperandKind.Number, left, right, TlType.Error, b.Span);
        TlType type;
        switch (b.Op)
        {
            case BinaryOp.Contains:
                if (left.Type.Kind is not (TypeKind.Tags or TypeKind.Text) || right.Type.Kind != TypeKind.Text)
                {
                    _diagnostics.Report(OperatorTypes, b.OpSpan, opText, left.Type, right.Type);
                    type = TlType.Error;
                }
                else type = TlType.Bool;
                break;
            case BinaryOp.Add or BinaryOp.Sub:
                if (left.Type.Kind == TypeKind.Time && right.Type.Kind == TypeKind.Duration) type = TlType.Time;
                else if (left.Type.Kind == TypeKind.Duration && right.Type.Kind == TypeKind.Duration)
                    type = left.Type.Optional || right.Type.Optional ? TlType.Duration.AsOptional() : TlType.Duration;
                else if (b.Op == BinaryOp.Sub && left.Type.Kind == TypeKind.Time && right.Type.Kind == TypeKind.Time)
                    type = TlType.Duration;
                else if (!left.Type.IsNumeric || !right.Type.IsNumeric)
                {
                    _diagnostics.Report(OperatorTypes, b.OpSpan, opText, left.Type, right.Type);
                    type = TlType.Error;
                }
                else type = Unify(left.Type, right.Type, b.OpSpan, opText);
                break;
            case BinaryOp.Mul or BinaryOp.Div:
                type = MultiplyType(b.Op, left.Type, right.Type, b.OpSpan, opText);
                break;
            default:
                type = Unify(left.Type, right.Type, b.OpSpan, opText).IsError ? TlType.Error : TlType.Bool;
                if (!type.IsError && b.Op is BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge
                    && left.Type.Kind is TypeKind.Bool or TypeKind.Text or TypeKind.Tags)
                {
                    _diagnostics.Report(OperatorTypes, b.OpSpan, opText, left.Type, right.Type);
                    type = TlType.Error;
                }
                break;
        }
        if (b.Op is BinaryOp.Eq or BinaryOp.Ne or BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge && !type.IsError)
            WarnIfNeverHolds(b.Op, left, right, b.Span);
        return new BoundBinary(b.Op, BoundBinary.Resolve(b.Op, left.Type, right.Type), left, right, type, b.Span);
    }

    /// <summary>
    /// A calendar value compared with a constant outside what it can be (month_of_year(time) = 13, time_of_day(time) >=
    /// 24h) is a condition that never holds: a price or a free rule that can never apply is a mistake worth a warning.
    /// </summary>
    private void WarnIfNeverHolds(BinaryOp op, BoundExpr left, BoundExpr right, TextSpan span)
    {
        if (left is BoundLiteral && right is BoundCall) (left, right, op) = (right, left, Mirror(op));
        if (left is not BoundCall call || right is not BoundLiteral { Value: { } constant }) return;
        var (low, high, what) = call.Function switch
        {
            Builtin.DayOfWeek => (1m, 7m, "day_of_week() is 1 (Monday) to 7 (Sunday)"),
            Builtin.MonthOfYear => (1m, 12m, "month_of_year() is 1 to 12"),
            Builtin.DayOfMonth => (1m, 31m, "day_of_month() is 1 to 31"),
            Builtin.TimeOfDay => (0m, TimeSpan.TicksPerDay - 1m, "time_of_day() is 0h up to, not including, 24h"),
            _ => (0m, -1m, ""),
        };
        if (high < low) return;
        var k = constant switch { decimal d => d, TimeSpan t => (decimal)t.Ticks, _ => (decimal?)null };
        if (k is not { } value) return;
        // The values worth trying: the ends of the range and the whole values around the constant.
        var candidates = new[] { low, high, Math.Floor(value) - 1, Math.Floor(value), Math.Ceiling(value), Math.Ceiling(value) + 1 };
        foreach (var v in candidates)
        {
            if (v < low || v > high) continue;
            var holds = op switch
            {
                BinaryOp.Eq => v == value,
                BinaryOp.Ne => v != value,
                BinaryOp.Lt => v < value,
                BinaryOp.Le => v <= value,
                BinaryOp.Gt => v > value,
                _ => v >= value,
            };
            if (holds) return;
        }
        _diagnostics.Report(NeverHolds, span, what);
    }

    private static BinaryOp Mirror(BinaryOp op) => op switch
    {
        BinaryOp.Lt => BinaryOp.Gt,
        BinaryOp.Le => BinaryOp.Ge,
        BinaryOp.Gt => BinaryOp.Lt,
        BinaryOp.Ge => BinaryOp.Le,
        _ => op,
    };

    private TlType MultiplyType(BinaryOp op, TlType a, TlType b, TextSpan span, string opText)
    {
        var optional = a.Optional || b.Optional;
        a = a.AsRequired();
        b = b.AsRequired();
        TlType? result = null;
        if (a.Kind == TypeKind.Duration || b.Kind == TypeKind.Duration)
        {
            // A duration scales by a plain number (2 × 30min, 90min / 2); two durations divide into a plain ratio
            // (d / 1min is d in minutes). A number with a unit or money never mixes with a duration.
            static bool Plain(TlType t) => t.Kind == TypeKind.Number && t.Unit is null;
            if (a.Kind == TypeKind.Duration && b.Kind == TypeKind.Duration) result = op == BinaryOp.Div ? TlType.Number : null;
            else if (a.Kind == TypeKind.Duration && Plain(b)) result = TlType.Duration;
            else if (op == BinaryOp.Mul && Plain(a) && b.Kind == TypeKind.Duration) result = TlType.Duration;
        }
        else if (a.IsNumeric && b.IsNumeric)
        {
            if (op == BinaryOp.Mul)
            {
                if (a.Kind == TypeKind.Number && b.Kind == TypeKind.Number)
                    result = a.Unit is not null && b.Unit is not null ? null : TlType.Quantity(a.Unit ?? b.Unit);
                else if (a.Kind == TypeKind.Money && b.Kind == TypeKind.Money) result = null;
                else
                {
                    var money = a.Kind == TypeKind.Money ? a : b;
                    var number = a.Kind == TypeKind.Number ? a : b;
                    if (money.Unit is not null && number.Unit is not null && money.Unit != number.Unit)
                    {
                        _diagnostics.Report(UnitMismatch, span, money, number);
                        return TlType.Error;
                    }
                    // (money per u) × (number of u) is money; money × plain number keeps its "per".
                    result = number.Unit is not null ? TlType.Money : money;
                }
            }
            else
            {
                // n u / plain keeps u; n u / m u is a plain ratio; anything / a unit it does not share is meaningless.
                if (a.Kind == TypeKind.Number && b.Kind == TypeKind.Number)
                    result = b.Unit is null ? a : a.Unit == b.Unit ? TlType.Number : null;
                else if (a.Kind == TypeKind.Money && b.Kind == TypeKind.Money) result = TlType.Number;
                else if (a.Kind == TypeKind.Money) result = b.Unit is null ? a : a.Unit is null ? TlType.MoneyPer(b.Unit) : null;
                else result = null;
            }
        }
        if (result is null)
        {
            _diagnostics.Report(OperatorTypes, span, opText, a, b);
            return TlType.Error;
        }
        return optional ? result.AsOptional() : result;
    }

    private static readonly Dictionary<string, AggregateKind> Aggregates = new()
    {
        ["count"] = AggregateKind.Count, ["sum"] = AggregateKind.Sum, ["distinct"] = AggregateKind.Distinct,
        ["min"] = AggregateKind.Min, ["max"] = AggregateKind.Max,
    };

    /// <summary>Every function a tariff can call, for the "did you mean" of an unknown one.</summary>
    internal static readonly string[] FunctionNames =
    [
        "count", "sum", "distinct", "min", "max", "ceil", "floor", "round", "abs", "years_since", "period_months",
        "round_up", "round_down", "round_nearest", "blocks", "days_between", "days_in_period", "day_of_period", "peak", "level",
        "seconds", "minutes", "hours", "days", "length", "starts_with", "ends_with", "is_gsm7", "gsm7_length",
        "time_of_day", "day_of_week", "month_of_year", "day_of_month", "is_holiday", "covered", "beyond", "elapsed", "tiered", "overlap",
    ];

    private BoundExpr BindCall(CallSyntax c, BindScope scope)
    {
        var name = c.Function.Text;
        var args = c.Args;
        BoundExpr Arity(int expected)
        {
            _diagnostics.Report(WrongArgumentCount, c.Function.Span, name, expected, args.Length);
            return Fail(c.Span);
        }

        if (Aggregates.TryGetValue(name, out var aggregate))
        {
            // count(mms) with no such event: the name is the mistake, not the call.
            if (scope.Period && args.Length >= 1 && SetName(args[0]) is { } setName && !IsDeclared(setName.Text))
            {
                _diagnostics.Report(UnknownEvent, setName.Span, setName.Text);
                return Fail(c.Span);
            }
            var isSet = args.Length >= 1 && scope.Period && IsEventSetSyntax(args[0]);
            if (isSet) return BindAggregate(aggregate, c, scope);
            if (aggregate is AggregateKind.Min or AggregateKind.Max)
            {
                if (args.Length < 2) return Arity(2);
                var bound = args.Select(a => BindAs(a, scope, TypeKind.Number, TypeKind.Money)).ToImmutableArray();
                var type = bound[0].Type;
                for (var i = 1; i < bound.Length; i++) type = Unify(type, bound[i].Type, c.Span, name);
                return new BoundCall(aggregate == AggregateKind.Min ? Builtin.Min : Builtin.Max, bound, type, c.Span);
            }
            _diagnostics.Report(NotAnEventSet, c.Function.Span, name);
            return Fail(c.Span);
        }
        switch (name)
        {
            case "ceil" or "floor" or "round" or "abs":
            {
                if (args.Length != 1) return Arity(1);
                var arg = BindAs(args[0], scope, TypeKind.Number, TypeKind.Money);
                var fn = name switch { "ceil" => Builtin.Ceil, "floor" => Builtin.Floor, "round" => Builtin.Round, _ => Builtin.Abs };
                return new BoundCall(fn, [arg], arg.Type, c.Span);
            }
            case "years_since":
            {
                if (args.Length != 1) return Arity(1);
                var arg = BindAs(args[0], scope, TypeKind.Date, TypeKind.Time);
                return new BoundCall(Builtin.YearsSince, [arg], TlType.Number, c.Span);
            }
            case "period_months":
                if (args.Length != 0) return Arity(0);
                if (!scope.Period)
                {
                    _diagnostics.Report(NotAllowedHere, c.Span, "period_months()");
                    return Fail(c.Span);
                }
                return new BoundCall(Builtin.PeriodMonths, ImmutableArray<BoundExpr>.Empty, TlType.Number, c.Span);
            case "overlap":
            {
                // overlap(start, length, from, to): the part of [start, start + length) between from and to o'clock each day.
                if (args.Length != 4) return Arity(4);
                var start = BindAs(args[0], scope, TypeKind.Time);
                var length = BindAs(args[1], scope, TypeKind.Duration);
                var from = BindAs(args[2], scope, TypeKind.Duration);
                var to = BindAs(args[3], scope, TypeKind.Duration);
                foreach (var (bound, syntax) in new[] { (from, args[2]), (to, args[3]) })
                {
                    if (bound is BoundLiteral { Value: TimeSpan t } && (t < TimeSpan.Zero || t > TimeSpan.FromDays(1)))
                        _diagnostics.Report(NeverHolds, syntax.Span, "a time of day is 0h to 24h");
                }
                var optional = start.Type.Optional || length.Type.Optional || from.Type.Optional || to.Type.Optional;
                return new BoundCall(Builtin.Overlap, [start, length, from, to], optional ? TlType.Duration.AsOptional() : TlType.Duration,
                    c.Span);
            }
            case "time_of_day":
            {
                if (args.Length != 1) return Arity(1);
                var t = BindAs(args[0], scope, TypeKind.Time);
                return new BoundCall(Builtin.TimeOfDay, [t], t.Type.Optional ? TlType.Duration.AsOptional() : TlType.Duration, c.Span);
            }
            case "day_of_week" or "month_of_year" or "day_of_month":
            {
                if (args.Length != 1) return Arity(1);
                var d = BindAs(args[0], scope, TypeKind.Date, TypeKind.Time);
                var fn = name switch { "day_of_week" => Builtin.DayOfWeek, "month_of_year" => Builtin.MonthOfYear,
                    _ => Builtin.DayOfMonth };
                return new BoundCall(fn, [d], d.Type.Optional ? TlType.Number.AsOptional() : TlType.Number, c.Span);
            }
            case "is_holiday":
            {
                if (args.Length is not (1 or 2)) return Arity(args.Length < 1 ? 1 : 2);
                var d = BindAs(args[0], scope, TypeKind.Date, TypeKind.Time);
                // The tariff's list travels with the call as a constant: nothing is looked up by name while rating.
                var list = new BoundLiteral((_symbols.Holidays ?? []).ToArray(), TlType.Tags, c.Function.Span);
                if (args.Length == 2)
                {
                    var contract = BindAs(args[1], scope, TypeKind.Tags);
                    return new BoundCall(Builtin.IsHoliday, [d, list, contract], d.Type.Optional ? TlType.Bool.AsOptional() : TlType.Bool,
                        c.Span);
                }
                if (_symbols.Holidays is null) _diagnostics.Report(HolidaysMissing, c.Span);
                return new BoundCall(Builtin.IsHoliday, [d, list], d.Type.Optional ? TlType.Bool.AsOptional() : TlType.Bool, c.Span);
            }
            case "seconds" or "minutes" or "hours" or "days":
            {
                if (args.Length != 1) return Arity(1);
                var d = BindAs(args[0], scope, TypeKind.Duration);
                var fn = name switch { "seconds" => Builtin.Seconds, "minutes" => Builtin.Minutes, "hours" => Builtin.Hours,
                    _ => Builtin.Days };
                return new BoundCall(fn, [d], d.Type.Optional ? TlType.Number.AsOptional() : TlType.Number, c.Span);
            }
            case "length" or "is_gsm7" or "gsm7_length":
            {
                if (args.Length != 1) return Arity(1);
                var text = BindAs(args[0], scope, TypeKind.Text);
                var (fn, type) = name switch
                {
                    "length" => (Builtin.Length, TlType.Number),
                    "is_gsm7" => (Builtin.IsGsm7, TlType.Bool),
                    // None for a text that has no 7-bit form: there is no septet count to give.
                    _ => (Builtin.Gsm7Length, TlType.Number.AsOptional()),
                };
                return new BoundCall(fn, [text], text.Type.Optional ? type.AsOptional() : type, c.Span);
            }
            case "starts_with" or "ends_with":
            {
                if (args.Length != 2) return Arity(2);
                var text = BindAs(args[0], scope, TypeKind.Text);
                var part = BindAs(args[1], scope, TypeKind.Text);
                var type = text.Type.Optional || part.Type.Optional ? TlType.Bool.AsOptional() : TlType.Bool;
                return new BoundCall(name == "starts_with" ? Builtin.StartsWith : Builtin.EndsWith, [text, part], type, c.Span);
            }
            case "round_up" or "round_down" or "round_nearest":
            {
                if (args.Length != 2) return Arity(2);
                var q = BindAs(args[0], scope, TypeKind.Number, TypeKind.Money, TypeKind.Duration);
                if (q.Type.Kind == TypeKind.Duration)
                {
                    // A duration to a step of time: a call billed per started minute is round_up(d, 60s).
                    var span = BindAs(args[1], scope, TypeKind.Duration);
                    if (span is BoundLiteral { Value: TimeSpan { Ticks: <= 0 } t })
                        _diagnostics.Report(NotPositive, span.Span, "step", name,
                            t.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s");
                    var byTime = name switch { "round_up" => Builtin.RoundUpDuration, "round_down" => Builtin.RoundDownDuration,
                        _ => Builtin.RoundNearestDuration };
                    var optional = q.Type.Optional || span.Type.Optional;
                    return new BoundCall(byTime, [q, span], optional ? TlType.Duration.AsOptional() : TlType.Duration, c.Span);
                }
                var step = BindAs(args[1], scope, TypeKind.Number, TypeKind.Money);
                RequirePositive(step, "step", name);
                // The step is written in q's unit (60 s for seconds), as the other operand of + would be.
                var type = Unify(q.Type, step.Type, c.Span, name);
                var fn = name switch { "round_up" => Builtin.RoundUp, "round_down" => Builtin.RoundDown, _ => Builtin.RoundNearest };
                return new BoundCall(fn, [q, step], type, c.Span);
            }
            case "blocks":
            {
                if (args.Length is not (2 or 3)) return Arity(args.Length < 2 ? 2 : 3);
                var bound = args.Select(a => BindAs(a, scope, TypeKind.Number, TypeKind.Money)).ToImmutableArray();
                RequirePositive(bound[1], "block size", name);
                var type = bound[0].Type;
                for (var i = 1; i < bound.Length; i++) type = Unify(type, bound[i].Type, c.Span, name);
                // A count of blocks, whatever q counts: 3 blocks of 100 MB is the number 3.
                var result = type.IsError ? type : type.Optional ? TlType.Number.AsOptional() : TlType.Number;
                return new BoundCall(Builtin.Blocks, bound, result, c.Span);
            }
            case "days_between":
            {
                if (args.Length != 2) return Arity(2);
                var from = BindAs(args[0], scope, TypeKind.Date, TypeKind.Time);
                var to = BindAs(args[1], scope, TypeKind.Date, TypeKind.Time);
                var type = from.Type.Optional || to.Type.Optional ? TlType.Number.AsOptional() : TlType.Number;
                return new BoundCall(Builtin.DaysBetween, [from, to], type, c.Span);
            }
            case "days_in_period":
                if (args.Length != 0) return Arity(0);
                if (!scope.Period)
                {
                    _diagnostics.Report(NotAllowedHere, c.Span, "days_in_period()");
                    return Fail(c.Span);
                }
                return new BoundCall(Builtin.DaysInPeriod, ImmutableArray<BoundExpr>.Empty, TlType.Number, c.Span);
            case "day_of_period":
            {
                if (args.Length != 1) return Arity(1);
                if (!scope.Period)
                {
                    _diagnostics.Report(NotAllowedHere, c.Span, "day_of_period()");
                    return Fail(c.Span);
                }
                var day = BindAs(args[0], scope, TypeKind.Date, TypeKind.Time);
                return new BoundCall(Builtin.DayOfPeriod, [day], day.Type.Optional ? TlType.Number.AsOptional() : TlType.Number, c.Span);
            }
            case "tiered":
            {
                if (args.Length != 2) return Arity(2);
                if (args[0] is not NameRefSyntax tiersName || !_symbols.Tiers.TryGetValue(tiersName.Name.Text, out var tiers))
                {
                    _diagnostics.Report(UnknownTiers, args[0].Span, args[0] is NameRefSyntax r ? r.Name.Text : "(expression)");
                    return Fail(c.Span);
                }
                var quantity = BindAs(args[1], scope, TypeKind.Number);
                if (quantity.Type.IsError) return Fail(c.Span);
                if (quantity.Type.Unit is { } qu && tiers.Unit is { } tu && qu != tu)
                {
                    _diagnostics.Report(UnitMismatch, args[1].Span, TlType.Quantity(tu), quantity.Type);
                    return Fail(c.Span);
                }
                return new BoundTiered(tiers, quantity, c.Span);
            }
            case "elapsed":
            {
                if (args.Length != 1) return Arity(1);
                if (args[0] is not NameRefSyntax windowName || !_symbols.Windows.TryGetValue(windowName.Name.Text, out var window))
                {
                    _diagnostics.Report(UnknownWindow, args[0].Span, args[0] is NameRefSyntax r ? r.Name.Text : "(expression)");
                    return Fail(c.Span);
                }
                if (scope.Event is not { } ev)
                {
                    _diagnostics.Report(EventContextRequired, c.Span, $"elapsed({window.Name})");
                    return Fail(c.Span);
                }
                if (scope.Aggregate)
                {
                    _diagnostics.Report(StateInAggregate, c.Span, $"elapsed({window.Name})");
                    return Fail(c.Span);
                }
                if (ev.Find(window.KeyAttribute) is null)
                {
                    _diagnostics.Report(MissingKeyAttribute, args[0].Span, ev.Name, window.KeyAttribute, window.Name);
                    return Fail(c.Span);
                }
                _symbols.ElapsedWindows.Add(window.Name);
                return new BoundWindowElapsed(window, c.Span);
            }
            case "covered" or "beyond":
            {
                if (args.Length != 1) return Arity(1);
                if (args[0] is not NameRefSyntax allowanceName || !_symbols.States.TryGetValue(allowanceName.Name.Text, out var allowance)
                    || allowance.Kind != StateKind.Allowance)
                {
                    _diagnostics.Report(TypeMismatch, args[0].Span, "an allowance",
                        args[0] is NameRefSyntax r ? r.Name.Text : "(expression)");
                    return Fail(c.Span);
                }
                if (scope.Event is not { } ev)
                {
                    _diagnostics.Report(NotAllowedHere, c.Span, name + "() outside an event's rules, prices and lets");
                    return Fail(c.Span);
                }
                if (scope.Aggregate)
                {
                    _diagnostics.Report(StateInAggregate, c.Span, name + "(" + allowance.Name + ")");
                    return Fail(c.Span);
                }
                if (allowance.OpFor(ev) is not { } use || allowance.Allowance is null)
                {
                    _diagnostics.Report(AllowanceNotUsedBy, c.Span, allowance.Name, ev.Name, name);
                    return Fail(c.Span);
                }
                return new BoundAllowanceShare(name == "covered" ? AllowanceShare.Covered : AllowanceShare.Beyond, allowance,
                    allowance.Allowance, use.Value, use.Condition, c.Span);
            }
            case "peak" or "level":
            {
                if (args.Length != 1) return Arity(1);
                if (args[0] is not NameRefSyntax stateName || !_symbols.States.TryGetValue(stateName.Name.Text, out var state))
                {
                    _diagnostics.Report(UnknownName, args[0].Span, args[0] is NameRefSyntax n ? n.Name.Text : "(expression)");
                    return Fail(c.Span);
                }
                if (!scope.Period)
                {
                    _diagnostics.Report(NotAllowedHere, c.Span, name + "() outside a period charge or let");
                    return Fail(c.Span);
                }
                if (state.Type.Kind is not (TypeKind.Number or TypeKind.Money))
                {
                    _diagnostics.Report(TypeMismatch, args[0].Span, "a numeric state", state.Type);
                    return Fail(c.Span);
                }
                return new BoundStateAggregate(name == "peak" ? StateAggregateKind.Peak : StateAggregateKind.Level, state, c.Span);
            }
        }
        _diagnostics.Report(UnknownFunction, c.Function.Span, name);
        return Fail(c.Span);
    }

    /// <summary>A step or block size written as a literal is known now: 0 or less is reported here rather than on every row.</summary>
    private void RequirePositive(BoundExpr arg, string what, string function)
    {
        var value = arg switch
        {
            BoundLiteral { Value: decimal d } => d,
            BoundUnary { Op: UnaryOp.Negate, Operand: BoundLiteral { Value: decimal d } } => -d,
            _ => (decimal?)null,
        };
        if (value is { } v && v <= 0)
            _diagnostics.Report(NotPositive, arg.Span, what, function, v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static NameSyntax? SetName(ExprSyntax syntax) => syntax switch
    {
        NameRefSyntax n => n.Name,
        FilterSyntax f => SetName(f.Source),
        _ => null,
    };

    private bool IsDeclared(string name) =>
        _symbols.Events.ContainsKey(name) || _symbols.Lets.ContainsKey(name) || _symbols.States.ContainsKey(name)
        || _symbols.Params.ContainsKey(name) || _symbols.Windows.ContainsKey(name) || _symbols.Tables.ContainsKey(name)
        || _symbols.Tiers.ContainsKey(name)
        || name == "plan";

    private bool IsEventSetSyntax(ExprSyntax syntax) => syntax switch
    {
        NameRefSyntax n => _symbols.Events.ContainsKey(n.Name.Text)
                           || (_symbols.Lets.TryGetValue(n.Name.Text, out var let) && let.Type.Kind == TypeKind.EventSet),
        FilterSyntax => true,
        _ => false,
    };

    private BoundExpr BindAggregate(AggregateKind kind, CallSyntax c, BindScope scope)
    {
        var setExpr = Bind(c.Args[0], scope);
        var set = setExpr switch
        {
            BoundEventSet s => s,
            BoundLetRef { Let.Value: BoundEventSet s } => s,
            _ => null,
        };
        if (set is null)
        {
            if (!setExpr.Type.IsError) _diagnostics.Report(NotAnEventSet, c.Function.Span, c.Function.Text);
            return Fail(c.Span);
        }
        var expectedArgs = kind == AggregateKind.Count ? 1 : 2;
        if (c.Args.Length != expectedArgs)
        {
            _diagnostics.Report(WrongArgumentCount, c.Function.Span, c.Function.Text, expectedArgs, c.Args.Length);
            return Fail(c.Span);
        }
        if (scope.GroupKey is { } groupKey && set.Event.Find(groupKey) is not { } keyAttribute)
        {
            _diagnostics.Report(GroupKeyMissing, c.Args[0].Span, set.Event.Name, groupKey);
            return Fail(c.Span);
        }
        // Inside a charge by KEY, the aggregate is folded per group, with the charge's grace.
        BoundAggregate Aggregate(BoundExpr? value, TlType type) =>
            new(kind, set, value, type, c.Span) { GroupKey = scope.GroupKey, Grace = scope.Grace };
        if (kind == AggregateKind.Count) return Aggregate(null, TlType.Number);
        var eventScope = BindScope.ForAggregate(set.Event, c.Function.Text);
        if (kind == AggregateKind.Distinct) return Aggregate(Bind(c.Args[1], eventScope), TlType.Number);
        var value = BindAs(c.Args[1], eventScope, TypeKind.Number, TypeKind.Money);
        return Aggregate(value, value.Type.AsRequired());
    }
}
