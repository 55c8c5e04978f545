namespace SmmuLab.Driver.Cmdqv;

/// <summary>The driver's view of one VINTF: its index, VMID, the HYP_OWN read back from hardware, and its logical VCMDQs.</summary>
public sealed class CmdqvVintf
{
    internal CmdqvVintf(int index, ushort vmid, int logicalQueues)
    {
        Index = index;
        Vmid = vmid;
        Queues = new LogicalVcmdq?[logicalQueues];
    }

    public int Index { get; }

    public ushort Vmid { get; }

    /// <summary>
    /// HYP_OWN as read back after enabling: false until the VINTF's hardware init has run, and false
    /// for good in a guest, where the bit is wired to 0.
    /// </summary>
    public bool HypOwn { get; internal set; }

    public bool Enabled { get; internal set; }

    /// <summary>Logical VCMDQs by lidx; null where none is allocated.</summary>
    public LogicalVcmdq?[] Queues { get; }
}
