namespace TariffLang.Diagnostics;

/// <summary>A diagnostic's stable identity: its code, severity and message format.</summary>
internal sealed record DiagnosticDescriptor(string Code, DiagnosticSeverity Severity, string Format);

/// <summary>
/// The one catalogue of diagnostics. Codes are stable: tests and users match on them,
/// so a code is never reused for another meaning.
/// </summary>
internal static class DiagnosticCatalog
{
    private static DiagnosticDescriptor Error(string code, string format) => new(code, DiagnosticSeverity.Error, format);
    private static DiagnosticDescriptor Warning(string code, string format) => new(code, DiagnosticSeverity.Warning, format);

    // Syntax
    public static readonly DiagnosticDescriptor SyntaxError = Error("TL0001", "{0}");
    public static readonly DiagnosticDescriptor UnexpectedCharacter = Error("TL0002", "unexpected character '{0}'");
    public static readonly DiagnosticDescriptor NestingTooDeep = Error("TL0003", "expression nested more than {0} levels deep");

    // Names
    public static readonly DiagnosticDescriptor UnknownEvent = Error("TL0004", "unknown event '{0}'");
    public static readonly DiagnosticDescriptor UnknownName = Error("TL0005", "unknown name '{0}'");
    public static readonly DiagnosticDescriptor UnknownNameIsParam = Error("TL0005",
        "unknown name '{0}': a contract parameter is written 'param {0}'");
    public static readonly DiagnosticDescriptor DuplicateName = Error("TL0006", "'{0}' is already declared");
    public static readonly DiagnosticDescriptor UnknownType = Error("TL0007", "unknown type '{0}'");
    public static readonly DiagnosticDescriptor UnknownUnit = Error("TL0008", "unknown unit '{0}': declare it with 'unit {0}'");
    public static readonly DiagnosticDescriptor UnknownParam = Error("TL0009", "unknown contract parameter '{0}'");
    public static readonly DiagnosticDescriptor UnknownAttribute = Error("TL0010", "event '{0}' has no attribute '{1}'");
    public static readonly DiagnosticDescriptor UnknownFunction = Error("TL0011", "unknown function '{0}'");
    public static readonly DiagnosticDescriptor UnknownTable = Error("TL0012", "unknown table '{0}'");
    public static readonly DiagnosticDescriptor UnknownWindow = Error("TL0013", "unknown window '{0}'");
    public static readonly DiagnosticDescriptor UnknownWallet = Error("TL0014", "unknown wallet '{0}'");
    public static readonly DiagnosticDescriptor UnknownPlan = Error("TL0015", "unknown plan '{0}'");
    public static readonly DiagnosticDescriptor UnknownMember = Error("TL0016", "'{0}' has no member '{1}'");

    // Types, units, currency
    public static readonly DiagnosticDescriptor TypeMismatch = Error("TL0020", "expected {0} but found {1}");
    public static readonly DiagnosticDescriptor OperatorTypes = Error("TL0021", "operator '{0}' cannot be applied to {1} and {2}");
    public static readonly DiagnosticDescriptor UnitMismatch = Error("TL0022", "unit mismatch: {0} and {1}");
    public static readonly DiagnosticDescriptor UnitMissing = Error("TL0022",
        "unit mismatch: '{0}' between a number of {1} and a plain number: give the number its unit (e.g. 5 {1})");
    public static readonly DiagnosticDescriptor CurrencyMismatch = Error("TL0023", "currency {0} does not match the tariff currency {1}");
    public static readonly DiagnosticDescriptor WrongArgumentCount = Error("TL0024", "'{0}' takes {1} argument(s) but was given {2}");
    public static readonly DiagnosticDescriptor NotAnEventSet = Error("TL0025",
        "'{0}' needs a set of events (an event name, optionally with 'where') as its first argument");
    public static readonly DiagnosticDescriptor EventContextRequired = Error("TL0026",
        "'{0}' only has a value for a single event (inside a rule, a per-event charge or a state operation)");
    public static readonly DiagnosticDescriptor KeyedStateOverPeriod = Error("TL0026",
        "'{0}' has a value per key, for a single event: over a period read it with peak({0}) or level({0})");
    public static readonly DiagnosticDescriptor PeriodValueForEvent = Error("TL0056",
        "'{0}' is a period value (it reads aggregates): it has no value for a single event");
    public static readonly DiagnosticDescriptor StateInAggregate = Error("TL0058",
        "'{0}' inside an aggregate would be read at the period's close, not when each event happened: decide it per event with a rule, a "
        + "per-event charge or a state operation");
    public static readonly DiagnosticDescriptor PlanLabelWithoutPlans = Error("TL0057",
        "the label names the plan, but the tariff declares no plans");
    public static readonly DiagnosticDescriptor TableKeyCount = Error("TL0027", "table '{0}' has {1} key(s) but was given {2}");
    public static readonly DiagnosticDescriptor MissingKeyAttribute = Error("TL0028",
        "event '{0}' has no attribute '{1}', which '{2}' is keyed by");
    public static readonly DiagnosticDescriptor GrantNotNumber = Error("TL0029", "a grant adds a number of units, but this is {0}");

