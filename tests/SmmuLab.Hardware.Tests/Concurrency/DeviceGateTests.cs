using SmmuLab.Hardware.Concurrency;

namespace SmmuLab.Hardware.Tests.Concurrency;

/// <summary>The device lock's sequence count: odd exactly while some thread holds the lock to translate, whatever the nesting.</summary>
public sealed class DeviceGateTests
{
    [Fact]
    public void A_quiet_read_fails_while_the_lock_is_held_to_translate_and_after_such_a_hold_overlapped_it()
    {
        var gate = new DeviceGate();
        Assert.True(gate.TryBeginQuiet(out var before));
        Assert.True(gate.StillQuiet(before));

        using (gate.EnterToTranslate())
        {
            Assert.True(gate.IsHeldToTranslate);
            Assert.False(gate.StillQuiet(before));
            Assert.False(gate.TryBeginQuiet(out _));
        }

        Assert.False(gate.StillQuiet(before)); // a hold came and went
        Assert.True(gate.TryBeginQuiet(out var after));
        Assert.Equal(before + 2, after);
    }

    [Fact]
    public void A_hold_that_translates_nothing_leaves_the_count_alone()
    {
        var gate = new DeviceGate();
        Assert.True(gate.TryBeginQuiet(out var before));
        using (gate.Enter())
        {
            Assert.True(gate.IsHeldByCurrentThread);
            Assert.False(gate.IsHeldToTranslate);
            Assert.True(gate.StillQuiet(before));
        }

        Assert.True(gate.StillQuiet(before));
    }

    [Fact]
    public void Nested_holds_keep_the_count_odd_until_the_outermost_translating_one_ends()
    {
        var gate = new DeviceGate();
        using (gate.Enter())
        {
            Assert.Equal(0, gate.Sequence);
            using (gate.EnterToTranslate())
            {
                var held = gate.Sequence;
                Assert.Equal(1, held & 1);
                using (gate.EnterToTranslate())
                {
                    Assert.Equal(held, gate.Sequence);
                    using (gate.Enter())
                    {
                        Assert.Equal(held, gate.Sequence);
                    }
                }

                Assert.Equal(held, gate.Sequence);
                Assert.True(gate.IsHeldToTranslate);
            }

            Assert.Equal(2, gate.Sequence); // the translating stretch ended inside the plain hold
            Assert.False(gate.IsHeldToTranslate);
        }

        Assert.False(gate.IsHeldByCurrentThread);
    }

    [Fact]
    public void Holders_on_several_threads_leave_the_count_even_and_moved_by_two_per_translating_hold()
    {
        var gate = new DeviceGate();
        const int PerThread = 20_000;
        var oddSeenInside = 0;
        var threads = Enumerable.Range(0, 3).Select(t => new Thread(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                using (gate.EnterToTranslate())
                {
                    oddSeenInside += (int)(gate.Sequence & 1); // under the lock: a plain add is safe
                }

                using (gate.Enter())
                {
                    oddSeenInside += (int)(gate.Sequence & 1) * 1000; // never odd in a plain hold
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
            using (gate.EnterToTranslate())
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
