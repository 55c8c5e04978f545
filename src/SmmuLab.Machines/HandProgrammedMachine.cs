using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Machines;

/// <summary>
/// One SMMU in a 4 GiB machine, brought up by <see cref="HandProgrammedSmmu"/>, with methods that
/// give a StreamID a stage-1 (one CD) or stage-2 configuration over a fresh 4 KiB-granule table.
/// RAM is [1 GiB, 4 GiB): tables and queues from [1 GiB, 2 GiB), buffers from 2 GiB up.
/// </summary>
internal sealed class HandProgrammedMachine : IDisposable
{
    public HandProgrammedMachine(SmmuDeviceOptions? options = null, int streamIdBits = 8)
    {
        Memory = new SparsePhysicalMemory([(0x4000_0000UL, 0x1_0000_0000UL)]);
        Tables = new PhysicalAllocator(0x4000_0000, 0x8000_0000);
        Smmu = new SmmuDevice(options ?? new SmmuDeviceOptions(), Memory);
        Software = new HandProgrammedSmmu(Smmu, Memory, Tables, streamIdBits);
        Software.Reset();
    }

    public SparsePhysicalMemory Memory { get; }

    public PhysicalAllocator Tables { get; }

    public SmmuDevice Smmu { get; }

    public HandProgrammedSmmu Software { get; }

    /// <summary>Points <paramref name="sid"/> at a one-CD stage-1 configuration with a 48-bit VA table.</summary>
    public HandBuiltPageTable AddStage1Stream(uint sid, ushort asid)
    {
        var table = new HandBuiltPageTable(Memory, Tables, inputBits: 48, stage2: false);
        var cd = Tables.Allocate(Cd.Bytes, Cd.Bytes);
        Span<ulong> w = stackalloc ulong[Cd.Dwords];
        w.Clear();
        Cd.T0SZ.Set(w, 16);
        Cd.TG0.Set(w, Granule.Size4K.ToTg0());
        Cd.IR0.Set(w, 1);
        Cd.OR0.Set(w, 1);
        Cd.SH0.Set(w, 3);
        Cd.EPD1.Set(w, 1);
        Cd.IPS.Set(w, AddressSize.FromBits(48));
        Cd.AA64.Set(w, 1);
        Cd.R.Set(w, 1);
        Cd.A.Set(w, 1);
        Cd.ASET.Set(w, 1);
        Cd.ASID.Set(w, asid);
        Cd.MAIR.Set(w, 0xF404FF44);
        w[1] = Cd.TTB0.InsertAddress(0, table.Root);
        Cd.V.Set(w, 1);
        for (var i = 0; i < Cd.Dwords; i++)
        {
            Memory.Write64(cd + ((ulong)i * 8), w[i]);
        }

        w.Clear();
        Ste.V.Set(w, 1);
        Ste.Config.Set(w, SteConfig.S1Translate);
        w[0] = Ste.S1ContextPtr.InsertAddress(w[0], cd);
        Ste.S1CIR.Set(w, 1);
        Ste.S1COR.Set(w, 1);
        Ste.S1CSH.Set(w, 3);
        Software.WriteSte(sid, w);
        Software.Submit(Command.CfgiSte(sid, leaf: true));
        return table;
    }

    /// <summary>Points <paramref name="sid"/> at a stage-2 configuration with a 39-bit IPA table (start level 1).</summary>
    public HandBuiltPageTable AddStage2Stream(uint sid, ushort vmid)
    {
        var table = new HandBuiltPageTable(Memory, Tables, inputBits: 39, stage2: true);
        Span<ulong> w = stackalloc ulong[Ste.Dwords];
        w.Clear();
        Ste.V.Set(w, 1);
        Ste.Config.Set(w, SteConfig.S2Translate);
        Ste.S2VMID.Set(w, vmid);
        Ste.S2T0SZ.Set(w, 64 - 39);
        Ste.S2SL0.Set(w, 1); // 4K granule: SL0 = 1 starts at level 1
        Ste.S2IR0.Set(w, 1);
        Ste.S2OR0.Set(w, 1);
        Ste.S2SH0.Set(w, 3);
        Ste.S2TG.Set(w, Granule.Size4K.ToTg0());
        Ste.S2PS.Set(w, AddressSize.FromBits(48));
        Ste.S2AA64.Set(w, 1);
        Ste.S2PTW.Set(w, 1);
        Ste.S2R.Set(w, 1);
        w[3] = Ste.S2TTB.InsertAddress(0, table.Root);
        Software.WriteSte(sid, w);
        Software.Submit(Command.CfgiSte(sid, leaf: true));
        return table;
    }

    public void Dispose() => Smmu.Dispose();
}
