using SmmuLab.Architecture.Cmdqv;

namespace SmmuLab.Driver.Cmdqv;

/// <summary>
/// Hardware init and deinit of the CMDQV, its VINTFs and their VCMDQs, with the ordering rules:
/// a VINTF's logical VCMDQs are mapped (CMDQ_ALLOC.ALLOCATED) in ascending lidx order, each before
/// its queue is programmed through the VINTF's pages, and unmapped in descending order after the
/// queue is disabled.
/// </summary>
public sealed partial class CmdqvDriver
{
    /// <summary>The kernel's <c>tegra241_cmdqv_hw_reset</c>, run after the SMMU's own reset.</summary>
    private void HardwareReset()
    {
        mmio.Write32(CmdqvRegister.CONFIG, 0);
        PollUntil(CmdqvRegister.STATUS, (uint)CmdqvStatus.CMDQV_ENABLED.InPlaceMask, 0, "CMDQV_STATUS disable");
        mmio.Write32(CmdqvRegister.CONFIG, (uint)CmdqvConfig.CMDQV_EN.Make(1));
        PollUntil(CmdqvRegister.STATUS, (uint)CmdqvStatus.CMDQV_ENABLED.InPlaceMask, 1, "CMDQV_STATUS enable");

        // The static assignment of every global VCMDQ, with ALLOCATED clear: a queue is mapped
        // only by its VINTF's init.
        for (var q = 0; q < NumVcmdqs; q++)
        {
            mmio.Write32(CmdqvRegister.CmdqAlloc(q), AllocValue(q / LogicalQueuesPerVintf, q % LogicalQueuesPerVintf, allocated: false));
        }

        VintfHardwareInit(Vintf0, hypOwn: true);
    }

    /// <summary>
    /// The kernel's <c>tegra241_vintf_hw_init</c>: deinit, write VMID and HYP_OWN, enable, read
    /// HYP_OWN back (it is wired to 0 in a guest) and keep what was read, then map and init each
    /// allocated logical VCMDQ in ascending lidx order.
    /// </summary>
    private void VintfHardwareInit(CmdqvVintf vintf, bool hypOwn)
    {
        VintfHardwareDeinit(vintf);
        var config = (uint)(VintfConfig.VMID.Make(vintf.Vmid) | VintfConfig.HYP_OWN.Make(hypOwn ? 1UL : 0));
        mmio.Write32(CmdqvRegister.VintfConfig(vintf.Index), config);
        mmio.Write32(CmdqvRegister.VintfConfig(vintf.Index), config | (uint)VintfConfig.EN.Make(1));
        PollUntil(CmdqvRegister.VintfStatus(vintf.Index), (uint)VintfStatus.ENABLED.InPlaceMask, 1, $"VINTF{vintf.Index} enable");
        vintf.HypOwn = VintfConfig.HYP_OWN.IsSet(mmio.Read32(CmdqvRegister.VintfConfig(vintf.Index)));
        vintf.Enabled = true;

        for (var lidx = 0; lidx < vintf.Queues.Length; lidx++)
        {
            if (vintf.Queues[lidx] is { } lvcmdq)
            {
                MapLogicalQueue(lvcmdq);
                VcmdqHardwareInit(lvcmdq);
            }
        }
    }

    /// <summary>
    /// The kernel's <c>tegra241_vintf_hw_deinit</c>: deinit and unmap the logical VCMDQs in
    /// descending lidx order, disable the VINTF, and clear its SID pairs.
    /// </summary>
    private void VintfHardwareDeinit(CmdqvVintf vintf)
    {
        for (var lidx = vintf.Queues.Length - 1; lidx >= 0; lidx--)
        {
            if (vintf.Queues[lidx] is { } lvcmdq)
            {
                VcmdqHardwareDeinit(lvcmdq);
                UnmapLogicalQueue(lvcmdq);
            }
        }

        vintf.Enabled = false;
        mmio.Write32(CmdqvRegister.VintfConfig(vintf.Index), 0);
        PollUntil(CmdqvRegister.VintfStatus(vintf.Index), (uint)VintfStatus.ENABLED.InPlaceMask, 0, $"VINTF{vintf.Index} disable");
        for (var s = 0; s < NumSidsPerVintf; s++)
        {
            mmio.Write32(CmdqvRegister.VintfSidMatch(vintf.Index, s), 0);
            mmio.Write32(CmdqvRegister.VintfSidReplace(vintf.Index, s), 0);
        }
    }

