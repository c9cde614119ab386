using System.Text.Json.Nodes;

namespace TariffLang.Tests.Evaluation;

/// <summary>Deep comparison of two JSON documents, reporting every difference with its path.</summary>
internal static class JsonAssert
{
    /// <param name="containsKeys">Keys whose expected string only needs to be contained in the actual one (free-text reasons).</param>
    public static void Equivalent(string expectedJson, string actualJson, params string[] containsKeys)
    {
        var differences = new List<string>();
        Compare(JsonNode.Parse(expectedJson), JsonNode.Parse(actualJson), "$", null, containsKeys, differences);
        if (differences.Count > 0)
            throw new Xunit.Sdk.XunitException("JSON differs:\n  " + string.Join("\n  ", differences) + "\n--- actual ---\n" + actualJson);
    }

    private static void Compare(JsonNode? expected, JsonNode? actual, string path, string? key, string[] containsKeys, List<string> diffs)
    {
        switch (expected)
        {
            case null:
                if (actual is not null) diffs.Add($"{path}: expected null, got {actual.ToJsonString()}");
                return;
            case JsonObject eo:
                if (actual is not JsonObject ao)
                {
                    diffs.Add($"{path}: expected an object, got {actual?.ToJsonString() ?? "null"}");
                    return;
                }
                foreach (var (k, v) in eo)
                {
                    if (!ao.ContainsKey(k)) { diffs.Add($"{path}.{k}: missing"); continue; }
                    Compare(v, ao[k], $"{path}.{k}", k, containsKeys, diffs);
                }
                foreach (var (k, _) in ao)
                {
                    if (!eo.ContainsKey(k)) diffs.Add($"{path}.{k}: unexpected member");
                }
                return;
            case JsonArray ea:
                if (actual is not JsonArray aa) { diffs.Add($"{path}: expected an array, got {actual?.ToJsonString() ?? "null"}"); return; }
                if (ea.Count != aa.Count) diffs.Add($"{path}: expected {ea.Count} item(s), got {aa.Count}");
                for (var i = 0; i < Math.Min(ea.Count, aa.Count); i++) Compare(ea[i], aa[i], $"{path}[{i}]", key, containsKeys, diffs);
                return;
            case JsonValue ev:
                if (actual is not JsonValue av)
                {
                    diffs.Add($"{path}: expected {ev.ToJsonString()}, got {actual?.ToJsonString() ?? "null"}");
                    return;
                }
                if (key is not null && containsKeys.Contains(key) && ev.TryGetValue<string>(out var part)
                    && av.TryGetValue<string>(out var whole))
                {
                    if (!whole.Contains(part, StringComparison.Ordinal))
                        diffs.Add($"{path}: expected to contain \"{part}\", got \"{whole}\"");
                    return;
                }
                // Same JSON kind and same text: "0.10" is not "0.1", and a string is not a number.
                if (ev.GetValueKind() != av.GetValueKind() || ev.ToJsonString() != av.ToJsonString())
                    diffs.Add($"{path}: expected {ev.ToJsonString()}, got {av.ToJsonString()}");
                return;
        }
    }
}
