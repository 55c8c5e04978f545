using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdqv;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Machines.Tests.Concurrency;

/// <summary>
/// Two CPUs remap neighbouring pages (one page-table line) through their own VCMDQs while two more
/// threads translate both pages: the VCMDQs' TLBIs and CMD_SYNCs run without the device lock when
/// the TLB is empty and no holder overlaps them, beside walks under the lock and hits without it.
/// No translation may return a page after the unmap that removed it has completed, and the CPU that
/// unmapped it must see it fault at once.
/// </summary>
public sealed class PerCpuQueueRaceTests
{
    private const ulong IovaBase = 0x4000_0000;
    private const ulong PaBase = 0x1_0000_0000;
    private const uint Sid = 0x10;
    private const int Remaps = 2000;

    [Fact]
    public void Remaps_on_two_VCMDQs_never_leave_a_removed_page_translatable()
    {
        var cpu = new ThreadLocal<int>();
        using var machine = new DriverMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux));
        var smmu = machine.AddSmmu("smmu0");
        machine.AttachCmdqv("smmu0", driverOptions: new CmdqvDriverOptions { Name = "smmu0 cmdqv", CurrentCpu = () => cpu.Value });
        var dev = machine.AddDevice("dev", "smmu0", [Sid]);
        var domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        dev.Master.Attach(domain);
        for (var c = 0; c < 2; c++)
        {
            domain.Map(Iova(c), Pa(c, 0), 4096, IommuProt.Read | IommuProt.Write);
        }

        var completed = new long[2];
        var violations = new List<string>();
        var stop = false;
        void Violation(string text)
        {
            lock (violations)
            {
                violations.Add(text);
            }
        }

        var probers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                for (var c = 0; c < 2; c++)
                {
                    var done = Volatile.Read(ref completed[c]);
                    var result = smmu.Device.Translate(Sid, null, Iova(c) + 0x40, AccessKind.Read);
                    if (result.Succeeded && Generation(c, result.PhysicalAddress) < done)
                    {
                        Violation($"cpu {c}: a translation started after {done} completed unmaps returned 0x{result.PhysicalAddress:X}");
                    }
                }
            }
        })
        { IsBackground = true }).ToList();
        var remappers = Enumerable.Range(0, 2).Select(c => new Thread(() =>
        {
            cpu.Value = c;
            for (var g = 0; g < Remaps; g++)
            {
                domain.Unmap(Iova(c), 4096);
                Volatile.Write(ref completed[c], g + 1);
                if (smmu.Device.Translate(Sid, null, Iova(c), AccessKind.Read).Succeeded)
                {
                    Violation($"cpu {c}: generation {g} still translates after its unmap returned");
                }

                domain.Map(Iova(c), Pa(c, g + 1), 4096, IommuProt.Read | IommuProt.Write);
            }
        })
        { IsBackground = true }).ToList();
        probers.ForEach(t => t.Start());
        remappers.ForEach(t => t.Start());
        remappers.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));
        Volatile.Write(ref stop, true);
        probers.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(30))));

        Assert.Empty(violations.Take(5));
        Assert.Equal(0, smmu.Device.Statistics.Commands(Opcode.CMD_TLBI_NH_VA)); // every TLBI went through a VCMDQ
        Assert.True(smmu.Device.Statistics.CommandsWithoutLock > 0, "no VCMDQ command ran without the lock: the quiet path was not exercised");
    }

    private static ulong Iova(int cpu) => IovaBase + ((ulong)cpu << 12);

    /// <summary>CPU c's generation g maps its IOVA to PaBase + (2g + c) pages.</summary>
    private static ulong Pa(int cpu, int generation) => PaBase + ((ulong)((2 * generation) + cpu) << 12);

    private static long Generation(int cpu, ulong pa) => pa < PaBase || (((pa - PaBase) >> 12) & 1) != (ulong)cpu ? -1 : (long)((pa - PaBase) >> 13);
}
