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
        // Every queue: the SMMU's CMDQ and the VCMDQs of a CMDQV beside it; cmdq_commands + vcmdq_commands = commands.
        w.WriteNumber("commands", s.CommandCount);
        w.WriteNumber("cmd_syncs", s.SyncCount);
        WriteOpcodes(w, s.AllCommands);
        w.WriteNumber("reserved_bit_commands", s.AllReservedBitCommands);
        w.WriteNumber("cmdq_commands", s.CmdqCommandCount);
        if (s.HasVcmdqs)
        {
            w.WriteStartArray("vcmdq_commands");
            foreach (var q in s.Vcmdqs)
            {
                w.WriteNumberValue(q.CommandCount);
            }

            w.WriteEndArray();
        }
        else
        {
            w.WriteNull("vcmdq_commands");
        }

        w.WriteStartArray("queues");
        foreach (var q in s.Vcmdqs.Where(q => q.CommandCount != 0).Prepend(s.Cmdq))
        {
            w.WriteStartObject();
            w.WriteString("queue", q.Queue);
            w.WriteNumber("commands", q.CommandCount);
            w.WriteNumber("cmd_syncs", q.SyncCount);
            WriteOpcodes(w, q.Commands);
            w.WriteNumber("reserved_bit_commands", q.ReservedBitCommands);
            w.WriteEndObject();
        }

        w.WriteEndArray();
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

    private static void WriteOpcodes(Utf8JsonWriter w, IEnumerable<(Architecture.Commands.Opcode Opcode, long Count)> commands)
    {
        w.WriteStartArray("commands_by_opcode");
        foreach (var (op, n) in commands)
        {
            w.WriteStartObject();
            w.WriteString("opcode", OpcodeNames.SpecNameOrNumber(op));
            w.WriteNumber("count", n);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
