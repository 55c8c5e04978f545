using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Verification.Tests.Faults;

/// <summary>
/// Allocation failure injected where the driver allocates: the invalidation-array merge of an
/// attach, the page-table tables of a map, and every allocation at once around an attach to the
/// blocked domain. Each ends in a clear error (the call throws <see cref="DmaAllocationException"/>
/// and changes nothing) or succeeds without allocating, with the stale-translation oracle clean.
/// The seams are the allocators' <c>FailAfter</c> counters (internal, free when unset).
/// </summary>
public class AllocationFaultTests
{
    private const ulong Iova = 0x10000;

    [Fact]
    public void A_merge_that_cannot_allocate_fails_the_attach_and_the_old_domain_keeps_working()
    {
        using var bed = new FaultBed();
        var dev = bed.Device("dev", 0x10, ats: true);
        var a = bed.Domain("a", 5);
        var b = bed.Domain("b", 6);
        bed.Attach(dev, a);
        bed.Map(a, Iova, FaultBed.Buffer, 0x2000);
        var arrayA = LinuxInvalidation.ArrayOf(a);
        var ste = dev.Master.CurrentSte.ToArray();
        var arrays = bed.Design.Allocator.Allocations;
        var tables = bed.Machine.Allocator.Allocations;

        // A hundred attaches to b, each refused at its merge.
        bed.Design.Allocator.FailNext();
        for (var i = 0; i < 100; i++)
        {
            var e = Assert.Throws<DmaAllocationException>(() => dev.Master.Attach(b));
            Assert.Contains("invalidation array", e.Message);
        }

        // Nothing changed and nothing was kept: no array handed out, no DMA memory taken.
        Assert.Equal(100L, bed.Design.Allocator.Failures);
        Assert.Equal(arrays, bed.Design.Allocator.Allocations);
        Assert.Equal(tables, bed.Machine.Allocator.Allocations);
        Assert.Same(a, dev.Master.Domain);
        Assert.Same(arrayA, LinuxInvalidation.ArrayOf(a));
        Assert.Equal(0, LinuxInvalidation.ArrayOf(b).Count);
        Assert.Equal(ste, dev.Master.CurrentSte);

        // The old domain still translates, and its unmap still invalidates the TLB and the ATC.
        Assert.True(FaultBed.Reads(dev, Iova));
        Assert.True(FaultBed.Reads(dev, Iova + 0x1000));
        bed.Unmap(a, Iova, 0x1000);
        Assert.False(FaultBed.Reads(dev, Iova));
        Assert.True(FaultBed.Reads(dev, Iova + 0x1000));

        // Once memory is back, the same attach works.
        bed.Design.Allocator.FailAfter = -1;
        bed.Attach(dev, b);
        bed.Map(b, Iova, FaultBed.Buffer + 0x10000, 0x1000);
        Assert.True(FaultBed.Reads(dev, Iova));
        Assert.False(FaultBed.Reads(dev, Iova + 0x1000));

        Assert.True(bed.Oracle.ViolationCount == 0, bed.Violations);
        Assert.Equal(4L, bed.Oracle.PagesChecked); // faulted reads are not DMA
    }

    [Fact]
    public void A_map_whose_tables_cannot_be_allocated_fails_and_leaves_nothing_half_mapped()
    {
        using var bed = new FaultBed();
        var dev = bed.Device("dev", 0x10);
        var d = bed.Domain("d", 5);
        bed.Attach(dev, d);
        bed.Map(d, Iova, FaultBed.Buffer, 0x1000);

        // 2 MiB of pages from 1 GiB - 1 MiB, not block-aligned: it needs a last-level table under
        // the existing level-2 table, a level-2 table for the second GiB and a last-level table
        // under it. The first is allocated, the second refused: the first must be given back.
        const ulong far = 0x4000_0000 - 0x10_0000;
        const ulong size = 0x20_0000;
        var (allocated, freed) = (bed.Machine.Allocator.Allocations, bed.Machine.Allocator.Frees);
        bed.Machine.Allocator.FailAfter = 1;
        var e = Assert.ThrowsAny<Exception>(() => d.Map(far, FaultBed.Buffer + 0x100_0000, size, FaultBed.Rw));
        Assert.True(e is DmaAllocationException || e.InnerException is DmaAllocationException, e.ToString());
        Assert.Equal((allocated + 1, freed + 1), (bed.Machine.Allocator.Allocations, bed.Machine.Allocator.Frees));

        // Not one page of the range translates, in the tables or through the SMMU.
        for (ulong off = 0; off < size; off += 0x1000)
        {
            Assert.Null(d.IovaToPhys(far + off));
        }

        Assert.False(FaultBed.Reads(dev, far));
        Assert.False(FaultBed.Reads(dev, far + 0x10_0000));
        Assert.False(FaultBed.Reads(dev, far + size - 0x1000));

        // The mapping made before is untouched; with memory back the same map succeeds.
        Assert.True(FaultBed.Reads(dev, Iova));
        bed.Machine.Allocator.FailAfter = -1;
        bed.Map(d, far, FaultBed.Buffer + 0x100_0000, size);
        Assert.True(FaultBed.Reads(dev, far + 0x10_0000));

        Assert.True(bed.Oracle.ViolationCount == 0, bed.Violations);
        Assert.Equal(2L, bed.Oracle.PagesChecked);
    }

    [Fact]
    public void Attaching_to_the_blocked_domain_never_fails_when_nothing_can_be_allocated()
    {
        using var bed = new FaultBed();
        var x = bed.Device("x", 0x10, ats: true);
        var y = bed.Device("y", 0x20, ats: true);
        var d = bed.Domain("d", 5);
        bed.Attach(x, d);
        bed.Attach(y, d);
        bed.Map(d, Iova, FaultBed.Buffer, 0x2000);
        Assert.True(FaultBed.Reads(x, Iova));
        Assert.True(FaultBed.Reads(y, Iova));
        var arrays = bed.Design.Allocator.Allocations;

        // Every allocation fails, the design's and the DMA allocator's.
        bed.Design.Allocator.FailNext();
        bed.Machine.Allocator.FailAfter = 0;

        bed.Detach(x);
        Assert.IsType<BlockedDomain>(x.Master.Domain);
        Assert.False(x.Master.AtsEnabled);
        Assert.False(FaultBed.Reads(x, Iova));

        // y keeps its translation, and an unmap still reaches y's TLB entries and ATC.
        Assert.True(FaultBed.Reads(y, Iova + 0x1000));
        bed.Unmap(d, Iova + 0x1000, 0x1000);
        Assert.False(FaultBed.Reads(y, Iova + 0x1000));
        Assert.True(FaultBed.Reads(y, Iova));

        // The last detach under failure too: the domain's tag is flushed, y is blocked.
        bed.Detach(y);
        Assert.False(FaultBed.Reads(y, Iova));
        Assert.Equal(arrays, bed.Design.Allocator.Allocations);
        Assert.True(bed.Design.Allocator.Failures >= 1);

        bed.Design.Allocator.FailAfter = -1;
        bed.Machine.Allocator.FailAfter = -1;
        Assert.True(bed.Oracle.ViolationCount == 0, bed.Violations);
        Assert.Equal(4L, bed.Oracle.PagesChecked);
    }
}