    /// <summary>
    /// The kernel's <c>tegra241_vcmdq_hw_init</c>: deinit; choose the supported-command check from
    /// the VINTF's HYP_OWN as read back (the fix of Linux 803e41f36d22: only here is it final);
    /// program BASE and the software PROD/CONS; enable.
    /// </summary>
    private void VcmdqHardwareInit(LogicalVcmdq lvcmdq)
    {
        VcmdqHardwareDeinit(lvcmdq);
        if (!Options.BuggyInitOrder)
        {
            lvcmdq.Filter = lvcmdq.Vintf.HypOwn ? null : CmdqvCommands.GuestSupports;
        }

        ProgramBase(lvcmdq);
        mmio.Write32(Page0(lvcmdq, CmdqvRegister.VCMDQ_PROD), lvcmdq.Queue.SoftwareProd);
        mmio.Write32(Page0(lvcmdq, CmdqvRegister.VCMDQ_CONS), lvcmdq.Queue.SoftwareCons);
        mmio.Write32(Page0(lvcmdq, CmdqvRegister.VCMDQ_CONFIG), (uint)VcmdqControl.EN.Make(1));
        PollUntil(Page0(lvcmdq, CmdqvRegister.VCMDQ_STATUS), (uint)VcmdqControl.EN.InPlaceMask, 1, $"{lvcmdq} enable");
        lvcmdq.Enabled = true;
    }

    /// <summary>
    /// The kernel's <c>tegra241_vcmdq_hw_deinit</c>: disable; issue a CMD_SYNC on the SMMU's CMDQ
    /// so that an ATC invalidation left without its CMD_SYNC times out now rather than in whoever
    /// uses a queue next; zero PROD, CONS, BASE and CONS_INDX_BASE; acknowledge a pending error.
    /// </summary>
    private void VcmdqHardwareDeinit(LogicalVcmdq lvcmdq)
    {
        lvcmdq.Enabled = false;
        VcmdqHardwareDeinit(lvcmdq.Vintf.Index, lvcmdq.Lidx);
    }

    private void VcmdqHardwareDeinit(int vintf, int lidx)
    {
        int Page0(int register) => CmdqvRegister.LvcmdqPage0Register(vintf, lidx, register);
        mmio.Write32(Page0(CmdqvRegister.VCMDQ_CONFIG), 0);
        PollUntil(Page0(CmdqvRegister.VCMDQ_STATUS), (uint)VcmdqControl.EN.InPlaceMask, 0, $"VINTF{vintf} lvcmdq{lidx} disable");
        Smmu.Cmdq.Sync();
        mmio.Write32(Page0(CmdqvRegister.VCMDQ_PROD), 0);
        mmio.Write32(Page0(CmdqvRegister.VCMDQ_CONS), 0);
        mmio.Write64(CmdqvRegister.LvcmdqPage1Register(vintf, lidx, CmdqvRegister.VCMDQ_BASE), 0);
        mmio.Write64(CmdqvRegister.LvcmdqPage1Register(vintf, lidx, CmdqvRegister.VCMDQ_CONS_INDX_BASE), 0);
        var gerror = mmio.Read32(Page0(CmdqvRegister.VCMDQ_GERROR));
        if (gerror != mmio.Read32(Page0(CmdqvRegister.VCMDQ_GERRORN)))
        {
            mmio.Write32(Page0(CmdqvRegister.VCMDQ_GERRORN), gerror);
        }
    }

    private void ProgramBase(LogicalVcmdq lvcmdq) => mmio.Write64(Page1(lvcmdq, CmdqvRegister.VCMDQ_BASE), lvcmdq.BaseRegisterValue);

    private void MapLogicalQueue(LogicalVcmdq lvcmdq) => MapLogicalQueue(lvcmdq.Vintf.Index, lvcmdq.Lidx, allocated: true);

    private void UnmapLogicalQueue(LogicalVcmdq lvcmdq) => MapLogicalQueue(lvcmdq.Vintf.Index, lvcmdq.Lidx, allocated: false);

    /// <summary>Sets or clears CMDQ_ALLOC.ALLOCATED of the global VCMDQ statically assigned to (VINTF, lidx).</summary>
    private void MapLogicalQueue(int vintf, int lidx, bool allocated) =>
        mmio.Write32(CmdqvRegister.CmdqAlloc(GlobalIndex(vintf, lidx)), AllocValue(vintf, lidx, allocated));

    private static uint AllocValue(int vintf, int lidx, bool allocated) =>
        (uint)(CmdqAlloc.VINTF.Make((ulong)vintf) | CmdqAlloc.LVCMDQ.Make((ulong)lidx) | CmdqAlloc.ALLOCATED.Make(allocated ? 1UL : 0));

    private static int Page0(LogicalVcmdq lvcmdq, int register) => CmdqvRegister.LvcmdqPage0Register(lvcmdq.Vintf.Index, lvcmdq.Lidx, register);

    private static int Page1(LogicalVcmdq lvcmdq, int register) => CmdqvRegister.LvcmdqPage1Register(lvcmdq.Vintf.Index, lvcmdq.Lidx, register);
}
