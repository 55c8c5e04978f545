using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Probe;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Machines.Tests;

/// <summary>
/// A master with more StreamIDs than the command queue has entries: every per-StreamID command
/// list (the CFGIs of an attach, the ATC_INVs of an invalidation) must be split into runs that fit,
/// as Linux's command batches do, instead of being refused as one oversized list.
/// </summary>
public sealed class ManyStreamIdsTests
{
    [Theory]
    [InlineData(InvalidationDesigns.Linux)]
    [InlineData(InvalidationDesigns.Legacy)]
    public void A_master_with_more_stream_ids_than_queue_entries_attaches_and_is_invalidated(string design)
    {
        using var machine = new DriverMachine(InvalidationDesigns.Create(design));
        // A 1024-entry queue (Linux's is 65536 on arm64's defconfig): the split is the same at any size.
        var smmu = machine.AddSmmu("smmu0", driverOptions: new DriverOptions { MaxCmdqLog2 = 10 });
        var sids = Enumerable.Range(0x100, 1100).Select(i => (uint)i).ToArray();
        var dev = machine.AddDevice("wide", "smmu0", sids, ats: true);
        var domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        var queueEntries = smmu.Driver.Cmdq.Entries;
        Assert.True(sids.Length > queueEntries, $"the queue has {queueEntries} entries");

        dev.Master.Attach(domain);
        domain.Map(0x10_0000, 0x1_0000_0000, 4096, IommuProt.Read | IommuProt.Write);
        Assert.Equal(0x1_0000_0008UL, smmu.Device.Translate(sids[^1], null, 0x10_0008, AccessKind.Read).PhysicalAddress);
        var before = smmu.Device.Statistics.CommandsByOpcode[Architecture.Commands.Opcode.CMD_ATC_INV];

        domain.Unmap(0x10_0000, 4096);

        Assert.Equal(before + sids.Length, smmu.Device.Statistics.CommandsByOpcode[Architecture.Commands.Opcode.CMD_ATC_INV]);
        Assert.False(smmu.Device.Translate(sids[^1], null, 0x10_0008, AccessKind.Read).Succeeded);
    }
}