    // Declarations
    public static readonly DiagnosticDescriptor MissingCurrency = Error("TL0030", "the tariff declares no currency");
    public static readonly DiagnosticDescriptor MissingPeriod = Error("TL0031", "the tariff declares no billing period");
    public static readonly DiagnosticDescriptor UnknownTimeZone = Error("TL0032", "unknown time zone '{0}'");
    public static readonly DiagnosticDescriptor BadPeriodLength = Error("TL0033",
        "a billing period is a whole number of months, not '{0}'");
    public static readonly DiagnosticDescriptor DuplicateDeclaration = Error("TL0034", "the tariff declares its {0} more than once");
    public static readonly DiagnosticDescriptor PlanFieldMissing = Error("TL0035", "plan '{0}' does not say its {1}");
    public static readonly DiagnosticDescriptor DuplicateTableCell = Error("TL0036", "table '{0}' already has a value for ({1})");
    public static readonly DiagnosticDescriptor TableCellShape = Error("TL0037", "table '{0}' is keyed by {1} attribute(s): {2}");
    public static readonly DiagnosticDescriptor NotAllowedHere = Error("TL0038", "{0} is not allowed here");
    public static readonly DiagnosticDescriptor InvalidLiteral = Error("TL0039", "invalid {0} '{1}'");

    // Effective dates
    public static readonly DiagnosticDescriptor VersionsOverlap = Error("TL0040",
        "version starting {0} overlaps the previous version, which runs until {1}");
    public static readonly DiagnosticDescriptor VersionsGap = Error("TL0041",
        "versions leave a gap: the previous version ends {0} but this one starts {1}");
    public static readonly DiagnosticDescriptor VersionEmptyRange = Error("TL0042", "version ends ({0}) before it starts ({1})");
    public static readonly DiagnosticDescriptor VersionUnbounded = Error("TL0043",
        "only the first version may omit 'from' and only the last may omit 'until'");

    // State
    public static readonly DiagnosticDescriptor StateKindMismatch = Error("TL0050", "'{0}' is a {1}, not a {2}");
    public static readonly DiagnosticDescriptor SettingNeedsInitial = Error("TL0051", "setting '{0}' needs an initial value ('= ...')");
    public static readonly DiagnosticDescriptor NextPeriodOnlyForSettings = Error("TL0052", "'at next period' applies only to settings");
    public static readonly DiagnosticDescriptor PeriodChoiceNeedsSetting = Error("TL0053",
        "'period by {0}' needs a text setting named '{0}'");
    public static readonly DiagnosticDescriptor OptionalKeyAttribute = Error("TL0054",
        "'{0}' is keyed by '{1}', which event '{2}' declares optional: declare it required, so that every event has a key");
    public static readonly DiagnosticDescriptor StateNeedsAggregate = Error("TL0055",
        "over a period, '{0}' changes from event to event: read it with level({0}) or peak({0})");

