using SmmuLab.Driver.Cmdqv;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd;

/// <summary>SMMU ordinals and CPU numbers belong to their system and driver: nothing is numbered process-wide.</summary>
public class PerInstanceNumberingTests
{
    [Fact]
    public void Each_iommu_system_numbers_its_SMMUs_from_one_in_probe_order()
    {
        using var first = new DriverMachine(new LegacyInvalidation());
        using var second = new DriverMachine(new LegacyInvalidation());
        var a0 = first.AddSmmu("smmu0").Driver;
        var b0 = second.AddSmmu("smmu0").Driver;
        var a1 = first.AddSmmu("smmu1").Driver;

        Assert.Equal((1, 2), (first.Iommu.OrdinalOf(a0), first.Iommu.OrdinalOf(a1)));
        Assert.Equal(1, second.Iommu.OrdinalOf(b0));

        // An SMMU the system never registered is numbered after the registered ones, once.
        Assert.Equal(2, second.Iommu.OrdinalOf(a1));
        Assert.Equal(2, second.Iommu.OrdinalOf(a1));
    }

    [Fact]
    public void Each_CPU_numbering_counts_threads_from_zero_in_first_ask_order()
    {
        var one = new CpuNumbering();
        var two = new CpuNumbering();
        Assert.Equal(0, one.Current);
        Assert.Equal(0, one.Current);

        var other = -1;
        var otherInTwo = -1;
        var thread = new Thread(() =>
        {
            other = one.Current;
            otherInTwo = two.Current;
        });
        thread.Start();
        thread.Join();

        Assert.Equal(1, other);
        Assert.Equal(0, otherInTwo);
        Assert.Equal(1, two.Current);
    }
}
