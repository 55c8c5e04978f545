using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Cmdqv;

namespace SmmuLab.Hardware.Tests.Cmdqv;

/// <summary><see cref="Tegra241Cmdqv.Reset"/>: a CMDQV used, then reset, answers as a new one and works again.</summary>
public sealed class CmdqvResetTests
{
    private static uint[] Window(Tegra241Cmdqv cmdqv)
    {
        var words = new uint[cmdqv.RegionSize / 4];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = cmdqv.Read32(i * 4);
        }

        return words;
    }

    [Fact]
    public void A_used_CMDQV_reads_like_a_new_one_after_reset_and_can_be_set_up_again()
    {
        using var fresh = new CmdqvTestBed();
        fresh.Cmdqv.Write32(CmdqvRegister.CONFIG, 0);
        var expected = Window(fresh.Cmdqv);

        using var bed = new CmdqvTestBed();
        bed.EnableVintf(1, vmid: 3, hypOwn: false);
        bed.MapQueue(vcmdq: 4, vintf: 1, lidx: 0);
        bed.MapSid(1, 0, virtualSid: 7, physicalSid: 0x70);
        bed.Cmdqv.Write32(CmdqvRegister.VINTF_INT_MASK, 0b10);
        bed.Submit(1, 0, Command.CfgiAll()); // not a guest command: the queue stops on it
        Assert.True(bed.Cmdqv.QueueInError(4));

        bed.Cmdqv.Reset();

        Assert.Equal(expected, Window(bed.Cmdqv));
        Assert.False(bed.Cmdqv.QueueInError(4));
        Assert.Equal(-1, bed.Cmdqv.GlobalIndexOf(1, 0));

        // Set up again (a queue the test bed's producer has not used, so its PROD starts at 0 too).
        bed.Cmdqv.Write32(CmdqvRegister.CONFIG, 1);
        bed.EnableVintf(1, vmid: 3, hypOwn: false);
        bed.MapQueue(vcmdq: 5, vintf: 1, lidx: 0);
        bed.InsertTlbEntry(3, asid: 5, va: 0x10000);
        bed.Submit(1, 0, Command.TlbiNhAsid(0, 5), Command.Sync(SyncCompletion.SIG_NONE));
        Assert.Equal(2u, bed.Cons(1, 0));
        Assert.False(bed.TlbHolds(3, 5, 0x10000));
    }
}
