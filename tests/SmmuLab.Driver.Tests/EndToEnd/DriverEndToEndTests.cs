using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd;

/// <summary>The driver bringing up the model and translating DMA through tables it built.</summary>
public class DriverEndToEndTests
{
    private const ulong Buffer = 0x1_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write | IommuProt.Cache;

    [Theory]
    [InlineData(ConsumptionMode.Inline)]
    [InlineData(ConsumptionMode.FreeRunning)]
    public void Stage_one_map_DMA_unmap_faults_with_event(ConsumptionMode mode)
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        m.AddSmmu("smmu0", mode: mode);
        var nic = m.AddDevice("nic", "smmu0", [0x21, 0x20]);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1);
        nic.Master.Attach(dom);
        dom.Map(0x10000, Buffer, 0x23000, Rw);
        m.Memory.Write64(Buffer + 0x22008, 0xFEEDFACE);

        var data = new byte[0x23000];
        Assert.True(nic.Endpoint.Read(0x10000, data).Ok);
        Assert.Equal(0xFEEDFACEUL, BitConverter.ToUInt64(data, 0x22008));
        Assert.True(nic.Endpoint.Write(0x10000, data.AsSpan(0, 0x1000), streamIndex: 1).Ok);

        Assert.Equal(0x23000UL, dom.Unmap(0x10000, 0x23000));
        var after = nic.Endpoint.Read(0x10000, data.AsSpan(0, 8));
        Assert.False(after.Ok);
        Assert.Equal(EventId.F_TRANSLATION, after.Fault);

        // The event reached the driver's event queue reader through the EVENTQ interrupt.
        var events = m.Smmu("smmu0").Driver.Events.History;
        var e = Assert.Single(events);
        Assert.Equal(EventId.F_TRANSLATION, e.Id);
        Assert.Equal(0x20u, e.Sid);
        Assert.Equal(0x10000UL, e.Address);
    }

    [Fact]
    public void Reset_issues_linux_sequence()
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var stats = smmu.Device.Statistics;
        Assert.Equal(1, stats.Commands(Opcode.CMD_CFGI_STE_RANGE));
        Assert.Equal(1, stats.Commands(Opcode.CMD_TLBI_NSNH_ALL));
        Assert.Equal(2, stats.Commands(Opcode.CMD_SYNC));
        Assert.Equal(0, stats.Commands(Opcode.CMD_TLBI_EL2_ALL));
    }

    [Fact]
    public void Domain_switches_change_translation()
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        m.AddSmmu("smmu0");
        var dev = m.AddDevice("dev", "smmu0", [0x30]);
        var a = m.Iommu.AllocPaging("a", DomainKind.S1);
        var b = m.Iommu.AllocPaging("b", DomainKind.S1, smmu: dev.Smmu.Driver);
        dev.Master.Attach(a);
        a.Map(0x4000, Buffer, 0x1000, Rw);
        b.Map(0x4000, Buffer + 0x1000, 0x1000, Rw);
        m.Memory.Write64(Buffer, 1);
        m.Memory.Write64(Buffer + 0x1000, 2);
        Assert.Equal(1UL, ReadU64(dev, 0x4000));

        dev.Master.Attach(b);
        Assert.Equal(2UL, ReadU64(dev, 0x4000));
        Assert.NotEqual(a.Tag, b.Tag);

        dev.Master.Attach(IdentityDomain.Instance);
        Assert.Equal(1UL, ReadU64(dev, Buffer));

        dev.Master.Detach();
        var blocked = new byte[8];
        Assert.False(dev.Endpoint.Read(Buffer, blocked).Ok);
    }

    [Fact]
    public void Stage_two_domain_translates_through_driver_tables()
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        m.AddSmmu("smmu0");
        var gpu = m.AddDevice("gpu", "smmu0", [0x40]);
        var s2 = m.Iommu.AllocPaging("vm", DomainKind.S2, pinnedTag: 7);
        gpu.Master.Attach(s2);
        s2.Map(0x20_0000, Buffer, 0x20_0000, Rw); // a 2 MiB block
        m.Memory.Write64(Buffer + 0x1_2340, 42);
        Assert.Equal(42UL, ReadU64(gpu, 0x21_2340));
        Assert.Equal((ushort)7, s2.Tag);

        s2.Unmap(0x20_0000, 0x20_0000);
        Assert.Contains(m.Smmu("smmu0").Device.Statistics.CommandCounts(), c => c.Opcode == Opcode.CMD_TLBI_S2_IPA);
        Assert.False(gpu.Endpoint.Read(0x21_2340, new byte[8]).Ok);
    }

    [Fact]
    public void Legacy_design_refuses_second_SMMU()
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        m.AddSmmu("smmu0");
        m.AddSmmu("smmu1");
        var d0 = m.AddDevice("d0", "smmu0", [1]);
        var d1 = m.AddDevice("d1", "smmu1", [1]);
        var dom = m.Iommu.AllocPaging("shared", DomainKind.S1);
        d0.Master.Attach(dom);
        var e = Assert.Throws<DomainAttachException>(() => d1.Master.Attach(dom));
        Assert.Contains("one SMMU per domain", e.Message);
        Assert.IsType<BlockedDomain>(d1.Master.Domain);
    }

    internal static ulong ReadU64(DeviceNode dev, ulong iova, uint? pasid = null)
    {
        var b = new byte[8];
        var r = dev.Endpoint.Read(iova, b, pasid);
        Assert.True(r.Ok, $"DMA read at 0x{iova:x} failed: {r.Fault}");
        return BitConverter.ToUInt64(b);
    }
}
