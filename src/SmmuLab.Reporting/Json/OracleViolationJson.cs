using System.Text.Json;
using SmmuLab.Verification;

namespace SmmuLab.Reporting.Json;

/// <summary>One stale-translation violation as a JSON object: the same in <c>run</c>'s oracle and in <c>check</c>.</summary>
internal static class OracleViolationJson
{
    /// <summary>
    /// <c>kind</c>, <c>step</c>, <c>device</c>, <c>smmu</c>, <c>sid</c>, <c>pasid</c>, <c>iova</c>, <c>pa</c>, <c>write</c>,
    /// <c>from_atc</c>, <c>domain</c>, <c>killed_domain</c>, <c>killed_by</c>, <c>commands_since</c> (as the text prints them), <c>commands_dropped</c>.
    /// </summary>
    public static void Write(Utf8JsonWriter w, OracleViolation v)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(v);
        w.WriteStartObject();
        w.WriteString("kind", v.KindName);
        w.WriteNumber("step", v.Step);
        w.WriteString("device", v.Device);
        w.StringOrNull("smmu", v.Smmu);
        w.Hex("sid", v.StreamId);
        if (v.Pasid is { } pasid)
        {
            w.WriteNumber("pasid", pasid);
        }
        else
        {
            w.WriteNull("pasid");
        }

        w.Hex("iova", v.Iova);
        w.Hex("pa", v.PhysicalAddress);
        w.WriteBoolean("write", v.Write);
        w.WriteBoolean("from_atc", v.FromAtc);
        w.WriteString("domain", v.Domain);
        w.StringOrNull("killed_domain", v.KilledDomain);
        w.StringOrNull("killed_by", v.KilledBy?.Format());
        w.WriteStartArray("commands_since");
        foreach (var c in v.Commands)
        {
            w.WriteStringValue(c.Format());
        }

        w.WriteEndArray();
        w.WriteBoolean("commands_dropped", v.CommandsDropped);
        w.WriteEndObject();
    }
}
