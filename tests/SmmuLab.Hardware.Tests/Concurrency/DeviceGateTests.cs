using SmmuLab.Hardware.Concurrency;

namespace SmmuLab.Hardware.Tests.Concurrency;

/// <summary>The device lock's sequence count: odd exactly while some thread holds the lock, whatever the nesting.</summary>
public sealed class DeviceGateTests
{
    [Fact]
    public void A_quiet_read_fails_while_the_lock_is_held_and_after_a_hold_overlapped_it()
    {
        var gate = new DeviceGate();
        Assert.True(gate.TryBeginQuiet(out var before));
        Assert.True(gate.StillQuiet(before));

        using (gate.Enter())
        {
            Assert.False(gate.StillQuiet(before));
            Assert.False(gate.TryBeginQuiet(out _));
        }

        Assert.False(gate.StillQuiet(before)); // a hold came and went
        Assert.True(gate.TryBeginQuiet(out var after));
        Assert.Equal(before + 2, after);
    }

    [Fact]
    public void Nested_holds_keep_the_count_odd_until_the_outermost_ends()
    {
        var gate = new DeviceGate();
        using (gate.Enter())
        {
            var held = gate.Sequence;
            using (gate.Enter())
            {
                Assert.Equal(held, gate.Sequence);
            }

            Assert.Equal(held, gate.Sequence);
            Assert.Equal(1, held & 1);
            Assert.True(gate.IsHeldByCurrentThread);
        }

        Assert.Equal(0, gate.Sequence & 1);
        Assert.False(gate.IsHeldByCurrentThread);
    }

    [Fact]
    public void Holders_on_several_threads_leave_the_count_even_and_moved_by_two_per_hold()
    {
        var gate = new DeviceGate();
        const int PerThread = 20_000;
        var oddSeenInside = 0;
        var threads = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                using (gate.Enter())
                {
                    oddSeenInside += (int)(gate.Sequence & 1); // under the lock: a plain add is safe
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(3 * PerThread, oddSeenInside);
        Assert.Equal(2L * 3 * PerThread, gate.Sequence);
    }

    [Fact]
    public void An_exception_inside_a_hold_releases_the_lock_and_ends_the_hold()
    {
        var gate = new DeviceGate();
        Action hold = () =>
        {
            using (gate.Enter())
            {
                throw new InvalidOperationException("inside");
            }
        };
        Assert.Throws<InvalidOperationException>(hold);

        Assert.False(gate.IsHeldByCurrentThread);
        Assert.True(gate.TryBeginQuiet(out var sequence));
        Assert.Equal(2, sequence);
    }
}
