using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Pcie;

namespace SmmuLab.Hardware.Tests.Pcie;

/// <summary>PCIe endpoints behind the SMMU: untranslated DMA, ATS with an ATC, ATC invalidation, translated DMA.</summary>
public sealed class EndpointTests
{
    private const ulong Va = 0x0010_0000;
    private const ulong Pa = SmmuTestBed.Data;
    private const ulong NewPa = SmmuTestBed.Data + 0x80_0000;

    private static byte[] Pattern(int n, byte seed) => [.. Enumerable.Range(0, n).Select(i => (byte)(i + seed))];

    /// <summary>A stage-1 stream (SID 1, EATS = 1) with a CD table of four SSIDs, all over the same tables; eight pages mapped at <see cref="Va"/>.</summary>
    private static (SmmuTestBed Bed, Endpoint Ep) AtsBed(int atcCapacity = 64, bool atsCheck = false)
    {
        var bed = new SmmuTestBed(atsCheck: atsCheck);
        for (uint ssid = 0; ssid < 4; ssid++)
        {
            bed.WriteCd(SmmuTestBed.CdAddress(1, ssid), StructureImages.MakeCd(bed.S1.Root, (ushort)(ssid + 1)));
        }

        var ste = StructureImages.Stage1(SmmuTestBed.CdAddress(1), cdMax: 2, dss: S1Dss.Ssid0);
        Ste.EATS.Set(ste, Eats.Trans);
        bed.WriteSte(1, ste);
        bed.Run(Command.CfgiSte(1, true));
        for (ulong p = 0; p < 8; p++)
        {
            bed.MapS1(Va + (p << 12), Pa + (p << 12));
        }

        var ep = new Endpoint("nic", [1], bed.Memory, new EndpointOptions { AtsCapable = true, AtcCapacity = atcCapacity });
        bed.Device.Connect(ep);
        ep.EnableAts(bed.Device.SmallestTranslationUnit);
        return (bed, ep);
    }

    /// <summary>Remaps every page to <see cref="NewPa"/> and invalidates the SMMU TLB, leaving the ATC stale.</summary>
    private static void Remap(SmmuTestBed bed)
    {
        for (ulong p = 0; p < 8; p++)
        {
            bed.MapS1(Va + (p << 12), NewPa + (p << 12));
        }

        bed.Run(Command.TlbiNsnhAll());
    }

    private static ulong ReadFrom(Endpoint ep, ulong va, uint? pasid = null)
    {
        var last = 0UL;
        using (ep.Smmu!.AddObserver(new DelegateObserver { OnDma = (_, a) => last = a.PhysicalAddress }))
        {
            Assert.True(ep.Read(va, new byte[8], pasid).Ok);
        }

        return last;
    }

