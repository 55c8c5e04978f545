using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Cmdqv;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Cmdqv;

/// <summary>
/// The CMDQV part of the test kit: a <see cref="Tegra241Cmdqv"/> beside the SMMU of a
/// <see cref="SmmuTestBed"/> (not brought up: SMMUEN and CMDQEN only, no stream table), programmed
/// through registers and memory. Each logical VCMDQ gets a 256-entry <see cref="CommandRing"/> at
/// <see cref="Rings"/> + 0x1000 * global index.
/// </summary>
internal sealed class CmdqvTestBed : IDisposable
{
    public const ulong Rings = SmmuTestBed.VcmdqRings;
    public const int Log2Entries = 8;

    private readonly Dictionary<int, CommandRing> rings = [];

    public CmdqvTestBed(Tegra241CmdqvOptions? options = null, SmmuDeviceOptions? smmuOptions = null)
    {
        Bed = new SmmuTestBed(bringUp: false, options: defaults => smmuOptions ?? new SmmuDeviceOptions());
        Smmu.Write32(SmmuRegister.CR0, (uint)(Cr0.SMMUEN.Make(1) | Cr0.CMDQEN.Make(1)));
        Cmdqv = new Tegra241Cmdqv(options ?? new Tegra241CmdqvOptions(), Smmu, Memory);
        Cmdqv.InterruptHandler = () => Interrupts++;
        Cmdqv.Write32(CmdqvRegister.CONFIG, (uint)CmdqvConfig.CMDQV_EN.Make(1));
    }

    /// <summary>The SMMU's bed: memory, device, CMDQ and event queue software.</summary>
    public SmmuTestBed Bed { get; }

    public SparsePhysicalMemory Memory => Bed.Memory;

    public SmmuDevice Smmu => Bed.Device;

    public Tegra241Cmdqv Cmdqv { get; }

    public int Interrupts { get; set; }

    public static TranslationContext Context(ushort vmid, ushort asid) => TranslationContext.Stage1Nh(vmid, asid);

    /// <summary>Enables VINTF <paramref name="vintf"/> with a VMID and ownership.</summary>
    public void EnableVintf(int vintf, ushort vmid, bool hypOwn)
    {
        var config = VintfConfig.VMID.Make(vmid) | VintfConfig.HYP_OWN.Make(hypOwn ? 1UL : 0);
        Cmdqv.Write32(CmdqvRegister.VintfConfig(vintf), (uint)config);
        Cmdqv.Write32(CmdqvRegister.VintfConfig(vintf), (uint)(config | VintfConfig.EN.Make(1)));
    }

    /// <summary>Maps global VCMDQ <paramref name="vcmdq"/> as (VINTF, lidx), programs its ring and enables it.</summary>
    public void MapQueue(int vcmdq, int vintf, int lidx)
    {
        Cmdqv.Write32(CmdqvRegister.CmdqAlloc(vcmdq), (uint)(CmdqAlloc.VINTF.Make((ulong)vintf) | CmdqAlloc.LVCMDQ.Make((ulong)lidx) | CmdqAlloc.ALLOCATED.Make(1)));
        Cmdqv.Write64(CmdqvRegister.LvcmdqPage1Register(vintf, lidx, CmdqvRegister.VCMDQ_BASE), RingOf(vcmdq) | Log2Entries);
        Cmdqv.Write32(CmdqvRegister.LvcmdqPage0Register(vintf, lidx, CmdqvRegister.VCMDQ_CONFIG), 1);
    }

    public void MapSid(int vintf, int slot, uint virtualSid, uint physicalSid)
    {
        Cmdqv.Write32(CmdqvRegister.VintfSidReplace(vintf, slot), physicalSid);
        Cmdqv.Write32(CmdqvRegister.VintfSidMatch(vintf, slot), (virtualSid << 1) | 1);
    }

    public static ulong RingOf(int vcmdq) => Rings + ((ulong)vcmdq * 0x1000);

    /// <summary>Writes the commands into the queue of (VINTF, lidx) and publishes them with one PROD write.</summary>
    public void Submit(int vintf, int lidx, params Command[] commands)
    {
        var q = Cmdqv.GlobalIndexOf(vintf, lidx);
        if (!rings.TryGetValue(q, out var ring))
        {
            ring = new CommandRing(Memory, RingOf(q), Log2Entries);
            rings.Add(q, ring);
        }

        ring.PutAll(commands);
        Cmdqv.Write32(CmdqvRegister.LvcmdqPage0Register(vintf, lidx, CmdqvRegister.VCMDQ_PROD), ring.Prod);
    }

    public uint Cons(int vintf, int lidx) => Cmdqv.Read32(CmdqvRegister.LvcmdqPage0Register(vintf, lidx, CmdqvRegister.VCMDQ_CONS));

    public void InsertTlbEntry(ushort vmid, ushort asid, ulong va) =>
        Smmu.Tlb.Insert(Context(vmid, asid), Granule.Size4K, va, WalkResult.Translated(va + 0x1000_0000, 12, 3, Permissions.All, false));

    public bool TlbHolds(ushort vmid, ushort asid, ulong va) => Smmu.Tlb.TryLookup(Context(vmid, asid), va, out _);

    public Endpoint Connect(string name, uint sid)
    {
        var ep = new Endpoint(name, [sid], Memory, new EndpointOptions { AtsCapable = true });
        Smmu.Connect(ep);
        return ep;
    }

    public void Dispose() => Bed.Dispose();
}
