namespace TariffLang.Semantics;

internal enum TypeKind { Number, Money, Text, Bool, Date, Time, Duration, Tags, EventSet, Error }

/// <summary>
/// A value's type. Numbers may carry a unit (<c>250 chatpoint</c>); money may be "per" a unit
/// (<c>0.14 per chatpoint</c>); an event set remembers its event.
/// </summary>
internal sealed record TlType(TypeKind Kind, string? Unit = null, bool Optional = false, string? Event = null, bool Integer = false)
{
    public static readonly TlType Number = new(TypeKind.Number);
    public static readonly TlType Int = new(TypeKind.Number, Integer: true);
    public static readonly TlType Money = new(TypeKind.Money);
    public static readonly TlType Text = new(TypeKind.Text);
    public static readonly TlType Bool = new(TypeKind.Bool);
    public static readonly TlType Date = new(TypeKind.Date);
    public static readonly TlType Time = new(TypeKind.Time);
    public static readonly TlType Duration = new(TypeKind.Duration);
    public static readonly TlType Tags = new(TypeKind.Tags);
    public static readonly TlType Error = new(TypeKind.Error);

    public static TlType Quantity(string? unit) => new(TypeKind.Number, unit);

    public static TlType MoneyPer(string? unit) => new(TypeKind.Money, unit);

    public static TlType EventSetOf(string eventName) => new(TypeKind.EventSet, Event: eventName);

    public bool IsError => Kind == TypeKind.Error;

    public bool IsNumeric => Kind is TypeKind.Number or TypeKind.Money;

    public TlType AsRequired() => Optional ? this with { Optional = false } : this;

    public TlType AsOptional() => Optional ? this : this with { Optional = true };

    public override string ToString()
    {
        var core = Kind switch
        {
            TypeKind.Number => Unit is null ? (Integer ? "int" : "number") : $"number of {Unit}",
            TypeKind.Money => Unit is null ? "money" : $"money per {Unit}",
            TypeKind.EventSet => $"set of '{Event}' events",
            TypeKind.Error => "?",
            _ => Kind.ToString().ToLowerInvariant(),
        };
        return Optional ? core + "?" : core;
    }
}
