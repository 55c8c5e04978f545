using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdqv;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Hardware.Cmdqv;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd.Cmdqv;

/// <summary>A machine with one SMMU and a CMDQV beside it (4 VINTFs, 16 VCMDQs: 4 logical queues per VINTF).</summary>
internal static class CmdqvMachine
{
    public static DriverMachine Build(out CmdqvNode cmdqv, bool buggyInitOrder = false, bool hypOwnWiredToZero = false, bool bypass = false)
    {
        var m = new DriverMachine(new LegacyInvalidation());
        try
        {
            m.AddSmmu("smmu0");
            cmdqv = m.AttachCmdqv("smmu0", new Tegra241CmdqvOptions { HypOwnWiredToZero = hypOwnWiredToZero },
                new CmdqvDriverOptions { BuggyInitOrder = buggyInitOrder, BypassVcmdq = bypass });
            return m;
        }
        catch
        {
            m.Dispose();
            throw;
        }
    }

    /// <summary>Commands of <paramref name="op"/> consumed by all VCMDQs together.</summary>
    public static long OnVcmdqs(this CmdqvNode cmdqv, Opcode op)
    {
        long n = 0;
        for (var q = 0; q < cmdqv.Device.Options.Vcmdqs; q++)
        {
            n += cmdqv.Device.QueueStatistics(q).Commands(op);
        }

        return n;
    }

    /// <summary>Commands other than CMD_SYNC consumed by all VCMDQs together.</summary>
    public static long NonSyncOnVcmdqs(this CmdqvNode cmdqv)
    {
        long n = 0;
        for (var q = 0; q < cmdqv.Device.Options.Vcmdqs; q++)
        {
            n += cmdqv.Device.QueueStatistics(q).NonSyncCommands;
        }

        return n;
    }
}
