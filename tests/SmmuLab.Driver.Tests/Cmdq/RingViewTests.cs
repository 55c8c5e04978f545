using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Smmu;
using SmmuLab.TestSupport.Memory;

namespace SmmuLab.Driver.Tests.Cmdq;

/// <summary>
/// The ring in place: the driver writes its slots through the memory's page views and polls the
/// CMD_SYNC's MSI there, and the SMMU fetches from and completes into the page it fetched last.
/// Where either memory offers no view, the same commands go one bus access at a time. Every
/// combination must consume the same commands, wrap the ring, and complete every CMD_SYNC.
/// </summary>
public sealed class RingViewTests
{
    public static TheoryData<bool, bool> Views => new() { { true, true }, { false, true }, { true, false }, { false, false } };

    [Theory]
    [MemberData(nameof(Views))]
    public void Commands_across_several_wraps_are_consumed_in_order_whichever_side_has_a_view(bool driverView, bool deviceView)
    {
        RecordingMemory? recording = null;
        CountingDeviceMemory? counting = null;
        using var bed = new CommandQueueTestBed(ConsumptionMode.Inline, SyncCompletionMode.Msi, log2Entries: 7, record: true,
            driverMemory: driverView ? null : m => recording = new RecordingMemory(m),
            deviceMemory: deviceView ? null : m => counting = new CountingDeviceMemory(m));

        // 3 x 100 commands, each run closed by a CMD_SYNC: 303 entries on a 128-entry ring.
        var issued = new List<Command>();
        for (uint run = 0; run < 3; run++)
        {
            var commands = Enumerable.Range(0, 100).Select(i => Command.CfgiSte((run * 100) + (uint)i, leaf: true)).ToArray();
            bed.Queue.IssueCommands(commands, sync: true);
            issued.AddRange(commands);
        }

        Assert.Equal(issued, bed.Consumed.Where(c => c.Opcode != Opcode.CMD_SYNC));
        Assert.Equal(3, bed.Consumed.Count(c => c.Opcode == Opcode.CMD_SYNC));

        // The last command written is in its slot, whichever way it got there.
        var last = bed.Queue.SlotAddress(bed.Queue.SoftwareProd - 2);
        Assert.Equal((issued[^1].Dw0, issued[^1].Dw1), (bed.Memory.Read64(last), bed.Memory.Read64(last + 8)));

        // The last CMD_SYNC's MSI zeroed the low half of its slot's first word (its opcode), and
        // left the second word, which names the slot itself as the MSI address.
        var sync = bed.Queue.SlotAddress(bed.Queue.SoftwareProd - 1);
        Assert.Equal(0u, (uint)bed.Memory.Read64(sync));
        Assert.Equal(sync, CommandLayouts.MsiAddr.GetAddress(bed.Memory.Read64(sync + 8)));

        if (recording is not null)
        {
            // No view: every slot was stored through the memory, two 64-bit stores per command.
            Assert.Equal(2 * 303, recording.Writes.Count(w => w.Pa >= bed.Queue.BaseAddress && w.Pa < bed.Queue.BaseAddress + (128 * 16)));
        }

        if (counting is not null)
        {
            // No view: every fetch was two 64-bit reads through the bus.
            Assert.Equal(2 * 303, counting.Reads64);
        }
    }

    /// <summary>A device memory that forwards every access and offers no page view, counting 64-bit reads.</summary>
    private sealed class CountingDeviceMemory(SparsePhysicalMemory inner) : IDeviceMemory
    {
        private IDeviceMemory Inner => inner;

        public int Reads64 { get; private set; }

        public bool TryRead32(ulong pa, out uint value) => Inner.TryRead32(pa, out value);

        public bool TryRead64(ulong pa, out ulong value)
        {
            Reads64++;
            return Inner.TryRead64(pa, out value);
        }

        public bool TryWrite32(ulong pa, uint value) => Inner.TryWrite32(pa, value);

        public bool TryWrite64(ulong pa, ulong value) => Inner.TryWrite64(pa, value);

        public bool TryCompareExchange32(ulong pa, uint value, uint comparand, out uint original) =>
            Inner.TryCompareExchange32(pa, value, comparand, out original);

        public bool TryRead(ulong pa, Span<byte> destination) => Inner.TryRead(pa, destination);

        public bool TryWrite(ulong pa, ReadOnlySpan<byte> source) => Inner.TryWrite(pa, source);
    }
}
