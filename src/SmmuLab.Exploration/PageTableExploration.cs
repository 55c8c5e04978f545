using Microsoft.Coyote.Specifications;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.PageTables;
using SmmuLab.Machines;

namespace SmmuLab.Exploration;

/// <summary>
/// (f) The lock-free one-page map and unmap (io-pgtable-arm takes no lock for them) against each
/// other, against a racing second map of one IOVA, against lock-free lookups, and against the
/// domain's locked path creating and removing tables next door.
/// </summary>
internal static class PageTableExploration
{
    private const ulong Page = 0x1000;
    private const ulong Region = 0x20_0000;
    private const ulong Buffer = 0x1_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write;

    /// <summary>
    /// One iteration on a domain whose region 0 (the first 2 MiB) and region 1 have leaf tables,
    /// region 1's empty. Tasks: two CPUs each map, look up and unmap a page of their own in region 0
    /// (neighbours: one cache line of descriptors), and then race to map one more page of region 0
    /// with different PAs; a reader looks those pages up; the locked path maps a block over region 1
    /// (its empty table is removed), unmaps it, and maps and unmaps a run of pages from the end of
    /// region 0 into region 1 (whose table it creates again). Judged: every lookup sees nothing or the
    /// page's own PA, exactly one racing map wins and its page stays, and at the end only that page
    /// is mapped, with the tables the requests leave.
    /// </summary>
    internal static async Task Run(IoPageTableFault fault)
    {
        var waiter = new CoyoteWaiter();
        using var m = new DriverMachine(DesignFactory.Linux(waiter), waiter: waiter);
        m.AddQuietSmmu("smmu0");
        var a = m.AddDevice("a", "smmu0", [1]);
        var d = m.Iommu.AllocPaging("d", DomainKind.S1);
        a.Master.Attach(d);
        d.Map(0, Buffer, Page, Rw); // region 0's table
        d.Unmap(0, Page);
        d.Map(Region + Page, Buffer, Page, Rw); // region 1's table, left empty
        d.Unmap(Region + Page, Page);
        d.PageTable.Fault = fault;
        var tablesBefore = d.PageTable.TablePages;

        const ulong Contested = 3 * Page;
        var won = new bool[2];
        var cpus = Enumerable.Range(0, 2).Select(cpu => Task.Run(() =>
        {
            var own = (ulong)(cpu + 1) * Page;
            var pa = Buffer + ((ulong)(cpu + 1) << 20);
            d.Map(own, pa, Page, Rw);
            Specification.Assert(d.IovaToPhys(own) == pa, $"CPU {cpu}: its page maps {d.IovaToPhys(own):X}, not 0x{pa:X}");
            d.Unmap(own, Page);
            Specification.Assert(d.IovaToPhys(own) is null, $"CPU {cpu}: its page is still mapped after the unmap");
            try
            {
                d.Map(Contested, pa, Page, Rw);
                won[cpu] = true;
            }
            catch (IoPageTableException e) when (e.Reason == IoPageTableError.AlreadyMapped)
            {
            }
        })).ToArray();
        var reader = Task.Run(() =>
        {
            for (var i = 0; i < 3; i++)
            {
                foreach (var iova in new[] { Page, 2 * Page, Contested })
                {
                    var pa = d.IovaToPhys(iova);
                    Specification.Assert(pa is null || (pa.Value & ~0x30_0000UL) == Buffer, $"lookup of 0x{iova:X} gave 0x{pa:X}");
                }
            }
        });
        var locked = Task.Run(() =>
        {
            d.Map(Region, Buffer, Region, Rw); // a block where region 1's empty table was
            Specification.Assert(d.IovaToPhys(Region + Page) == Buffer + Page, "the block does not map region 1");
            d.Unmap(Region, Region);
            d.Map(Region - (2 * Page), Buffer, 4 * Page, Rw); // the end of region 0, and a new table for region 1
            Specification.Assert(d.IovaToPhys(Region + Page) == Buffer + (3 * Page), "the run does not map region 1");
            d.Unmap(Region - (2 * Page), 4 * Page);
        });
        await Task.WhenAll([.. cpus, reader, locked]);

        Specification.Assert(won[0] ^ won[1], $"racing maps of one IOVA: {(won[0] && won[1] ? "both" : "neither")} won");
        var winner = Buffer + ((won[0] ? 1UL : 2UL) << 20);
        Specification.Assert(d.IovaToPhys(Contested) == winner, $"the contested page maps {d.IovaToPhys(Contested):X}, not the winner's 0x{winner:X}");
        for (var iova = 0UL; iova < 2 * Region; iova += Page)
        {
            Specification.Assert(iova == Contested || d.IovaToPhys(iova) is null, $"0x{iova:X} is still mapped");
        }

        // Region 1's empty table went with the block; the run created a new one, which stays.
        Specification.Assert(d.PageTable.TablePages == tablesBefore, $"{d.PageTable.TablePages} table pages, expected {tablesBefore}");
        d.Unmap(Contested, Page);
        a.Master.Detach();
    }
}
