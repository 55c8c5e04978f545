using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Probe;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;
using static SmmuLab.Driver.Tests.EndToEnd.Expect;

namespace SmmuLab.Driver.Tests.EndToEnd;

/// <summary>
/// The commands the Linux design emits for the canonical cases, command by command, against
/// expectations worked out by hand from the reference (RIL split, TTL, ATC span, SYNC boundaries).
/// Every domain is on 4 KiB pages, so with RIL the entries carry page shift 12: TG = 1.
/// </summary>
public class LinuxCommandStreamTests
{
    private const ulong Buffer = 0x1_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write | IommuProt.Cache;

    [Fact]
    public void Stage_one_unmap_with_RIL()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var nic = m.AddDevice("nic", "smmu0", [0x21, 0x20]);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        nic.Master.Attach(dom);
        dom.Map(0x10000, Buffer, 0x23000, Rw);
        using var rec = new CommandRecorder(smmu.Device);

        Assert.Equal(0x23000UL, dom.Unmap(0x10000, 0x23000));

        // 35 pages = 0b100011: 3 pages at SCALE 0 (NUM 2), then 32 pages at SCALE 5 (NUM 0).
        // Leaf, 4 KiB granule on 4 KiB pages: TTL 3.
        Stream(rec.Take(),
            NhVa(5, 0x10000, leaf: true, tg: 1, ttl: 3, scale: 0, num: 2),
            NhVa(5, 0x13000, leaf: true, tg: 1, ttl: 3, scale: 5, num: 0),
            Sync);
    }

    [Fact]
    public void Table_free_is_non_leaf_and_domain_free_emits_nothing()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var dev = m.AddDevice("dev", "smmu0", [0x30]);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        dev.Master.Attach(dom);
        for (var p = 0UL; p < 0x20_0000; p += 0x1000)
        {
            dom.Map(0x20_0000 + p, Buffer + p, 0x1000, Rw); // page by page: a full level-3 table
        }

        using var rec = new CommandRecorder(smmu.Device);

        // Unmapping the whole 2 MiB slot removes the table: a walk flush of 512 pages, non-leaf
        // (TTL 0; 512 is not 1 mod 32, so no bump): SCALE 9, NUM 0.
        dom.Unmap(0x20_0000, 0x20_0000);
        Stream(rec.Take(), NhVa(5, 0x20_0000, leaf: false, tg: 1, ttl: 0, scale: 9, num: 0), Sync);

        // The last detach flushed the ASID; freeing the domain then has nothing left to invalidate.
        dev.Master.Detach();
        Stream(Invalidations(rec.Take()), NhAsid(5));
        dom.Free();
        Assert.Empty(rec.Take());
    }

    [Fact]
    public void Stage_one_with_ATS_syncs_TLBI_before_ATC_inv()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var nic = m.AddDevice("nic", "smmu0", [0x21, 0x20], ats: true);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        nic.Master.Attach(dom);
        Assert.True(nic.Master.AtsEnabled);
        dom.Map(0x10000, Buffer, 0x23000, Rw);
        using var rec = new CommandRecorder(smmu.Device);

        dom.Unmap(0x10000, 0x23000);

        // ATC span: pages 0x10..0x32 differ first in bit 5, so 2^6 pages from page 0.
        // One ATC batch for both StreamIDs (sorted), after the TLBIs' CMD_SYNC.
        Stream(rec.Take(),
            NhVa(5, 0x10000, leaf: true, tg: 1, ttl: 3, scale: 0, num: 2),
            NhVa(5, 0x13000, leaf: true, tg: 1, ttl: 3, scale: 5, num: 0),
            Sync,
            AtcInv(0x20, 0, 0, 6),
            AtcInv(0x21, 0, 0, 6),
            Sync);
    }

    [Fact]
    public void Stage_two_block_unmap()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var gpu = m.AddDevice("gpu", "smmu0", [0x40]);
        var s2 = m.Iommu.AllocPaging("vm", DomainKind.S2, pinnedTag: 7);
        gpu.Master.Attach(s2);
        s2.Map(0x20_0000, Buffer, 0x20_0000, Rw);
        using var rec = new CommandRecorder(smmu.Device);

        s2.Unmap(0x20_0000, 0x20_0000);

        // One 2 MiB block: 512 pages = 1 << 9: SCALE 9, NUM 0; a level-2 leaf: TTL 2.
        Stream(rec.Take(), S2Ipa(7, 0x20_0000, leaf: true, tg: 1, ttl: 2, scale: 9, num: 0), Sync);
    }

    [Fact]
    public void SVA_notifier_invalidates_non_leaf_with_PASID()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var acc = m.AddDevice("acc", "smmu0", [0x60], ats: true, pasidBits: 8);
        using var mm = new ProcessAddressSpace("proc", smmu.Driver.Platform);
        var sva = m.Iommu.AllocSva("sva", mm, pinnedAsid: 11);
        acc.Master.SetPasid(3, sva);
        mm.Map(0x10000, Buffer, 0x3000);
        using var rec = new CommandRecorder(smmu.Device);

        mm.Unmap(0x10000, 0x2000);
        mm.Unmap(0x12000, 0x1000);

        // Non-leaf (TTL 0). Two pages: SCALE 1, NUM 0. One page: bumped to two (1 mod 32), so the
        // command is not SCALE 0 NUM 0. ATC_INV carries SSV and the PASID: span 2 pages, then 1.
        Stream(rec.Take(),
            NhVa(11, 0x10000, leaf: false, tg: 1, ttl: 0, scale: 1, num: 0),
            Sync,
            AtcInv(0x60, 3, 0x10000, 1),
            Sync,
            NhVa(11, 0x12000, leaf: false, tg: 1, ttl: 0, scale: 1, num: 0),
            Sync,
            AtcInv(0x60, 3, 0x12000, 0),
            Sync);
    }

    [Fact]
    public void Too_big_falls_back_to_the_whole_tag()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0", new SmmuFeatures { RangeInvalidation = false });
        var a = m.AddDevice("a", "smmu0", [0x30]);
        var b = m.AddDevice("b", "smmu0", [0x31]);
        var s1 = m.Iommu.AllocPaging("s1", DomainKind.S1, pinnedTag: 5);
        var s2 = m.Iommu.AllocPaging("s2", DomainKind.S2, pinnedTag: 6);
        a.Master.Attach(s1);
        b.Master.Attach(s2);
        using var rec = new CommandRecorder(smmu.Device);

        // Without RIL, 4 KiB granules: 512 of them (2 MiB) is the limit.
        s1.InvalidateRange(0x1000, 0x20_0000, 0x1000, leaf: true);
        s2.InvalidateRange(0x1000, 0x20_0000, 0x1000, leaf: true);
        Stream(rec.Take(), NhAsid(5), Sync, S12Vmall(6), Sync);

        // One granule less is still ranged: 511 commands and one CMD_SYNC.
        s1.InvalidateRange(0x1000, 0x1F_F000, 0x1000, leaf: true);
        var stream = rec.Take();
        Assert.Equal(512, stream.Length);
        Assert.Equal(NhVa(5, 0x1F_F000, leaf: true), new Expected(stream[510].Dw0, stream[510].Dw1));

        // Size 0 is everything, also with RIL.
        s1.FlushAll();
        Stream(rec.Take(), NhAsid(5), Sync);
    }

    [Fact]
    public void Nesting_parent_too_big_skips_the_nested_clear_and_terminates()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var vf = m.AddDevice("vf", "smmu0", [0x50], ats: true);
        var parent = m.Iommu.AllocPaging("vm", DomainKind.NestParent, pinnedTag: 9);
        vf.Master.Attach(parent);
        using var rec = new CommandRecorder(smmu.Device);

        // The loop Linux fixed with "Do not continue": run it on a thread with a deadline.
        var t = new Thread(parent.FlushAll) { IsBackground = true };
        t.Start();
        Assert.True(t.Join(TimeSpan.FromSeconds(20)), "the invalidation did not terminate");

        // S12_VMALL already cleared the nested stage-1 entries of the VMID: no NH_ALL.
        Stream(rec.Take(), S12Vmall(9), Sync, AtcInv(0x50, 0, 0, 52), Sync);
    }

    [Fact]
    public void Unknown_entry_is_skipped_and_the_walk_moves_on()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var invs = InvalidationArray.Of(
            InvalidationEntry.For(smmu.Driver, InvalidationType.S1Asid, 5, 12, users: 1),
            new InvalidationEntry(smmu.Driver, (InvalidationType)8, 1, 0, default, default, users: 1),
            InvalidationEntry.For(smmu.Driver, InvalidationType.Ats, 0x20, 0, users: 1));
        using var rec = new CommandRecorder(smmu.Device);

        var unknown = RangeInvalidator.Run(invs, 0, 0, 0, leaf: false);

        Assert.Equal(1, unknown);
        Stream(rec.Take(), NhAsid(5), Sync, AtcInv(0x20, 0, 0, 52), Sync);
    }

    [Fact]
    public void Two_SMMUs_each_get_their_own_batches()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var s0 = m.AddSmmu("smmu0");
        var s1 = m.AddSmmu("smmu1");
        var d0 = m.AddDevice("d0", "smmu0", [0x10], ats: true);
        var d1 = m.AddDevice("d1", "smmu1", [0x10]);
        var dom = m.Iommu.AllocPaging("shared", DomainKind.S1, pinnedTag: 5);
        d0.Master.Attach(dom);
        d1.Master.Attach(dom);
        dom.Map(0x10000, Buffer, 0x1000, Rw);
        m.Memory.Write64(Buffer, 0x1234);
        Assert.Equal(0x1234UL, DriverEndToEndTests.ReadU64(d0, 0x10000));
        Assert.Equal(0x1234UL, DriverEndToEndTests.ReadU64(d1, 0x10000));
        using var r0 = new CommandRecorder(s0.Device);
        using var r1 = new CommandRecorder(s1.Device);

        dom.Unmap(0x10000, 0x1000);

        // Leaf single page: SCALE 0, NUM 0 (the bump is for non-leaf only).
        Stream(r0.Take(), NhVa(5, 0x10000, leaf: true, tg: 1, ttl: 3), Sync, AtcInv(0x10, 0, 0x10000, 0), Sync);
        Stream(r1.Take(), NhVa(5, 0x10000, leaf: true, tg: 1, ttl: 3), Sync);
        Assert.False(d0.Endpoint.Read(0x10000, new byte[8]).Ok);
        Assert.False(d1.Endpoint.Read(0x10000, new byte[8]).Ok);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forced_SYNC_every63_commands(bool forceSync)
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0", new SmmuFeatures { RangeInvalidation = false },
            driverOptions: new DriverOptions { CmdqForceSync = forceSync });
        var dev = m.AddDevice("dev", "smmu0", [0x30]);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        dev.Master.Attach(dom);
        using var rec = new CommandRecorder(smmu.Device);

        dom.InvalidateRange(0, 100 * 0x1000UL, 0x1000, leaf: true);

        var expected = new List<Expected>();
        for (var i = 0UL; i < 100; i++)
        {
            // The erratum workaround closes the batch with a CMD_SYNC at 63; otherwise a full batch
            // of 64 goes out without one.
            if (forceSync && i == 63)
            {
                expected.Add(Sync);
            }

            expected.Add(NhVa(5, i * 0x1000, leaf: true));
        }

        expected.Add(Sync);
        Stream(rec.Take(), [.. expected]);
    }
}
