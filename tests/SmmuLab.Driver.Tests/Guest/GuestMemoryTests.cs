using SmmuLab.Driver.Guest;
using SmmuLab.Driver.Platform;
using SmmuLab.Hardware.Memory;

namespace SmmuLab.Driver.Tests.Guest;

public class GuestMemoryTests
{
    private const ulong Ipa = 0xF000_0000;
    private const ulong Pa = 0x4010_0000;

    [Fact]
    public void Accesses_by_IPA_reach_the_machine_memory_behind_the_window()
    {
        var machine = new SparsePhysicalMemory();
        var guest = new GuestMemory(machine, Ipa, Pa, 0x4000);

        guest.Write64(Ipa + 0x1008, 0x1122_3344_5566_7788);

        Assert.Equal(0x1122_3344_5566_7788UL, machine.Read64(Pa + 0x1008));
        Assert.Equal(Pa + 0x3ff8, guest.ToPhysical(Ipa + 0x3ff8, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => guest.Read64(Ipa + 0x3ffc));
        Assert.Throws<ArgumentOutOfRangeException>(() => guest.Read32(Pa));
    }

    [Fact]
    public void Allocations_are_aligned_zeroed_reused_and_bounded()
    {
        var machine = new SparsePhysicalMemory();
        var guest = new GuestMemory(machine, Ipa, Pa, 0x4000);

        var a = guest.Allocate(0x40, 0x40);
        var b = guest.Allocate(0x1000, 0x1000);
        Assert.Equal((Ipa, Ipa + 0x1000), (a, b));
        guest.Write64(b, ulong.MaxValue);
        guest.Free(b, 0x1000);
        Assert.Equal(b, guest.Allocate(0x1000, 0x1000));
        Assert.Equal(0UL, guest.Read64(b));
        Assert.Equal(0x1040UL, guest.BytesInUse);
        Assert.Throws<DmaAllocationException>(() => guest.Allocate(0x4000, 0x1000));
    }
}
