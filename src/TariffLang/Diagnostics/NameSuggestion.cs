namespace TariffLang.Diagnostics;

/// <summary>
/// The "did you mean" of an unknown name: the declared name closest to it, when it is close enough to be a slip of the
/// keyboard (a missing, extra, wrong or swapped letter, or another case) rather than a different word.
/// </summary>
internal static class NameSuggestion
{
    /// <summary>The closest candidate, or null when none is close; ties go to the candidate listed first.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        if (name.Length == 0 || name.Length > 64) return null;
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            if (candidate == name || candidate.Length == 0 || Math.Abs(candidate.Length - name.Length) > Allowed(name.Length)) continue;
            var distance = string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(name, candidate);
            if (distance <= Allowed(Math.Max(name.Length, candidate.Length)) && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    // Short names tolerate one slip; a longer name more, so that 'appointmnts' finds 'appointments' but 'sms' never finds 'fee'.
    private static int Allowed(int length) => length <= 4 ? 1 : length <= 8 ? 2 : 3;

    /// <summary>Edit distance where swapping two neighbouring letters counts as one edit (optimal string alignment).</summary>
    internal static int Distance(string a, string b)
    {
        var rows = new int[3][];
        for (var i = 0; i < 3; i++) rows[i] = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) rows[0][j] = j;
        int[] before = rows[2], previous = rows[0], current = rows[1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                var d = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d = Math.Min(d, before[j - 2] + 1);
                current[j] = d;
            }
            (before, previous, current) = (previous, current, before);
        }
        return previous[b.Length];
    }
}
