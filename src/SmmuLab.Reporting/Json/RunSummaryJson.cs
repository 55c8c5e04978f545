using System.Text.Json;
using SmmuLab.Encoding;
using SmmuLab.Machines;

namespace SmmuLab.Reporting.Json;

/// <summary>One SMMU's counters at the end of a run (<see cref="RunSummary"/>) as a JSON object.</summary>
public static class RunSummaryJson
{
    public static void Write(Utf8JsonWriter w, RunSummary s)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(s);
        w.WriteStartObject();
        w.WriteString("name", s.Smmu);
        w.WriteNumber("translations", s.Translations);
        w.WriteStartObject("translation_outcomes"); // each transaction once: these add up to "translations"
        w.WriteNumber("from_tlb", s.Outcomes.FromTlb);
        w.WriteNumber("after_walk", s.Outcomes.AfterWalk);
        w.WriteNumber("bypassed", s.Outcomes.Bypassed);
        w.WriteNumber("raz_wi", s.Outcomes.RazWi);
        w.WriteNumber("aborted", s.Outcomes.Aborted);
        w.WriteEndObject();
        w.WriteNumber("ats_translation_requests", s.AtsRequests);
        w.WriteNumber("tlb_hits", s.TlbHits);
        w.WriteNumber("tlb_misses", s.TlbMisses);
        w.WriteNumber("walk_steps", s.WalkSteps);
        w.WriteNumber("faults", s.Faults);
        w.WriteNumber("commands", s.CommandCount);
        w.WriteNumber("cmd_syncs", s.SyncCount);
        w.WriteStartArray("commands_by_opcode");
        foreach (var (op, n) in s.Commands)
        {
            w.WriteStartObject();
            w.WriteString("opcode", OpcodeNames.SpecNameOrNumber(op));
            w.WriteNumber("count", n);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("reserved_bit_commands", s.ReservedBitCommands);
        w.WriteNumber("events", s.Events.Sum(e => e.Count));
        w.WriteStartArray("events_by_type");
        foreach (var (id, n) in s.Events)
        {
            w.WriteStartObject();
            w.WriteString("type", id.ToString());
            w.WriteNumber("count", n);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("modeled_time_ns", s.ModeledNanoseconds);
        w.Strings("log", s.Log);
        w.WriteEndObject();
    }
}
