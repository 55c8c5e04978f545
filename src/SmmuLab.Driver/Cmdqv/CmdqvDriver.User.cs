using SmmuLab.Architecture.Cmdqv;

namespace SmmuLab.Driver.Cmdqv;

/// <summary>The VM path (the kernel's iommufd vIOMMU support): a VINTF per VM, owned by the guest.</summary>
public sealed partial class CmdqvDriver
{
    private readonly CmdqvUserVintf?[] userVintfs;
    private readonly Lock userGate = new();

    /// <summary>
    /// Allocates a VINTF for a VM (the kernel's <c>tegra241_cmdqv_init_vintf_user</c>): the lowest
    /// free VINTF above 0, initialised with HYP_OWN = 0 and the VM's <paramref name="vmid"/>, with
    /// no logical VCMDQ (the VMM allocates them on the guest's behalf). Its page 0 is what the VMM
    /// maps into the guest.
    /// </summary>
    /// <exception cref="InvalidOperationException">Every VINTF is in use.</exception>
    public CmdqvUserVintf AllocateUserVintf(ushort vmid)
    {
        CmdqvVintf vintf;
        lock (userGate)
        {
            var v = Array.FindIndex(userVintfs, 1, u => u is null);
            if (v < 0)
            {
                throw new InvalidOperationException($"{Name}: all {NumVintfs - 1} user VINTFs are in use");
            }

            vintf = new CmdqvVintf(v, vmid, LogicalQueuesPerVintf);
            VintfHardwareInit(vintf, hypOwn: false);
            var user = new CmdqvUserVintf(this, vintf, new MmioWindow(mmio, CmdqvRegister.VintfPage0(v), CmdqvRegister.PageSize));
            userVintfs[v] = user;
            return user;
        }
    }

    /// <summary>Tears a VM's VINTF down once its queues are gone, and frees its index.</summary>
    internal void ReleaseUserVintf(CmdqvUserVintf user)
    {
        lock (userGate)
        {
            VintfHardwareDeinit(user.Vintf);
            userVintfs[user.Index] = null;
        }
    }

    /// <summary>Writes SID_REPLACE then SID_MATCH (enabled) of a VINTF's slot; a zero value clears it.</summary>
    internal void WriteSidPair(int vintf, int slot, uint virtualSid, uint physicalSid, bool enable)
    {
        mmio.Write32(CmdqvRegister.VintfSidReplace(vintf, slot), enable ? (uint)VintfSidReplace.PHYS_SID.Make(physicalSid) : 0);
        mmio.Write32(CmdqvRegister.VintfSidMatch(vintf, slot), enable ? (uint)(VintfSidMatch.VIRT_SID.Make(virtualSid) | VintfSidMatch.ENABLE.Make(1)) : 0);
    }

    /// <summary>
    /// A VM's logical VCMDQ (the kernel's <c>tegra241_vintf_alloc_lvcmdq_user</c> hardware part):
    /// map it, reset it, and write only BASE. The guest enables it through its page 0.
    /// </summary>
    internal void InitUserQueue(CmdqvVintf vintf, int lidx, ulong baseAddress, int log2Entries)
    {
        MapLogicalQueue(vintf.Index, lidx, allocated: true);
        VcmdqHardwareDeinit(vintf.Index, lidx);
        mmio.Write64(CmdqvRegister.LvcmdqPage1Register(vintf.Index, lidx, CmdqvRegister.VCMDQ_BASE),
            VcmdqBase.ADDR.InsertAddress(0, baseAddress) | VcmdqBase.LOG2SIZE.Make((ulong)log2Entries));
    }

    internal void DestroyUserQueue(CmdqvVintf vintf, int lidx)
    {
        VcmdqHardwareDeinit(vintf.Index, lidx);
        MapLogicalQueue(vintf.Index, lidx, allocated: false);
    }
}
