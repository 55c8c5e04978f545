using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Replay.Engine;

/// <summary>
/// What SMMUs did for some work, from their counters: commands consumed, CMD_SYNCs, TLB
/// invalidations (every <c>CMD_TLBI_*</c>), ATC invalidations, configuration invalidations
/// (<c>CMD_CFGI_*</c>) and modeled hardware time.
/// </summary>
public readonly record struct SmmuCost(long Commands, long Syncs, long Tlbis, long AtcInvs, long Cfgis, double ModeledNanoseconds)
{
    private static readonly Opcode[] Opcodes = Enum.GetValues<Opcode>();

    public static SmmuCost operator +(SmmuCost a, SmmuCost b) => new(
        a.Commands + b.Commands, a.Syncs + b.Syncs, a.Tlbis + b.Tlbis, a.AtcInvs + b.AtcInvs, a.Cfgis + b.Cfgis,
        a.ModeledNanoseconds + b.ModeledNanoseconds);

    public static SmmuCost operator -(SmmuCost a, SmmuCost b) => new(
        a.Commands - b.Commands, a.Syncs - b.Syncs, a.Tlbis - b.Tlbis, a.AtcInvs - b.AtcInvs, a.Cfgis - b.Cfgis,
        a.ModeledNanoseconds - b.ModeledNanoseconds);

    /// <summary>The counters of <paramref name="smmu"/> now (everything since it was built).</summary>
    public static SmmuCost Read(SmmuDevice smmu)
    {
        ArgumentNullException.ThrowIfNull(smmu);
        var s = smmu.Statistics;
        long commands = 0, tlbis = 0, cfgis = 0;
        foreach (var op in Opcodes)
        {
            var n = s.Commands(op);
            commands += n;
            if (IsTlbi(op))
            {
                tlbis += n;
            }
            else if (op is >= Opcode.CMD_CFGI_STE and <= Opcode.CMD_CFGI_CD_ALL)
            {
                cfgis += n;
            }
        }

        return new SmmuCost(commands, s.Commands(Opcode.CMD_SYNC), tlbis, s.Commands(Opcode.CMD_ATC_INV), cfgis, smmu.Clock.Nanoseconds);
    }

    private static bool IsTlbi(Opcode op) => op is >= Opcode.CMD_TLBI_NH_ALL and <= Opcode.CMD_TLBI_NSNH_ALL;
}
