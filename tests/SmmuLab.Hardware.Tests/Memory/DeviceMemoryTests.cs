using SmmuLab.Architecture.Memory;
using SmmuLab.Hardware.Memory;

namespace SmmuLab.Hardware.Tests.Memory;

/// <summary><see cref="SparsePhysicalMemory"/> as a device sees it: accesses fail, in one call, where no RAM is.</summary>
public sealed class DeviceMemoryTests
{
    private const ulong RamStart = 0x1000;
    private const ulong RamEnd = 0x3000;

    private static SparsePhysicalMemory Ram() => new([(RamStart, RamEnd)]);

    [Fact]
    public void Reads_and_writes_outside_RAM_fail_and_inside_succeed()
    {
        IDeviceMemory memory = Ram();
        Assert.True(memory.TryWrite64(RamStart, 0x1122_3344_5566_7788));
        Assert.True(memory.TryRead64(RamStart, out var dword));
        Assert.Equal(0x1122_3344_5566_7788UL, dword);
        Assert.True(memory.TryRead32(RamStart + 4, out var word));
        Assert.Equal(0x1122_3344u, word);

        Assert.False(memory.TryRead64(RamEnd, out dword));
        Assert.Equal(0UL, dword);
        Assert.False(memory.TryRead32(RamStart - 4, out _));
        Assert.False(memory.TryWrite64(RamEnd, 1));
        Assert.False(memory.TryWrite32(0, 1));
    }

    [Fact]
    public void A_backed_page_never_written_reads_as_zero()
    {
        IDeviceMemory memory = Ram();
        Assert.True(memory.TryRead64(RamEnd - 8, out var dword));
        Assert.Equal(0UL, dword);
    }

    [Fact]
    public void A_failed_write_leaves_memory_unallocated()
    {
        var ram = Ram();
        IDeviceMemory memory = ram;
        Assert.False(memory.TryWrite64(RamEnd + 0x1000, 1));
        Assert.False(memory.TryWrite(RamEnd - 4, new byte[8]));
        Assert.Equal(0, ram.AllocatedPages);
    }

    [Fact]
    public void Byte_copies_fail_unless_every_byte_is_backed()
    {
        IDeviceMemory memory = Ram();
        var bytes = new byte[16];
        Assert.True(memory.TryWrite(RamEnd - 16, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]));
        Assert.True(memory.TryRead(RamEnd - 16, bytes));
        Assert.Equal(16, bytes[15]);
        Assert.False(memory.TryRead(RamEnd - 8, bytes));
        Assert.False(memory.TryRead(RamStart - 1, new byte[2]));
    }

    [Fact]
    public void Compare_exchange_is_atomic_and_fails_outside_RAM()
    {
        IDeviceMemory memory = Ram();
        Assert.True(memory.TryCompareExchange32(RamStart, 5, 0, out var original));
        Assert.Equal(0u, original);
        Assert.True(memory.TryCompareExchange32(RamStart, 7, 0, out original));
        Assert.Equal(5u, original);
        Assert.True(memory.TryRead32(RamStart, out var word));
        Assert.Equal(5u, word);
        Assert.False(memory.TryCompareExchange32(RamEnd, 1, 0, out _));
    }

    [Fact]
    public void Software_accesses_outside_RAM_still_throw()
    {
        IPhysicalMemory memory = Ram();
        Assert.Throws<PhysicalMemoryAbortException>(() => memory.Read64(RamEnd));
        Assert.Throws<PhysicalMemoryAbortException>(() => memory.Write32(0, 1));
    }
}
