using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Machines;

/// <summary>
/// A demonstration job on a <see cref="HandProgrammedMachine"/>, programmed by hand against the
/// model's registers and memory with no driver: one SMMU,
/// a NIC behind stage 1 (StreamID 0x20, ASID 5) and a GPU behind stage 2 (StreamID 0x30, VMID 3).
/// It maps a buffer, runs DMA (TLB misses then hits), unmaps with a range TLBI and CMD_SYNC, and
/// shows that DMA to the unmapped buffer now faults with an event.
/// </summary>
internal static class HandProgrammedRun
{
    public const uint NicSid = 0x20;
    public const uint GpuSid = 0x30;
    public const ushort NicAsid = 5;
    public const ushort GpuVmid = 3;

    public static RunSummary Run(ConsumptionMode mode = ConsumptionMode.Inline)
    {
        var log = new List<string>();
        using var machine = new HandProgrammedMachine(new SmmuDeviceOptions { Name = "smmu0", Mode = mode });
        var (memory, smmu, sw) = (machine.Memory, machine.Smmu, machine.Software);
        var nic = new Endpoint("nic", [NicSid], memory);
        var gpu = new Endpoint("gpu", [GpuSid], memory);
        smmu.Connect(nic);
        smmu.Connect(gpu);
        log.Add("reset: stream table, CMDQ and EVTQ programmed; CFGI_ALL + TLBI_NSNH_ALL; SMMUEN=1");

        var s1 = machine.AddStage1Stream(NicSid, NicAsid);
        var s2 = machine.AddStage2Stream(GpuSid, GpuVmid);
        log.Add($"STE 0x{NicSid:x}: stage 1 (one CD, ASID {NicAsid}, 48-bit VA); STE 0x{GpuSid:x}: stage 2 (VMID {GpuVmid}, 39-bit IPA); CFGI_STE each");

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
