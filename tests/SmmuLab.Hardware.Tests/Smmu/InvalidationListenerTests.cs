using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>Records every scope it is told of.</summary>
internal sealed class RecordingInvalidationListener : ITranslationInvalidationListener
{
    public List<InvalidationScope> Scopes { get; } = [];

    public void TranslationsInvalidated(SmmuDevice device, in InvalidationScope scope) => Scopes.Add(scope);
}

/// <summary>
/// A translation cache beside the model, as an emulator's bus keeps one: windows of input
/// addresses per (StreamID, SubstreamID) and their output, dropped when an invalidation covers them.
/// </summary>
internal sealed class WindowCache : ITranslationInvalidationListener
{
    public Dictionary<(uint Sid, uint? Ssid, ulong First, ulong Last), ulong> Windows { get; } = [];

    public void Add(uint sid, uint? ssid, ulong address, TransactionResult result)
    {
        var size = 1UL << result.BlockShift;
        Windows[(sid, ssid, address & ~(size - 1), (address & ~(size - 1)) + size - 1)] = result.PhysicalAddress & ~(size - 1);
    }

    public void TranslationsInvalidated(SmmuDevice device, in InvalidationScope scope)
    {
        foreach (var key in Windows.Keys.ToList())
        {
            if (scope.Covers(key.Sid, key.Ssid, key.First, key.Last))
            {
                Windows.Remove(key);
            }
        }
    }
}

/// <summary><see cref="SmmuDevice.InvalidationListener"/>: told the scope of every TLBI, CFGI and ATC_INV, of reset and of SMMUEN/GBPA changes.</summary>
public sealed class InvalidationListenerTests
{
    private const ulong Va = 0x1234_5000;

    private static (SmmuTestBed Bed, RecordingInvalidationListener Listener) Listening(SmmuFeatures? features = null)
    {
        var bed = new SmmuTestBed(features);
        var listener = new RecordingInvalidationListener();
        bed.Device.InvalidationListener = listener;
        return (bed, listener);
    }

    [Fact]
    public void No_listener_by_default()
    {
        using var bed = new SmmuTestBed();
        Assert.Null(bed.Device.InvalidationListener);
        bed.Run(Command.TlbiNsnhAll());
    }