    [Fact]
    public void Untranslated_DMA_goes_through_the_SMMU_page_by_page()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1);
        bed.MapS1(Va, Pa + 0x3000);
        bed.MapS1(Va + 0x1000, Pa + 0x1000);
        var ep = new Endpoint("dma", [1], bed.Memory);
        bed.Device.Connect(ep);

        var data = Pattern(0x1800, 3);
        var w = ep.Write(Va + 0x400, data);
        Assert.True(w.Ok);
        Assert.Equal((ulong)data.Length, w.BytesTransferred);
        var back = new byte[data.Length];
        bed.Memory.Read(Pa + 0x3400, back.AsSpan(0, 0xC00));
        bed.Memory.Read(Pa + 0x1000, back.AsSpan(0xC00));
        Assert.Equal(data, back);

        var r = new byte[data.Length];
        Assert.True(ep.Read(Va + 0x400, r).Ok);
        Assert.Equal(data, r);
    }

    [Fact]
    public void Untranslated_DMA_stops_at_the_first_fault_with_the_event_type()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1);
        bed.MapS1(Va, Pa);
        var ep = new Endpoint("dma", [1], bed.Memory);
        bed.Device.Connect(ep);
        var r = ep.Write(Va + 0x800, new byte[0x1000]);
        Assert.False(r.Ok);
        Assert.Equal(0x800UL, r.BytesTransferred);
        Assert.Equal(Va + 0x1000, r.FaultAddress);
        Assert.Equal(EventId.F_TRANSLATION, r.Fault);
        Assert.Equal(Va + 0x1000, bed.SingleEvent().Address);
    }

    [Fact]
    public void RAZ_WI_reads_zeros_and_drops_writes()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, cd: c => Cd.A.Set(c, 0));
        var ep = new Endpoint("dma", [1], bed.Memory);
        bed.Device.Connect(ep);
        var buffer = Pattern(64, 1);
        Assert.True(ep.Read(Va, buffer).Ok);
        Assert.All(buffer, b => Assert.Equal(0, b));
        Assert.True(ep.Write(Va, Pattern(64, 1)).Ok);
    }

    [Fact]
    public void An_endpoint_with_several_StreamIDs_uses_the_one_selected()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, asid: 1);
        bed.WriteSte(2, StructureImages.Bypass());
        bed.MapS1(Va, Pa);
        var ep = new Endpoint("multi", [2, 1], bed.Memory);
        bed.Device.Connect(ep);
        Assert.Equal([1u, 2u], ep.StreamIds);
        Assert.Equal(Pa, ReadFrom(ep, Va));
        var seen = 0UL;
        bed.Device.AddObserver(new DelegateObserver { OnDma = (_, a) => seen = a.PhysicalAddress });
        Assert.True(ep.Read(Pa + 0x40, new byte[4], streamIndex: 1).Ok);
        Assert.Equal(Pa + 0x40, seen);
    }

    [Fact]
    public void A_StreamID_can_be_connected_only_once()
    {
        using var bed = new SmmuTestBed();
        bed.Device.Connect(new Endpoint("a", [1], bed.Memory));
        Assert.Throws<ArgumentException>(() => bed.Device.Connect(new Endpoint("b", [3, 1], bed.Memory)));
        Assert.Throws<ArgumentException>(() => new Endpoint("none", [], bed.Memory));
        Assert.Throws<InvalidOperationException>(() => new Endpoint("plain", [4], bed.Memory).EnableAts(12));
        Assert.Throws<InvalidOperationException>(() => new Endpoint("loose", [5], bed.Memory).Read(0, new byte[4]));
    }

    [Fact]
    public void ATS_DMA_fills_the_ATC_and_then_hits_it()
    {
        var (bed, ep) = AtsBed();
        using var _ = bed;
        var first = ep.Read(Va, new byte[0x2000]);
        Assert.True(first.Ok);
        Assert.Equal(0, first.AtcHits);
        Assert.Equal(2, ep.Atc!.Count);
        var second = ep.Read(Va, new byte[0x2000]);
        Assert.Equal(2, second.AtcHits);
        Assert.Equal(2, bed.Device.Statistics.AtsTranslationRequests);
        Assert.Equal(12, ep.Stu);
    }

    [Fact]
    public void A_stale_ATC_entry_is_used_until_ATC_INV_and_then_gone()
    {
        var (bed, ep) = AtsBed();
        using var _ = bed;
        Assert.Equal(Pa, ReadFrom(ep, Va));
        Remap(bed);
        Assert.Equal(Pa, ReadFrom(ep, Va)); // the endpoint's ATC still holds the old translation
        bed.Run(Command.AtcInv(1, 0, false, Va, 0));
        Assert.Equal(NewPa, ReadFrom(ep, Va));
        Assert.Equal(1, ep.AtcInvalidationsReceived);
    }

    [Fact]
    public void ATC_INV_size_covers_an_aligned_power_of_two_of_pages()
    {
        var (bed, ep) = AtsBed();
        using var _ = bed;
        Assert.True(ep.Read(Va, new byte[0x8000]).Ok);
        Assert.Equal(8, ep.Atc!.Count);
        Remap(bed);

        bed.Run(Command.AtcInv(1, 0, false, Va + 0x2000, 1)); // pages 2 and 3
        Assert.Equal(6, ep.Atc.Count);
        Assert.Equal(Pa + 0x1000, ReadFrom(ep, Va + 0x1000));
        Assert.Equal(NewPa + 0x2000, ReadFrom(ep, Va + 0x2000));
        Assert.Equal(NewPa + 0x3000, ReadFrom(ep, Va + 0x3000));
        Assert.Equal(Pa + 0x4000, ReadFrom(ep, Va + 0x4000));

        bed.Run(Command.AtcInv(1, 0, false, Va + 0x5000, 2)); // an unaligned address: the aligned 4 pages 4..7
        Assert.Equal(NewPa + 0x4000, ReadFrom(ep, Va + 0x4000));
        Assert.Equal(Pa + 0x1000, ReadFrom(ep, Va + 0x1000));
    }

    [Fact]
    public void ATC_INV_size_52_invalidates_everything()
    {
        var (bed, ep) = AtsBed();
        using var _ = bed;
        Assert.True(ep.Read(Va, new byte[0x8000]).Ok);
        Assert.True(ep.Read(Va, new byte[0x1000], pasid: 2).Ok);
        Assert.Equal(9, ep.Atc!.Count);
        bed.Run(Command.AtcInv(1, 0, false, 0, CommandLayouts.AtcInvSizeAll));
        Assert.Equal(0, ep.Atc.Count);
    }

    [Fact]
    public void ATC_INV_with_SSV_removes_only_that_PASID_and_without_SSV_every_PASID()
    {
        var (bed, ep) = AtsBed();
        using var _ = bed;
        Assert.True(ep.Read(Va, new byte[8], pasid: 1).Ok);
        Assert.True(ep.Read(Va, new byte[8], pasid: 2).Ok);
        Assert.True(ep.Read(Va, new byte[8]).Ok);
        Assert.Equal(3, ep.Atc!.Count);
        Remap(bed);

        bed.Run(Command.AtcInv(1, 2, ssv: true, Va, 0));
        Assert.Equal(2, ep.Atc.Count);
        Assert.Equal(NewPa, ReadFrom(ep, Va, pasid: 2));
        Assert.Equal(Pa, ReadFrom(ep, Va, pasid: 1));
        Assert.Equal(Pa, ReadFrom(ep, Va));

        bed.Run(Command.AtcInv(1, 0, ssv: false, Va, 0));
        Assert.Equal(0, ep.Atc.Count);
    }

    [Fact]
    public void ATC_INV_Global_with_SSV_reaches_every_PASID()
    {
        var (bed, ep) = AtsBed();
        using var _ = bed;
        Assert.True(ep.Read(Va, new byte[8], pasid: 1).Ok);
        Assert.True(ep.Read(Va, new byte[8], pasid: 3).Ok);
        bed.Run(Command.AtcInv(1, 1, ssv: true, Va, 0, global: true));
        Assert.Equal(0, ep.Atc!.Count);
    }

    [Fact]
    public void ATC_INV_for_another_StreamID_leaves_the_ATC()
    {
        var (bed, ep) = AtsBed();
        using var _ = bed;
        Assert.True(ep.Read(Va, new byte[8]).Ok);
        bed.Run(Command.AtcInv(2, 0, false, 0, 52));
        Assert.Equal(1, ep.Atc!.Count);
    }

    [Fact]
    public void The_ATC_holds_at_most_its_capacity()
    {
        var (bed, ep) = AtsBed(atcCapacity: 3);
        using var _ = bed;
        Assert.True(ep.Read(Va, new byte[0x8000]).Ok);
        Assert.Equal(3, ep.Atc!.Count);
        var again = ep.Read(Va + 0x5000, new byte[0x3000]);
        Assert.Equal(3, again.AtcHits); // the three most recent pages
    }

    [Fact]
    public void A_page_that_is_not_writable_is_not_written_through_ATS()
    {
        var (bed, ep) = AtsBed();
        using var _ = bed;
        bed.MapS1(Va + 0x7000, Pa + 0x7000, writable: false);
        bed.Run(Command.TlbiNsnhAll());
        Assert.True(ep.Read(Va + 0x7000, new byte[8]).Ok);
        var w = ep.Write(Va + 0x7000, new byte[8]);
        Assert.False(w.Ok);
        Assert.Empty(bed.DrainEvents()); // ATS failures never record faults
    }

    [Fact]
    public void Disabling_ATS_empties_the_ATC_and_DMA_goes_untranslated_again()
    {
        var (bed, ep) = AtsBed();
        using var _ = bed;
        Assert.True(ep.Read(Va, new byte[8]).Ok);
        ep.DisableAts();
        Assert.Equal(0, ep.Atc!.Count);
        Assert.False(ep.AtsEnabled);
        Assert.Equal(Pa, ReadFrom(ep, Va));
        Assert.Equal(0, ep.Atc.Count);
    }

    [Fact]
    public void Translated_DMA_of_an_EATS_zero_stream_is_forbidden_with_ATSCHK_and_allowed_without()
    {
        foreach (var check in new[] { true, false })
        {
            using var bed = new SmmuTestBed(atsCheck: check);
            bed.ConfigureStage1(1, eats: Eats.Trans);
            bed.MapS1(Va, Pa);
            var ep = new Endpoint("nic", [1], bed.Memory, new EndpointOptions { AtsCapable = true });
            bed.Device.Connect(ep);
            ep.EnableAts(12);
            Assert.True(ep.Read(Va, new byte[8]).Ok);

            // Software turns EATS off but the ATC still holds the translation.
            bed.ConfigureStage1(1, eats: 0);
            var r = ep.Read(Va, new byte[8]);
            Assert.Equal(!check, r.Ok);
            if (check)
            {
                Assert.Equal(EventId.F_TRANSL_FORBIDDEN, r.Fault);
                Assert.Equal(EventId.F_TRANSL_FORBIDDEN, bed.SingleEvent().Id);
            }
        }
    }

    [Fact]
    public void Split_stage_ATS_DMA_lands_at_the_stage_2_output()
    {
        using var bed = new SmmuTestBed(atsCheck: true);
        bed.ConfigureNested(5, eats: Eats.S1Chk);
        bed.MapS1(Va, 0x8000_0000);
        bed.MapS2(0x8000_0000, Pa + 0x6000);
        var ep = new Endpoint("gpu", [5], bed.Memory, new EndpointOptions { AtsCapable = true });
        bed.Device.Connect(ep);
        ep.EnableAts(12);
        var data = Pattern(16, 9);
        Assert.True(ep.Write(Va + 0x20, data).Ok);
        var back = new byte[16];
        bed.Memory.Read(Pa + 0x6020, back);
        Assert.Equal(data, back);
        Assert.Equal(0x8000_0000UL, ep.Atc!.TryLookup(5, null, Va, out var entry) ? entry.TranslatedBase : 0);
    }

    [Fact]
    public void A_hung_endpoint_keeps_its_stale_entries_and_the_CMD_SYNC_fails()
    {
        var (bed, ep) = AtsBed();
        using var _ = bed;
        Assert.True(ep.Read(Va, new byte[8]).Ok);
        ep.RespondsToInvalidation = false;
        Assert.Equal(Architecture.Registers.CommandError.CERROR_ATC_INV_SYNC, bed.Submit(Command.AtcInv(1, 0, false, 0, 52)));
        Assert.Equal(1, ep.Atc!.Count);
    }
}
