using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Masters;
using SmmuLab.Driver.Probe;

namespace SmmuLab.Driver.Domains;

/// <summary>
/// A virtual SMMU instance (iommufd <c>vIOMMU</c>) for one VM on one SMMU: it owns the nesting
/// parent (the VM's stage 2) and thereby the VMID its guests' stage-1 entries are tagged with, and
/// the VM's virtual devices (iommufd <c>vDEVICE</c>: the virtual StreamID the guest uses for a
/// physical one). <see cref="Invalidate"/> is the VM's invalidation ioctl: the guest's commands,
/// forwarded by the VMM, checked and rewritten for the host, then issued on the host's CMDQ.
/// </summary>
public sealed class VSmmu(string name, SmmuDriver smmu, PagingDomain parent)
{
    private readonly Lock gate = new();
    private readonly Dictionary<uint, uint> physicalSids = [];
    private long commandsForwarded;
    private long invalidations;

    public string Name { get; } = name;

    public SmmuDriver Smmu { get; } = smmu;

    public PagingDomain Parent { get; } = parent.Kind == DomainKind.NestParent
        ? parent
        : throw new ArgumentException($"domain {parent.Name} is not a nesting parent", nameof(parent));

    /// <summary>The VMID the host substitutes in the guest's TLBIs: the parent's.</summary>
    public ushort Vmid => Parent.Tag;

    /// <summary>Guest commands issued on the host so far.</summary>
    public long CommandsForwarded => Interlocked.Read(ref commandsForwarded);

    /// <summary>Calls of <see cref="Invalidate"/> that issued commands.</summary>
    public long Invalidations => Interlocked.Read(ref invalidations);

    /// <summary>
    /// Registers a virtual device (iommufd <c>IOMMU_VDEVICE_ALLOC</c>): the guest names StreamID
    /// <paramref name="physicalSid"/> of <paramref name="master"/> as <paramref name="virtualSid"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The master is not behind this vSMMU's SMMU or lacks the StreamID.</exception>
    /// <exception cref="InvalidOperationException">The virtual StreamID is taken (EEXIST).</exception>
    public void AddDevice(uint virtualSid, Master master, uint physicalSid)
    {
        if (master.Smmu != Smmu || !master.StreamIds.Contains(physicalSid))
        {
            throw new ArgumentException($"{master.Name} has no StreamID 0x{physicalSid:x} on {Smmu.Name}", nameof(physicalSid));
        }

        lock (gate)
        {
            if (!physicalSids.TryAdd(virtualSid, physicalSid))
            {
                throw new InvalidOperationException($"vSMMU {Name}: virtual StreamID 0x{virtualSid:x} is already in use");
            }
        }
    }

    /// <summary>Forgets a virtual device.</summary>
    public void RemoveDevice(uint virtualSid)
    {
        lock (gate)
        {
            physicalSids.Remove(virtualSid);
        }
    }

    /// <summary>The physical StreamID the guest's <paramref name="virtualSid"/> stands for.</summary>
    public bool TryGetPhysicalSid(uint virtualSid, out uint physicalSid)
    {
        lock (gate)
        {
            return physicalSids.TryGetValue(virtualSid, out physicalSid);
        }
    }

    /// <summary>
    /// The guest's invalidation commands, as its VMM forwards them (iommufd's cache invalidation on
    /// a vIOMMU): TLBI_NH_VA, TLBI_NH_VAA and TLBI_NH_ASID get this vSMMU's VMID, TLBI_NH_ALL becomes
    /// that of the VMID only, ATC_INV, CFGI_CD and CFGI_CD_ALL get the physical StreamID of their
    /// virtual one; all are issued on the host's CMDQ followed by one CMD_SYNC, which has completed
    /// when this returns (the guest's CMD_SYNC is then completed by the VMM). Every command is
    /// checked before any is issued.
    /// </summary>
    /// <exception cref="ArgumentException">An opcode a guest may not send, or an unknown virtual StreamID (EIO); nothing was issued.</exception>
    [SkipLocalsInit]
    public void Invalidate(ReadOnlySpan<Command> guestCommands)
    {
        if (guestCommands.IsEmpty)
        {
            return;
        }

        var host = new Command[guestCommands.Length];
        for (var i = 0; i < guestCommands.Length; i++)
        {
            host[i] = ToHost(guestCommands[i]);
        }

        // A batch: up to 64 commands a run, one CMD_SYNC at the end.
        var batch = new Cmdq.CommandBatch(stackalloc Command[Cmdq.CommandBatch.Capacity], Smmu.Cmdq);
        foreach (var command in host)
        {
            batch.Add(command);
        }

        batch.Submit();
        Interlocked.Add(ref commandsForwarded, host.Length);
        Interlocked.Increment(ref invalidations);
    }

    private Command ToHost(in Command guest)
    {
        switch (guest.Opcode)
        {
            case Opcode.CMD_TLBI_NH_VA or Opcode.CMD_TLBI_NH_VAA or Opcode.CMD_TLBI_NH_ASID:
                return new Command(CommandLayouts.Vmid.Insert(guest.Dw0, Vmid), guest.Dw1);
            case Opcode.CMD_TLBI_NH_ALL:
                return Command.TlbiNhAll(Vmid);
            case Opcode.CMD_ATC_INV or Opcode.CMD_CFGI_CD or Opcode.CMD_CFGI_CD_ALL:
                var virtualSid = (uint)CommandLayouts.Sid.Get(guest.Dw0);
                if (!TryGetPhysicalSid(virtualSid, out var physicalSid))
                {
                    throw new ArgumentException($"vSMMU {Name}: the guest named virtual StreamID 0x{virtualSid:x}, which has no device");
                }

                return new Command(CommandLayouts.Sid.Insert(guest.Dw0, physicalSid), guest.Dw1);
            default:
                throw new ArgumentException($"vSMMU {Name}: a guest may not send {guest.Opcode} through the invalidation call");
        }
    }
}
