using Microsoft.Coyote.Runtime;
using Microsoft.Coyote.Specifications;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Machines;
using SmmuLab.Verification;

namespace SmmuLab.Exploration;

/// <summary>
/// (a) An attach or a detach (merge, publish, STE/CD install, unref, last-detach flush) against a
/// concurrent unmap (its range invalidation) and DMA, judged by the stale-translation oracle and by
/// the invariant that an ASID missing from the array is clean in that SMMU's TLB.
/// </summary>
public static class AttachDetachExploration
{
    private const ulong Iova = 0x10000;
    private const ulong Buffer = 0x1_0000_0000;

    /// <summary>
    /// One iteration. Domain d spans two SMMUs: a on smmu0 keeps it finalised and listed there; b on
    /// smmu1 is d's only master on smmu1, so attaching b adds smmu1 to d's array and detaching b
    /// removes it. Tasks: b attaches to d (or, with <paramref name="detach"/>, already attached,
    /// detaches); b reads d's page twice; the page is unmapped. The oracle judges every read. Then,
    /// in order, b is attached (again) and reads: the page was unmapped, so the read must fault,
    /// whatever d's array lists or lost on the way.
    /// </summary>
    public static async Task Run(Func<CoyoteWaiter, IInvalidationDesign> design, bool detach)
    {
        ArgumentNullException.ThrowIfNull(design);
        var waiter = new CoyoteWaiter();
        using var m = new DriverMachine(design(waiter), waiter: waiter);
        var s0 = m.AddQuietSmmu("smmu0");
        m.AddQuietSmmu("smmu1");
        var a = m.AddDevice("a", "smmu0", [1]);
        var b = m.AddDevice("b", "smmu1", [2]);
        var d = m.Iommu.AllocPaging("d", DomainKind.S1, pinnedTag: 5, smmu: s0.Driver);
        a.Master.Attach(d);
        d.Map(Iova, Buffer, 0x1000, IommuProt.Read | IommuProt.Write);

        using var oracle = new StaleTranslationOracle();
        oracle.Watch(a);
        oracle.Watch(b);
        oracle.AddDomain("d", OracleDomainKind.Paging);
        oracle.Attached("a", null, "d");
        oracle.Mapped("d", Iova, Buffer, 0x1000);
        if (detach)
        {
            b.Master.Attach(d);
            oracle.Attached("b", null, "d");
        }

        var attacher = Task.Run(() =>
        {
            if (detach)
            {
                b.Master.Detach();
                oracle.Detached("b", null);
            }
            else
            {
                // Told before the attach: until the STE switches, b's DMA faults and is not judged.
                oracle.Attached("b", null, "d");
                b.Master.Attach(d);
            }
        });
        var dma = Task.Run(() =>
        {
            var data = new byte[8];
            for (var i = 0; i < 2; i++)
            {
                SchedulingPoint.Interleave();
                b.Endpoint.Read(Iova, data);
            }
        });
        var unmapper = Task.Run(() =>
        {
            d.Unmap(Iova, 0x1000);
            oracle.Unmapped("d", Iova, 0x1000);
        });
        await Task.WhenAll(attacher, dma, unmapper);

        Specification.Assert(oracle.ViolationCount == 0, $"stale-translation oracle: {string.Join("; ", oracle.Violations)}");

        // An ASID missing from the array must be clean in that SMMU's TLB, and a listed one is
        // invalidated by every unmap: either way the unmapped page must now fault for b.
        b.Master.Attach(d);
        var again = b.Endpoint.Read(Iova, new byte[8]);
        Specification.Assert(!again.Ok, "stale TLB entry on smmu1: the unmapped page still translates");
        b.Master.Detach();
        a.Master.Detach();
    }
}