    [Fact]
    public void A_TLBI_by_VA_names_its_VMID_and_address_and_every_ASID_because_global_entries_go_too()
    {
        var (bed, listener) = Listening(new SmmuFeatures { Stage2 = false });
        using var _ = bed;
        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 5, Va, leaf: true));

        var scope = listener.Scopes[0];
        Assert.Single(listener.Scopes); // CMD_SYNC invalidates nothing
        Assert.Equal(new InvalidationScope(Opcode.CMD_TLBI_NH_VA, Vmid: 0, FirstAddress: Va, LastAddress: Va), scope);
    }

    [Fact]
    public void A_TLBI_by_VA_on_a_nesting_SMMU_covers_the_whole_stage_1_block_a_splintered_entry_may_belong_to()
    {
        var (bed, listener) = Listening();
        using var _ = bed;
        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 1, 5, Va, leaf: true));

        // 4K granule, level-1 block: 1 GiB, the largest stage-1 block of the default features (48-bit OAS).
        var scope = Assert.Single(listener.Scopes);
        Assert.Equal(0UL, scope.FirstAddress);
        Assert.Equal((1UL << 30) - 1, scope.LastAddress);
        Assert.Equal((ushort)1, scope.Vmid);
    }

    [Fact]
    public void TLBI_NH_ASID_names_VMID_and_ASID_and_S2_IPA_its_VMID_and_range()
    {
        var (bed, listener) = Listening();
        using var _ = bed;
        bed.Run(Command.TlbiNhAsid(2, 7), Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, 3, 0, 0x8000_0000, leaf: true, tg: 1, ttl: 3, num: 1));

        Assert.Equal(new InvalidationScope(Opcode.CMD_TLBI_NH_ASID, Vmid: 2, Asid: 7), listener.Scopes[0]);
        Assert.Equal(new InvalidationScope(Opcode.CMD_TLBI_S2_IPA, Vmid: 3, FirstAddress: 0x8000_0000, LastAddress: 0x8000_1FFF), listener.Scopes[1]);
    }

    [Fact]
    public void It_is_told_even_when_the_SMMU_caches_held_nothing_to_remove()
    {
        var (bed, listener) = Listening();
        using var _ = bed;
        Assert.Equal(0, bed.Device.Tlb.Count);
        bed.Run(Command.TlbiNsnhAll());
        Assert.True(Assert.Single(listener.Scopes).All);
    }

    [Fact]
    public void CFGI_commands_name_the_StreamIDs_and_SubstreamID_whose_configuration_they_invalidate()
    {
        var (bed, listener) = Listening();
        using var _ = bed;
        bed.Run(Command.CfgiSte(0x13, leaf: true), Command.CfgiSteRange(0x13, 2), Command.CfgiCd(0x13, 4, leaf: true), Command.CfgiCdAll(0x13),
            Command.CfgiAll(), Command.PrefetchConfig(0x13));

        Assert.Equal(
            [
                new InvalidationScope(Opcode.CMD_CFGI_STE, 0x13, 0x13),
                new InvalidationScope(Opcode.CMD_CFGI_STE_RANGE, 0x10, 0x17),
                new InvalidationScope(Opcode.CMD_CFGI_CD, 0x13, 0x13, SubstreamId: 4),
                new InvalidationScope(Opcode.CMD_CFGI_CD_ALL, 0x13, 0x13),
                InvalidationScope.Everything(Opcode.CMD_CFGI_STE_RANGE),
            ],
            listener.Scopes);
    }

    [Fact]
    public void ATC_INV_names_the_StreamID_PASID_and_the_aligned_range_of_its_size()
    {
        var (bed, listener) = Listening();
        using var _ = bed;
        bed.Run(Command.AtcInv(0x20, 3, ssv: true, 0x12_3000, size: 2), Command.AtcInv(0x20, 3, ssv: true, 0, CommandLayouts.AtcInvSizeAll, global: true));

        Assert.Equal(new InvalidationScope(Opcode.CMD_ATC_INV, 0x20, 0x20, 3, FirstAddress: 0x12_0000, LastAddress: 0x12_3FFF), listener.Scopes[0]);
        Assert.Equal(new InvalidationScope(Opcode.CMD_ATC_INV, 0x20, 0x20), listener.Scopes[1]);
    }

    [Fact]
    public void Reset_SMMUEN_changes_and_GBPA_updates_while_disabled_invalidate_everything()
    {
        var (bed, listener) = Listening();
        using var _ = bed;
        bed.ClearCr0(Cr0.SMMUEN);
        bed.Mmio.Write32(SmmuRegister.GBPA, (uint)(Gbpa.Update.Make(1) | Gbpa.ABORT.Make(1)));
        bed.WriteCr0(bed.Cr0Value); // no change: nothing
        bed.Mmio.Write32(SmmuRegister.GBPA, (uint)Gbpa.ABORT.Make(1)); // no Update: ignored
        bed.Device.Reset();

        Assert.Equal(3, listener.Scopes.Count);
        Assert.All(listener.Scopes, s => Assert.True(s.All && s.Opcode is null));
    }

    [Fact]
    public void A_cache_of_translation_windows_kept_by_the_listener_never_serves_a_stale_translation()
    {
        using var bed = new SmmuTestBed();
        var windows = new WindowCache();
        bed.Device.InvalidationListener = windows;
        bed.ConfigureStage1(0x10, asid: 5);
        bed.ConfigureStage1(0x11, asid: 6);
        bed.MapS1(Va, SmmuTestBed.Data);
        windows.Add(0x10, null, Va, bed.Read(0x10, Va));
        windows.Add(0x11, null, Va, bed.Read(0x11, Va));
        Assert.Equal(2, windows.Windows.Count);

        // Software unmaps the page and invalidates it for ASID 5's stream; the window of the other
        // stream goes too, as the scope names no StreamID and this cache does not record ASIDs.
        bed.UnmapS1(Va);
        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 5, Va, leaf: true));
        Assert.Empty(windows.Windows);
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(0x10, Va).Outcome);

        // A configuration change drops only that stream's windows.
        bed.MapS1(Va, SmmuTestBed.Data);
        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 5, Va, leaf: true));
        windows.Add(0x10, null, Va, bed.Read(0x10, Va));
        windows.Add(0x11, null, Va, bed.Read(0x11, Va));
        bed.Run(Command.CfgiSte(0x11, leaf: true));
        Assert.Equal(0x10u, Assert.Single(windows.Windows).Key.Sid);
    }
}
