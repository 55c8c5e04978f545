using SmmuLab.Driver.Cmdqv;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;

namespace SmmuLab.Machines.Tests.Concurrency;

/// <summary>
/// The race the lock-free paths must survive: one thread remaps an IOVA again and again (unmap with
/// TLBI and CMD_SYNC, then map generation g + 1 to the page <see cref="PaBase"/> + g + 1) while
/// other threads probe it. A probe that starts after an unmap's CMD_SYNC completed may not see the
/// page that unmap removed.
/// </summary>
internal static class RemapRace
{
    public const ulong Iova = 0x4000_0000;
    public const ulong PaBase = 0x1_0000_0000;
    public const uint Sid = 0x10;

    /// <summary>
    /// One SMMU, one device (with ATS when asked) attached to a strict stage-1 domain that maps
    /// <see cref="Iova"/> to <see cref="PaBase"/>; with <paramref name="cmdqv"/>, a Tegra241 CMDQV
    /// whose VCMDQ of CPU 0 carries every invalidation.
    /// </summary>
    public static (DriverMachine Machine, SmmuNode Smmu, PagingDomain Domain) Machine(string design, bool ats = false, IommuProt prot = IommuProt.Read | IommuProt.Write,
        bool cmdqv = false)
    {
        var machine = new DriverMachine(InvalidationDesigns.Create(design));
        var smmu = machine.AddSmmu("smmu0");
        if (cmdqv)
        {
            machine.AttachCmdqv("smmu0", driverOptions: new CmdqvDriverOptions { Name = "smmu0 cmdqv", CurrentCpu = () => 0 });
        }

        var dev = machine.AddDevice("dev", "smmu0", [Sid], ats);
        var domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        dev.Master.Attach(domain);
        domain.Map(Iova, PaBase, 4096, prot);
        return (machine, smmu, domain);
    }

    /// <summary>The generation a page of the race belongs to (-1 for one below <see cref="PaBase"/>).</summary>
    public static long Generation(ulong pa) => pa < PaBase ? -1 : (long)((pa - PaBase) >> 12);

    /// <summary>
    /// Runs <paramref name="remaps"/> remaps of <paramref name="domain"/> on this thread while
    /// <paramref name="probers"/> threads call <paramref name="probe"/> with the number of unmaps
    /// completed before the probe started; a probe returns a violation or null. Returns the violations.
    /// </summary>
    public static List<string> Run(PagingDomain domain, int remaps, int probers, Func<long, string?> probe)
    {
        long completedUnmaps = 0;
        var stop = false;
        var violations = new List<string>();
        var threads = Enumerable.Range(0, probers).Select(_ => new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                if (probe(Volatile.Read(ref completedUnmaps)) is { } violation)
                {
                    lock (violations)
                    {
                        violations.Add(violation);
                    }
                }
            }
        })
        { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());

        for (var g = 0; g < remaps; g++)
        {
            domain.Unmap(Iova, 4096);
            Volatile.Write(ref completedUnmaps, g + 1);
            domain.Map(Iova, PaBase + ((ulong)(g + 1) << 12), 4096, IommuProt.Read | IommuProt.Write);

            // Let the probers fill the TLB with the new page before it goes again.
            Thread.SpinWait(200);
        }

        Volatile.Write(ref stop, true);
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(30))));
        return violations;
    }
}
