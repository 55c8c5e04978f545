using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Simulation.Machines;
using SmmuLab.Simulation.Reports;

namespace SmmuLab.Simulation.Workloads;

/// <summary>
/// The embedded default job, programmed by hand against the model's registers and memory: one SMMU,
/// a NIC behind stage 1 (StreamID 0x20, ASID 5) and a GPU behind stage 2 (StreamID 0x30, VMID 3).
/// It maps a buffer, runs DMA (TLB misses then hits), unmaps with a range TLBI and CMD_SYNC, and
/// shows that DMA to the unmapped buffer now faults with an event.
/// </summary>
public static class HandProgrammedRun
{
    public const uint NicSid = 0x20;
    public const uint GpuSid = 0x30;
    public const ushort NicAsid = 5;
    public const ushort GpuVmid = 3;

    public static RunSummary Run(ConsumptionMode mode = ConsumptionMode.Inline)
    {
        var log = new List<string>();
        var memory = new SparsePhysicalMemory([(0x4000_0000UL, 0x1_0000_0000UL)]);
        var tables = new PhysicalAllocator(0x4000_0000, 0x8000_0000);
        using var smmu = new SmmuDevice(new SmmuDeviceOptions { Name = "smmu0", Mode = mode }, memory);
        var nic = new Endpoint("nic", [NicSid], memory);
        var gpu = new Endpoint("gpu", [GpuSid], memory);
        smmu.Connect(nic);
        smmu.Connect(gpu);

        var sw = new HandProgrammedSmmu(smmu, memory, tables, streamIdBits: 8);
        sw.Reset();
        log.Add("reset: stream table, CMDQ and EVTQ programmed; CFGI_ALL + TLBI_NSNH_ALL; SMMUEN=1");

        // Stage 1 for the NIC: one CD (ASID 5), 48-bit VA, 4K granule.
        var s1 = new HandBuiltPageTable(memory, tables, inputBits: 48, stage2: false);
        var cd = tables.Allocate(64, 64);
        Span<ulong> words = stackalloc ulong[8];
        words.Clear();
        Cd.T0SZ.Set(words, 16);
        Cd.TG0.Set(words, Granule.Size4K.ToTg0());
        Cd.IR0.Set(words, 1);
        Cd.OR0.Set(words, 1);
        Cd.SH0.Set(words, 3);
        Cd.EPD1.Set(words, 1);
        Cd.IPS.Set(words, AddressSize.FromBits(48));
        Cd.AA64.Set(words, 1);
        Cd.R.Set(words, 1);
        Cd.A.Set(words, 1);
        Cd.ASET.Set(words, 1);
        Cd.ASID.Set(words, NicAsid);
        Cd.MAIR.Set(words, 0xF404FF44);
        words[1] = Cd.TTB0.InsertAddress(0, s1.Root);
        Cd.V.Set(words, 1);
        for (var i = 0; i < 8; i++)
        {
            memory.Write64(cd + ((ulong)i * 8), words[i]);
        }

        words.Clear();
        Ste.V.Set(words, 1);
        Ste.Config.Set(words, SteConfig.S1Translate);
        words[0] = Ste.S1ContextPtr.InsertAddress(words[0], cd);
        Ste.S1CIR.Set(words, 1);
        Ste.S1COR.Set(words, 1);
        Ste.S1CSH.Set(words, 3);
        sw.WriteSte(NicSid, words);

        // Stage 2 for the GPU: VMID 3, 40-bit IPA (start level 1, two concatenated tables avoided by a 39-bit IPA).
        var s2 = new HandBuiltPageTable(memory, tables, inputBits: 39, stage2: true);
        words.Clear();
        Ste.V.Set(words, 1);
        Ste.Config.Set(words, SteConfig.S2Translate);
        Ste.S2VMID.Set(words, GpuVmid);
        Ste.S2T0SZ.Set(words, 64 - 39);
        Ste.S2SL0.Set(words, 1); // 4K: SL0 = 1 starts at level 1
        Ste.S2IR0.Set(words, 1);
        Ste.S2OR0.Set(words, 1);
        Ste.S2SH0.Set(words, 3);
        Ste.S2TG.Set(words, Granule.Size4K.ToTg0());
        Ste.S2PS.Set(words, AddressSize.FromBits(48));
        Ste.S2AA64.Set(words, 1);
        Ste.S2PTW.Set(words, 1);
        Ste.S2R.Set(words, 1);
        words[3] = Ste.S2TTB.InsertAddress(0, s2.Root);
        sw.WriteSte(GpuSid, words);
        sw.Submit(Command.CfgiSte(NicSid, leaf: true), Command.CfgiSte(GpuSid, leaf: true));
        log.Add($"STE 0x{NicSid:x}: stage 1, CD at 0x{cd:x}, ASID {NicAsid}; STE 0x{GpuSid:x}: stage 2, VMID {GpuVmid}");

        const ulong Iova = 0x10000, Size = 0x23000, Buffer = 0x8000_0000;
        s1.Map(Iova, Buffer, Size);
        s2.Map(Iova, Buffer + 0x10_0000, Size);
        log.Add($"map: IOVA 0x{Iova:x}+0x{Size:x} -> PA 0x{Buffer:x} (nic, S1) and 0x{Buffer + 0x10_0000:x} (gpu, S2)");

        var data = new byte[Size];
        for (var pass = 0; pass < 4; pass++)
        {
            var r1 = nic.Read(Iova, data);
            var r2 = gpu.Write(Iova, data);
            if (pass == 0)
            {
                log.Add($"dma: nic read {r1.BytesTransferred} bytes ok={r1.Ok}, gpu write {r2.BytesTransferred} bytes ok={r2.Ok}");
            }
        }

        s1.Unmap(Iova, Size);
        s2.Unmap(Iova, Size);
        var pages = (uint)(Size >> 12);
        sw.Submit([.. RangeTlbi(Opcode.CMD_TLBI_NH_VA, 0, NicAsid, Iova, pages), .. RangeTlbi(Opcode.CMD_TLBI_S2_IPA, GpuVmid, 0, Iova, pages)]);
        log.Add($"unmap: cleared {pages} PTEs per stream; TLBI_NH_VA and TLBI_S2_IPA ranges + CMD_SYNC (MSI)");

        var after1 = nic.Read(Iova, data.AsSpan(0, 0x1000));
        var after2 = gpu.Write(Iova + 0x2000, data.AsSpan(0, 0x1000));
        var events = sw.DrainEvents();
        log.Add($"dma after unmap: nic ok={after1.Ok} ({after1.Fault}), gpu ok={after2.Ok} ({after2.Fault})");
        foreach (var e in events)
        {
            log.Add($"event: {e}");
        }

        return RunSummary.From(smmu, log);
    }

    /// <summary>
    /// Range TLBIs covering <paramref name="pages"/> 4 KiB pages: each command takes the lowest set
    /// bit of the remaining count as SCALE and the next five bits as NUM + 1, as the Linux driver splits ranges.
    /// </summary>
    private static List<Command> RangeTlbi(Opcode op, ushort vmid, ushort asid, ulong iova, uint pages)
    {
        var commands = new List<Command>();
        while (pages != 0)
        {
            var scale = System.Numerics.BitOperations.TrailingZeroCount(pages);
            var num = (pages >> scale) & 31;
            commands.Add(Command.TlbiByAddress(op, vmid, asid, iova, leaf: true, tg: Granule.Size4K.ToTlbiTg(), ttl: 3,
                scale: (uint)scale, num: num - 1));
            iova += (ulong)num << (scale + 12);
            pages -= num << scale;
        }

        return commands;
    }
}
