using TariffLang.Syntax;

namespace TariffLang.Runtime;

/// <summary>One band a quantity reached: its bounds, the units inside it, its unit price and flat fee, and what it costs.</summary>
internal readonly record struct TierBandUse(decimal From, decimal? To, decimal Units, decimal Price, decimal Flat, decimal Amount);

/// <summary>
/// A tiers table with its figures for one account: band i holds the quantities above bound i−1 (0 for the first) up to and
/// including bound i; the last band has no upper bound. Graduated: each band prices the units inside it, and a band's flat
/// fee applies once when any unit falls in it. Volume: the band the whole quantity falls in prices every unit, plus its
/// flat fee. A quantity of 0 reaches no band and costs 0.
/// </summary>
internal sealed class TierTable
{
    private readonly TierScheme _scheme;
    private readonly decimal[] _bounds;
    private readonly decimal[] _prices;
    private readonly decimal[] _flats;

    /// <param name="bounds">The upper bounds of every band but the last.</param>
    public TierTable(string account, string name, TierScheme scheme, decimal[] bounds, decimal[] prices, decimal[] flats)
    {
        for (var i = 0; i < bounds.Length; i++)
        {
            // Bounds read from a contract are checked here; those written as numbers were checked with the tariff.
            if (bounds[i] <= 0m || (i > 0 && bounds[i] <= bounds[i - 1]))
                throw new RatingException(
                    $"account '{account}': tiers '{name}': the bounds must be greater than 0 and increasing, not "
                    + $"{string.Join(", ", bounds)}",
                    accountWide: true);
        }
        (_scheme, _bounds, _prices, _flats) = (scheme, bounds, prices, flats);
    }

    public int Bands => _prices.Length;

    public decimal Amount(decimal quantity)
    {
        var total = 0m;
        for (var band = 0; band < Bands; band++)
        {
            if (Use(band, quantity) is { } use) total += use.Amount;
        }
        return total;
    }

    /// <summary>What band <paramref name="band"/> contributes for a quantity, or null when the quantity does not use it.</summary>
    public TierBandUse? Use(int band, decimal quantity)
    {
        if (quantity < 0m) throw new RatingException($"a quantity priced by tiers cannot be negative, not {quantity}");
        var from = band == 0 ? 0m : _bounds[band - 1];
        decimal? to = band < _bounds.Length ? _bounds[band] : null;
        if (quantity <= from) return null;
        if (_scheme == TierScheme.Volume)
        {
            if (to is { } upper && quantity > upper) return null;
            return new TierBandUse(from, to, quantity, _prices[band], _flats[band], quantity * _prices[band] + _flats[band]);
        }
        var units = to is { } top && quantity > top ? top - from : quantity - from;
        return new TierBandUse(from, to, units, _prices[band], _flats[band], units * _prices[band] + _flats[band]);
    }
}