    public static readonly DiagnosticDescriptor ResetNotAllowed = Error("TL0100",
        "'reset every period' applies to counters (an allowance always resets); a {0} carries its value across periods");
    public static readonly DiagnosticDescriptor StateOpNotAllowed = Error("TL0101", "'{0}' does not apply to {1} '{2}': {3}");
    public static readonly DiagnosticDescriptor AllowanceNeedsAmount = Error("TL0102",
        "allowance '{0}' needs the amount it includes each period: 'allowance {0}: UNIT = AMOUNT {{ … }}'");
    public static readonly DiagnosticDescriptor AllowanceNotUsedBy = Error("TL0103",
        "event '{1}' does not use allowance '{0}': add 'on {1} use …' to it before reading {2}({0})");
    public static readonly DiagnosticDescriptor AllowanceUsedTwice = Error("TL0104",
        "event '{1}' already uses allowance '{0}' on line {2}: one 'use' per event, so that its covered units are known");
    public static readonly DiagnosticDescriptor LotTermsNotAllowed = Error("TL0105",
        "expiry and priority apply to credits added to a wallet (its declaration, an 'add' to it, or a grant), not to {0}");
    public static readonly DiagnosticDescriptor BadExpiry = Error("TL0106",
        "'{0}' is not an expiry: write 'expires after N days', 'N months' or 'N years' (N from 1 up to a century), or 'never expires'");
    public static readonly DiagnosticDescriptor GroupKeyMissing = Error("TL0107",
        "event '{0}' has no attribute '{1}' to group by: a charge by {1} aggregates only events that have it");
    public static readonly DiagnosticDescriptor GroupedChargeForm = Error("TL0108",
        "a charge by {0} is an amount computed per group ('charge \"L\" by {0} = AMOUNT'), with no 'at PRICE' and at least one aggregate");
    public static readonly DiagnosticDescriptor TierBoundsNotIncreasing = Error("TL0109",
        "this band's bound must be greater than the one before ({0}): bands are listed from the lowest, without overlap");
    public static readonly DiagnosticDescriptor TierOpenBand = Error("TL0110",
        "tiers '{0}' must end with one 'above' band, its last: every quantity above the last bound needs a price");
    public static readonly DiagnosticDescriptor TierBandEmpty = Error("TL0111",
        "a band needs a unit price ('at PRICE'), a flat fee ('flat FEE') or both");
    public static readonly DiagnosticDescriptor TierBoundNotPositive = Error("TL0112",
        "a band's bound must be a quantity greater than 0, not {0}");
    public static readonly DiagnosticDescriptor UnknownTiers = Error("TL0113", "unknown tiers '{0}'");
    public static readonly DiagnosticDescriptor GroupLabelUnknown = Error("TL0114", "no charge is labelled \"{0}\"");
    public static readonly DiagnosticDescriptor GroupLabelTwice = Error("TL0115",
        "charge \"{0}\" is already in group '{1}': a charge belongs to one group, so that its minimum and tax are known");
    public static readonly DiagnosticDescriptor UnknownGroup = Error("TL0116", "unknown group '{0}'");
    public static readonly DiagnosticDescriptor MinimumAboveMaximum = Error("TL0117",
        "this minimum ({0}) is above the maximum ({1}) of the same {2}");
    public static readonly DiagnosticDescriptor TaxRateOutOfRange = Error("TL0118", "a tax rate is between 0 % and 100 %, not {0}");
    public static readonly DiagnosticDescriptor TaxTwice = Error("TL0119",
        "{0} already has a tax on line {1}: one rate per group, and one for the rest");
    public static readonly DiagnosticDescriptor ExpectTaxWithoutTax = Error("TL0120",
        "this example expects a tax, but the tariff declares none ('tax \"Label\" RATE')");
    public static readonly DiagnosticDescriptor GraceOutOfRange = Error("TL0121",
        "a group can be billed whole only within 1 second to 28 days after its period ends (one period held open at a time), not {0}");
    public static readonly DiagnosticDescriptor GraceInVersions = Error("TL0122",
        "a charge by KEY whole within D cannot be in a versions block: a group it holds past a period's end would take "
        + "events of a version where it does not apply; write it outside the block");

    // Examples
    public static readonly DiagnosticDescriptor UnknownOutcome = Error("TL0060", "unknown outcome '{0}': use rated, free or rejected");
    public static readonly DiagnosticDescriptor ExampleValueNotConstant = Error("TL0061", "an example value must be a literal");
    public static readonly DiagnosticDescriptor ExampleNoExpectation = Warning("TL0062",
        "example '{0}' expects nothing, so it cannot fail");
    public static readonly DiagnosticDescriptor DuplicateRule = Warning("TL0063", "this rule repeats the one on line {0}");
    public static readonly DiagnosticDescriptor NeverHolds = Warning("TL0065", "this condition can never hold: {0}");
    public static readonly DiagnosticDescriptor AttributeAtPeriodLevel = Error("TL0067",
        "'{0}' is read from each {1} event, but {2} is computed once per period: " +
        "aggregate it (sum({1}, {0})) or compute it per event with 'let NAME per {1} = …'");
    public static readonly DiagnosticDescriptor EventLetShadows = Error("TL0068",
        "'{0}' is already an attribute of {1}: an event-level let needs another name");
    public static readonly DiagnosticDescriptor HolidaysMissing = Error("TL0066",
        "is_holiday() needs the tariff's 'holidays {{ … }}' list or a list of dates as its second argument (a tags parameter)");
    public static readonly DiagnosticDescriptor MidMonthVersionCharges = Warning("TL0064",
        "this version starts on {0}, mid-month: its period charges apply from the next month's first day (its rules from {0})");

    // Builtins
    public static readonly DiagnosticDescriptor NotPositive = Error("TL0085", "the {0} of {1}() must be greater than 0, not {2}");

    // Ranges and budgets: what a tariff writes stays inside what the engine can compute with.
    public static readonly DiagnosticDescriptor DateOutOfRange = Error("TL0070",
        "{0} falls outside the years {1}–{2} that rating supports");
    public static readonly DiagnosticDescriptor DurationTooLong = Error("TL0071",
        "duration '{0}' is longer than {1}, the longest a tariff may write");
    public static readonly DiagnosticDescriptor ExampleRowBudget = Error("TL0072",
        "the examples would hold more than {0} rows in all: this usage goes past that budget");

    // Compiled backend
    public static readonly DiagnosticDescriptor CompilerFailure = Error("TL0090", "the compiled backend could not compile this: {0}");
}
