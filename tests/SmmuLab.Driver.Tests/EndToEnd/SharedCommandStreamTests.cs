using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;
using static SmmuLab.Driver.Tests.EndToEnd.Expect;

namespace SmmuLab.Driver.Tests.EndToEnd;

/// <summary>The canonical cases where both invalidation designs must emit the same commands, command by command.</summary>
public class SharedCommandStreamTests
{
    private const ulong Buffer = 0x1_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write | IommuProt.Cache;

    [Theory]
    [InlineData(InvalidationDesigns.Legacy)]
    [InlineData(InvalidationDesigns.Linux)]
    public void Nesting_parent_with_ATS(string design)
    {
        using var m = new DriverMachine(InvalidationDesigns.Create(design));
        var smmu = m.AddSmmu("smmu0");
        var vf = m.AddDevice("vf", "smmu0", [0x51, 0x50], ats: true);
        var parent = m.Iommu.AllocPaging("vm", DomainKind.NestParent, pinnedTag: 9);
        vf.Master.Attach(parent);
        parent.Map(0x4000, Buffer, 0x2000, Rw);
        using var rec = new CommandRecorder(smmu.Device);

        parent.Unmap(0x4000, 0x2000);

        // S2 TLBI; SYNC before the nested stage-1 clear; SYNC before the ATCs, which are flushed
        // entirely (SIZE 52) since the guest's addresses behind the IPA are unknown.
        Stream(rec.Take(),
            S2Ipa(9, 0x4000, leaf: true, tg: 1, ttl: 3, scale: 1, num: 0),
            Sync,
            NhAll(9),
            Sync,
            AtcInv(0x50, 0, 0, 52),
            AtcInv(0x51, 0, 0, 52),
            Sync);
    }

    [Theory]
    [InlineData(InvalidationDesigns.Legacy)]
    [InlineData(InvalidationDesigns.Linux)]
    public void Without_RIL_one_command_per_granule(string design)
    {
        using var m = new DriverMachine(InvalidationDesigns.Create(design));
        var smmu = m.AddSmmu("smmu0", new SmmuFeatures { RangeInvalidation = false });
        var dev = m.AddDevice("dev", "smmu0", [0x30]);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        dev.Master.Attach(dom);
        if (design == InvalidationDesigns.Linux)
        {
            Assert.Equal(0, LinuxInvalidation.ArrayOf(dom)[0].PageShift);
        }

        dom.Map(0x10000, Buffer, 0x3000, Rw);
        using var rec = new CommandRecorder(smmu.Device);

        dom.Unmap(0x10000, 0x3000);

        // No TG, TTL, SCALE or NUM without SMMU_IDR3.RIL.
        Stream(rec.Take(),
            NhVa(5, 0x10000, leaf: true),
            NhVa(5, 0x11000, leaf: true),
            NhVa(5, 0x12000, leaf: true),
            Sync);
    }
}
