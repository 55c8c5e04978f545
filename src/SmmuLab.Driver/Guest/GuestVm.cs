using SmmuLab.Driver.Cmdqv;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Masters;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Platform;
using SmmuLab.Driver.Probe;

namespace SmmuLab.Driver.Guest;

/// <summary>
/// A VM with a vSMMU, as its VMM sets it up on the host's iommufd: the VM's stage 2 is a nesting
/// parent (finalised on the SMMU, so its VMID is fixed); the VM's RAM (<see cref="Memory"/>) is
/// machine memory the VMM maps into that stage 2 at a fixed IPA window; the vSMMU
/// (<see cref="VSmmu"/>) carries the VMID and the virtual StreamIDs; the guest's commands go to the
/// emulated CMDQ (<see cref="TrappedGuestCmdq"/>) or, with a CMDQV, to a VCMDQ of a VINTF the VM owns
/// (the ring in guest memory, its base given to the host as the PA behind its IPA).
/// </summary>
/// <remarks>
/// Virtual StreamIDs are numbered from 1 in the order the VM's devices' StreamIDs are first
/// attached. A device attached to a guest domain gets the nested STE (guest stage 1 over the
/// parent); the guest's domain learns its virtual StreamIDs and whether the host enabled ATS.
/// </remarks>
public sealed class GuestVm : IDisposable
{
    /// <summary>Where the VM's RAM starts in its IPA space (3.75 GiB, below 4 GiB so that a 32-bit IPA space holds it).</summary>
    public const ulong DefaultRamIpa = 0xF000_0000;

    /// <summary>The VM's RAM: one 2 MiB stage-2 block.</summary>
    public const ulong DefaultRamSize = 0x20_0000;

    private readonly Lock gate = new();
    private readonly IDmaAllocator machineAllocator;
    private readonly Dictionary<uint, uint> virtualSids = [];
    private readonly Dictionary<Master, GuestVmDomain> attached = [];
    private uint nextVirtualSid = 1;
    private bool disposed;

    public GuestVm(string name, SmmuDriver smmu, PagingDomain parent, CmdqvDriver? cmdqv = null,
        ulong ramIpa = DefaultRamIpa, ulong ramSize = DefaultRamSize)
    {
        Name = name;
        Smmu = smmu;
        Parent = parent;
        parent.FinaliseFor(smmu);
        VSmmu = new VSmmu(name, smmu, parent);
        machineAllocator = smmu.Platform.Allocator;
        var pa = machineAllocator.Allocate(ramSize, Math.Min(ramSize, DefaultRamSize));
        try
        {
            parent.Map(ramIpa, pa, ramSize, IommuProt.Read | IommuProt.Write | IommuProt.Cache);
        }
        catch
        {
            machineAllocator.Free(pa, ramSize);
            throw;
        }

        Memory = new GuestMemory(smmu.Platform.Memory, ramIpa, pa, ramSize);
        Cmdq = new TrappedGuestCmdq(VSmmu);
        Queue = Cmdq;
        if (cmdqv is not null)
        {
            Vintf = cmdqv.AllocateUserVintf(parent.Tag);
            Vcmdq = new GuestVcmdq(Vintf.Page0, Memory, Memory, lidx: 0);
            var ringPa = parent.IovaToPhys(Vcmdq.BaseAddress)
                ?? throw new InvalidOperationException($"VM {name}: its VCMDQ ring at IPA 0x{Vcmdq.BaseAddress:x} is not mapped at stage 2");
            Vintf.AllocateQueue(0, ringPa, Vcmdq.Log2Entries);
            Vcmdq.Enable();
            Queue = new GuestVcmdqRoute(Vcmdq, Cmdq);
        }
    }

    public string Name { get; }

    public SmmuDriver Smmu { get; }

    /// <summary>The VM's stage 2.</summary>
    public PagingDomain Parent { get; }

    public VSmmu VSmmu { get; }

    /// <summary>The VM's RAM, where its tables, CDs and VCMDQ ring live.</summary>
    public GuestMemory Memory { get; }

    /// <summary>The vSMMU's emulated command queue.</summary>
    public TrappedGuestCmdq Cmdq { get; }

    /// <summary>The VM's VINTF (with a CMDQV), else null.</summary>
    public CmdqvUserVintf? Vintf { get; }

    /// <summary>The guest's VCMDQ (with a CMDQV), else null.</summary>
    public GuestVcmdq? Vcmdq { get; }

    /// <summary>Where the guest's domains send their commands: the VCMDQ route with a CMDQV, else the emulated CMDQ.</summary>
    public IGuestCommandQueue Queue { get; }

    /// <summary>A guest stage-1 domain with <paramref name="asid"/> and the nested domain made of its STE.</summary>
    public GuestVmDomain CreateDomain(string name, ushort asid)
    {
        var guest = new GuestStage1Domain(name, Memory, asid, Parent.PageTable.Config.InputBits, Smmu.EntryFeatures,
            Smmu.Features.RangeInvalidation, Queue);
        return new GuestVmDomain(guest, new NestedDomain(name, VSmmu, guest.GuestSte));
    }

    /// <summary>The virtual StreamID of <paramref name="physicalSid"/>, allocated (and registered) on first use.</summary>
    public uint VirtualSid(Master master, uint physicalSid)
    {
        lock (gate)
        {
            if (virtualSids.TryGetValue(physicalSid, out var v))
            {
                return v;
            }

            v = nextVirtualSid;
            VSmmu.AddDevice(v, master, physicalSid);
            Vintf?.AddStream(v, physicalSid);
            nextVirtualSid++;
            virtualSids.Add(physicalSid, v);
            return v;
        }
    }

    /// <summary>The guest attaches <paramref name="master"/> to <paramref name="domain"/>: the host installs the nested STE.</summary>
    public void Attach(Master master, GuestVmDomain domain)
    {
        lock (gate)
        {
            var sids = master.StreamIds.Select(s => VirtualSid(master, s)).ToList();
            master.Attach(domain.Nested);
            Forget(master);
            foreach (var v in sids)
            {
                domain.Guest.AddStream(v, master.AtsEnabled);
            }

            attached[master] = domain;
        }
    }

    /// <summary>The master left its guest domain (the host attached it elsewhere): the guest forgets it.</summary>
    public void Forget(Master master)
    {
        lock (gate)
        {
            if (attached.Remove(master, out var old))
            {
                foreach (var s in master.StreamIds)
                {
                    old.Guest.RemoveStream(virtualSids[s]);
                }
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            Vintf?.Dispose();
            Vcmdq?.Dispose();
        }
    }
}
