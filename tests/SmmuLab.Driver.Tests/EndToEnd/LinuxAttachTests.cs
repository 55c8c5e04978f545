using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Platform;
using SmmuLab.Hardware.Observation;
using SmmuLab.Machines;
using static SmmuLab.Driver.Tests.EndToEnd.Expect;
using T = SmmuLab.Driver.Invalidation.Linux.InvalidationType;

namespace SmmuLab.Driver.Tests.EndToEnd;

/// <summary>How attaches populate and empty the arrays under the Linux design, and what they flush.</summary>
public class LinuxAttachTests
{
    private const ulong Buffer = 0x1_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write | IommuProt.Cache;

    [Fact]
    public void Scratch_arrays_are_sized_at_probe()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        m.AddSmmu("smmu0");
        var plain = m.AddDevice("plain", "smmu0", [3, 1, 2]);
        var ats = m.AddDevice("ats", "smmu0", [9, 7, 8], ats: true);
        Assert.Equal(2, LinuxInvalidation.MasterStateOf(plain.Master).Scratch.Capacity);
        Assert.Equal(5, LinuxInvalidation.MasterStateOf(ats.Master).Scratch.Capacity);
        Assert.Equal([7u, 8, 9], ats.Master.StreamIds);
    }

    [Fact]
    public void Each_domain_kind_contributes_its_entries()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var a = m.AddDevice("a", "smmu0", [0x11]);
        var b = m.AddDevice("b", "smmu0", [0x21, 0x20], ats: true);
        var c = m.AddDevice("c", "smmu0", [0x31, 0x30], ats: true, pasidBits: 8);
        var s1 = m.Iommu.AllocPaging("s1", DomainKind.S1, pinnedTag: 5);
        var s2 = m.Iommu.AllocPaging("s2", DomainKind.S2, pinnedTag: 6);
        var np = m.Iommu.AllocPaging("np", DomainKind.NestParent, pinnedTag: 7);
        using var mm = new ProcessAddressSpace("proc", smmu.Driver.Platform);
        var sva = m.Iommu.AllocSva("sva", mm, pinnedAsid: 8);

        a.Master.Attach(s1);
        b.Master.Attach(s1);
        Entries(s1, (T.S1Asid, 5u, 12u, 2), (T.Ats, 0x20, 0, 1), (T.Ats, 0x21, 0, 1));
        Assert.Equal((Opcode.CMD_TLBI_NH_VA, Opcode.CMD_TLBI_NH_ASID), (LinuxInvalidation.ArrayOf(s1)[0].SizeOpcode, LinuxInvalidation.ArrayOf(s1)[0].NsizeOpcode));

        a.Master.Attach(s2);
        Entries(s2, (T.S2Vmid, 6u, 12u, 1));
        Assert.Equal((Opcode.CMD_TLBI_S2_IPA, Opcode.CMD_TLBI_S12_VMALL), (LinuxInvalidation.ArrayOf(s2)[0].SizeOpcode, LinuxInvalidation.ArrayOf(s2)[0].NsizeOpcode));
        Entries(s1, (T.S1Asid, 5u, 12u, 1), (T.Ats, 0x20, 0, 1), (T.Ats, 0x21, 0, 1));

        // Nesting parent: the VMID, its nested stage-1 clear (page shift 0), whole-ATC entries.
        b.Master.Attach(np);
        Entries(np, (T.S2Vmid, 7u, 12u, 1), (T.S2VmidS1Clear, 7, 0, 1), (T.AtsFull, 0x20, 0, 1), (T.AtsFull, 0x21, 0, 1));
        Assert.True(LinuxInvalidation.ArrayOf(np).HasAts);

        // SVA on a PASID: the ASID and the ATC of that PASID.
        c.Master.SetPasid(3, sva);
        Entries(sva, (T.S1Asid, 8u, 12u, 1), (T.Ats, 0x30, 3, 1), (T.Ats, 0x31, 3, 1));

        // A NESTED domain resolves to its vSMMU's parent.
        var vsmmu = new VSmmu("v", smmu.Driver, np);
        a.Master.Attach(new NestedDomain("guest", vsmmu, GuestSte(ats: false)));
        Entries(np, (T.S2Vmid, 7u, 12u, 2), (T.S2VmidS1Clear, 7, 0, 2), (T.AtsFull, 0x20, 0, 1), (T.AtsFull, 0x21, 0, 1));
    }

    [Fact]
    public void Last_detach_flushes_the_tag_once()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var a = m.AddDevice("a", "smmu0", [0x11]);
        var b = m.AddDevice("b", "smmu0", [0x12]);
        var s1 = m.Iommu.AllocPaging("s1", DomainKind.S1, pinnedTag: 5, smmu: smmu.Driver);
        var s2 = m.Iommu.AllocPaging("s2", DomainKind.NestParent, pinnedTag: 6, smmu: smmu.Driver);
        a.Master.Attach(s1);
        b.Master.Attach(s1);
        using var rec = new CommandRecorder(smmu.Device);

        a.Master.Detach();
        Assert.Empty(Invalidations(rec.Take()));
        b.Master.Detach();
        AssertFlushed(rec.Take(), NhAsid(5));
        Assert.Equal(0, LinuxInvalidation.ArrayOf(s1).Count);

        // The invariant the flush keeps: a tag in no array is clean, so an unmap emits nothing.
        s1.Map(0x1000, Buffer, 0x1000, Rw);
        s1.Unmap(0x1000, 0x1000);
        Assert.Empty(rec.Take());

        // Stage 2 (here a nesting parent): TLBI_S12_VMALL, which also covers the nested clear.
        a.Master.Attach(s2);
        rec.Take();
        a.Master.Attach(s1);
        AssertFlushed(rec.Take(), S12Vmall(6));
        Entries(s1, (T.S1Asid, 5u, 12u, 1));
        Entries(s2);
    }

    [Fact]
    public void Last_detach_per_SMMU()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var s0 = m.AddSmmu("smmu0");
        var s1 = m.AddSmmu("smmu1");
        var d0 = m.AddDevice("d0", "smmu0", [1]);
        var d1 = m.AddDevice("d1", "smmu1", [1]);
        var dom = m.Iommu.AllocPaging("shared", DomainKind.S1, pinnedTag: 5);
        d0.Master.Attach(dom);
        d1.Master.Attach(dom);
        var invs = LinuxInvalidation.ArrayOf(dom);
        Assert.Equal(2, invs.Count);
        Assert.Same(s0.Driver, invs[0].Smmu);
        Assert.Same(s1.Driver, invs[1].Smmu);
        using var r0 = new CommandRecorder(s0.Device);
        using var r1 = new CommandRecorder(s1.Device);

        d1.Master.Detach();
        Assert.Empty(Invalidations(r0.Take()));
        AssertFlushed(r1.Take(), NhAsid(5));
        var left = Assert.Single(LinuxInvalidation.ArrayOf(dom).Snapshot());
        Assert.Same(s0.Driver, left.Smmu);
    }

    [Fact]
    public void Linux_spans_two_SMMUs_where_legacy_refuses()
    {
        foreach (var design in new IInvalidationDesign[] { new LegacyInvalidation(), new LinuxInvalidation() })
        {
            using var m = new DriverMachine(design);
            m.AddSmmu("smmu0");
            m.AddSmmu("smmu1");
            var d0 = m.AddDevice("d0", "smmu0", [1]);
            var d1 = m.AddDevice("d1", "smmu1", [1]);
            var dom = m.Iommu.AllocPaging("shared", DomainKind.S1);
            d0.Master.Attach(dom);
            if (design is LegacyInvalidation)
            {
                var e = Assert.Throws<DomainAttachException>(() => d1.Master.Attach(dom));
                Assert.Contains("cannot attach it to smmu1", e.Message);
                Assert.IsType<BlockedDomain>(d1.Master.Domain);
            }
            else
            {
                d1.Master.Attach(dom);
                Assert.Same(dom, d1.Master.Domain);
                dom.Map(0x8000, Buffer, 0x1000, Rw);
                m.Memory.Write64(Buffer, 77);
                Assert.Equal(77UL, DriverEndToEndTests.ReadU64(d1, 0x8000));
            }
        }
    }

    [Fact]
    public void Reattach_with_changed_ATS_keeps_the_tag_and_swaps_the_ATC_entries()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var vf = m.AddDevice("vf", "smmu0", [0x51, 0x50], ats: true);
        var np = m.Iommu.AllocPaging("np", DomainKind.NestParent, pinnedTag: 9, smmu: smmu.Driver);
        var vsmmu = new VSmmu("v", smmu.Driver, np);
        var plain = new NestedDomain("plain", vsmmu, GuestSte(ats: false));
        var withAts = new NestedDomain("ats", vsmmu, GuestSte(ats: true));
        using var rec = new CommandRecorder(smmu.Device);

        vf.Master.Attach(plain);
        Assert.False(vf.Master.AtsEnabled);
        Entries(np, (T.S2Vmid, 9u, 12u, 1), (T.S2VmidS1Clear, 9, 0, 1));

        // Same parent, ATS turned on: the re-attach unrefs the old (ATS-less) list from the
        // freshly merged array, so the counts stay at one.
        vf.Master.Attach(withAts);
        Assert.True(vf.Master.AtsEnabled);
        Entries(np, (T.S2Vmid, 9u, 12u, 1), (T.S2VmidS1Clear, 9, 0, 1), (T.AtsFull, 0x50, 0, 1), (T.AtsFull, 0x51, 0, 1));

        // And off again: the ATC entries become trailing trash and are cut off in place.
        var before = LinuxInvalidation.ArrayOf(np);
        vf.Master.Attach(plain);
        Assert.False(vf.Master.AtsEnabled);
        var after = LinuxInvalidation.ArrayOf(np);
        Entries(np, (T.S2Vmid, 9u, 12u, 1), (T.S2VmidS1Clear, 9, 0, 1));
        Assert.NotSame(before, after); // merged anew (re-attach), then unreffed in place
        Assert.True(after.HasAts); // stale until the next merge or purge, as in Linux

        // The tag was never without users: no whole-VMID flush on any of the re-attaches.
        Assert.DoesNotContain(rec.Take(), c => c.Opcode == Opcode.CMD_TLBI_S12_VMALL);
    }

    [Fact]
    public void Set_and_remove_PASID()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var dev = m.AddDevice("dev", "smmu0", [0x40], ats: true, pasidBits: 8);
        var rid = m.Iommu.AllocPaging("rid", DomainKind.S1, pinnedTag: 5);
        var pd = m.Iommu.AllocPaging("pd", DomainKind.S1, pinnedTag: 6);
        dev.Master.Attach(rid);
        dev.Master.SetPasid(7, pd);
        dev.Master.SetPasid(8, rid);
        Entries(pd, (T.S1Asid, 6u, 12u, 1), (T.Ats, 0x40, 7, 1));
        Entries(rid, (T.S1Asid, 5u, 12u, 2), (T.Ats, 0x40, 0, 1), (T.Ats, 0x40, 8, 1));

        pd.Map(0x3000, Buffer, 0x1000, Rw);
        using var rec = new CommandRecorder(smmu.Device);
        pd.Unmap(0x3000, 0x1000);
        Stream(rec.Take(), NhVa(6, 0x3000, leaf: true, tg: 1, ttl: 3), Sync, AtcInv(0x40, 7, 0x3000, 0), Sync);

        dev.Master.RemovePasid(7);
        AssertFlushed(rec.Take(), AtcInv(0x40, 7, 0, 52), NhAsid(6));
        Entries(pd);
        dev.Master.RemovePasid(8);
        Entries(rid, (T.S1Asid, 5u, 12u, 1), (T.Ats, 0x40, 0, 1));
        Assert.DoesNotContain(rec.Take(), c => c.Opcode == Opcode.CMD_TLBI_NH_ASID);
    }

    [Fact]
    public void Failed_merge_leaves_everything_as_it_was()
    {
        var design = new LinuxInvalidation();
        using var m = new DriverMachine(design);
        var smmu = m.AddSmmu("smmu0");
        var dev = m.AddDevice("dev", "smmu0", [0x40], ats: true);
        var a = m.Iommu.AllocPaging("a", DomainKind.S1, pinnedTag: 5, smmu: smmu.Driver);
        var b = m.Iommu.AllocPaging("b", DomainKind.S1, pinnedTag: 6, smmu: smmu.Driver);
        dev.Master.Attach(a);
        a.Map(0x2000, Buffer, 0x1000, Rw);
        m.Memory.Write64(Buffer, 99);
        var arrayA = LinuxInvalidation.ArrayOf(a);
        var arrayB = LinuxInvalidation.ArrayOf(b);
        var ste = dev.Master.CurrentSte.ToArray();

        design.Allocator.FailNext();
        Assert.Throws<DmaAllocationException>(() => dev.Master.Attach(b));

        Assert.Same(a, dev.Master.Domain);
        Assert.Same(arrayA, LinuxInvalidation.ArrayOf(a));
        Assert.Same(arrayB, LinuxInvalidation.ArrayOf(b));
        Entries(a, (T.S1Asid, 5u, 12u, 1), (T.Ats, 0x40, 0, 1));
        Entries(b);
        Assert.Equal(ste, dev.Master.CurrentSte);
        Assert.Equal(99UL, DriverEndToEndTests.ReadU64(dev, 0x2000));

        design.Allocator.FailAfter = -1;
        dev.Master.Attach(b);
        Entries(b, (T.S1Asid, 6u, 12u, 1), (T.Ats, 0x40, 0, 1));
    }

    [Fact]
    public void Blocked_and_identity_attaches_never_allocate()
    {
        var design = new LinuxInvalidation();
        using var m = new DriverMachine(design);
        var smmu = m.AddSmmu("smmu0");
        var x = m.AddDevice("x", "smmu0", [0x10], ats: true);
        var y = m.AddDevice("y", "smmu0", [0x20], ats: true);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        x.Master.Attach(dom);
        y.Master.Attach(dom);
        using var rec = new CommandRecorder(smmu.Device);

        // Every allocation fails, the design's and DMA's.
        design.Allocator.FailNext();
        m.Allocator.FailAfter = 0;
        var allocations = design.Allocator.Allocations;

        x.Master.Detach();
        Assert.IsType<BlockedDomain>(x.Master.Domain);

        // The unref made ATS 0x10 trash in the middle; the purge could not allocate, so the
        // trash stays — and the array is still right: only 0x20's ATC is invalidated.
        var invs = LinuxInvalidation.ArrayOf(dom);
        Assert.Equal(3, invs.Count);
        Assert.Equal(1, invs.TrashCount);
        rec.Take();
        dom.InvalidateRange(0x4000, 0x1000, 0x1000, leaf: true);
        Stream(rec.Take(), NhVa(5, 0x4000, leaf: true, tg: 1, ttl: 3), Sync, AtcInv(0x20, 0, 0x4000, 0), Sync);

        y.Master.Attach(IdentityDomain.Instance);
        AssertFlushed(rec.Take(), AtcInv(0x20, 0, 0, 52), NhAsid(5));
        Assert.Equal(0, LinuxInvalidation.ArrayOf(dom).Count);
        Assert.Equal(allocations, design.Allocator.Allocations);
        Assert.True(design.Allocator.Failures >= 1);
        m.Allocator.FailAfter = -1;
    }

    [Fact]
    public void New_array_is_published_before_the_install_and_the_old_unreffed_after()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var dev = m.AddDevice("dev", "smmu0", [0x40, 0x41]);
        var a = m.Iommu.AllocPaging("a", DomainKind.S1, pinnedTag: 5);
        var b = m.Iommu.AllocPaging("b", DomainKind.S2, pinnedTag: 6);
        dev.Master.Attach(a);

        // At every configuration invalidation of the switch (the CD and STE installs), b must
        // already list the master and a must still list it.
        var seen = new List<(bool InNew, bool InOld)>();
        void OnCommand(Hardware.Smmu.SmmuDevice d, Command c)
        {
            if (c.Opcode is Opcode.CMD_CFGI_STE or Opcode.CMD_CFGI_CD)
            {
                seen.Add((Lists(b, T.S2Vmid, 6), Lists(a, T.S1Asid, 5)));
            }
        }

        using (smmu.Device.AddObserver(new DelegateObserver { OnCommand = (d, c) => OnCommand(d, c.Command) }))
        {
            dev.Master.Attach(b);
        }

        Assert.NotEmpty(seen);
        Assert.All(seen, s => Assert.Equal((true, true), s));
        Assert.False(Lists(a, T.S1Asid, 5));
        Assert.True(Lists(b, T.S2Vmid, 6));

        static bool Lists(InvalidationDomain d, T type, uint id)
        {
            var invs = LinuxInvalidation.ArrayOf(d);
            var n = invs.Count;
            for (var i = 0; i < n; i++)
            {
                if (invs[i].Type == type && invs[i].Id == id && invs.UsersAt(i) > 0)
                {
                    return true;
                }
            }

            return false;
        }
    }

    internal static ulong[] GuestSte(bool ats)
    {
        var ste = new ulong[Ste.Dwords];
        ste[0] = Ste.V.Make(1) | Ste.Config.Make(SteConfig.S1Translate) | Ste.S1ContextPtr.InsertAddress(0, 0x8000_0000);
        ste[1] = Ste.EATS.Make(ats ? Eats.Trans : Eats.Abort);
        return ste;
    }

    /// <summary>The domain's counted entries are exactly these (type, id, ssid or page shift, users).</summary>
    internal static void Entries(InvalidationDomain domain, params (T Type, uint Id, uint Arg, int Users)[] expected)
    {
        var actual = LinuxInvalidation.ArrayOf(domain).Snapshot().Where(e => e.Users > 0)
            .Select(e => (e.Type, e.Id, e.Type.IsAts() ? e.Ssid : (uint)e.PageShift, e.Users)).ToArray();
        Assert.Equal(expected, actual);
    }

    /// <summary>The stream's invalidations are exactly <paramref name="expected"/>, each followed by a CMD_SYNC.</summary>
    private static void AssertFlushed(Command[] stream, params Expected[] expected)
    {
        var inv = Invalidations(stream);
        Stream(inv, expected);
        foreach (var c in inv)
        {
            var i = Array.IndexOf(stream, c);
            Assert.Equal(Opcode.CMD_SYNC, stream[i + 1].Opcode);
        }
    }
}
