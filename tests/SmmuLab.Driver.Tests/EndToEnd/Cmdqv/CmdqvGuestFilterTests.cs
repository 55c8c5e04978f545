using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdqv;

namespace SmmuLab.Driver.Tests.EndToEnd.Cmdqv;

/// <summary>
/// The guest-owned VINTF's command filter, tried with every opcode byte: a queue with HYP_OWN 0
/// takes exactly TLBI_NH_ASID, TLBI_NH_VA and ATC_INV; a host queue takes everything.
/// </summary>
public class CmdqvGuestFilterTests
{
    private static readonly Opcode[] GuestOpcodes = [Opcode.CMD_TLBI_NH_ASID, Opcode.CMD_TLBI_NH_VA, Opcode.CMD_ATC_INV];

    [Fact]
    public void The_guest_filter_takes_exactly_three_opcodes()
    {
        var taken = Enumerable.Range(0, 256).Select(b => (Opcode)b).Where(op => CmdqvCommands.GuestSupports(new Command((ulong)op, 0))).ToArray();

        Assert.Equal(GuestOpcodes.Order(), taken);
    }

    [Fact]
    public void A_guest_kernels_queues_take_exactly_three_opcodes_and_a_hosts_take_all()
    {
        using (var guest = CmdqvMachine.Build(out var cmdqv, hypOwnWiredToZero: true))
        {
            Assert.All(cmdqv.Driver!.KernelQueues, q =>
                Assert.Equal(GuestOpcodes.Order(), Enumerable.Range(0, 256).Select(b => (Opcode)b).Where(op => q.Queue.Supports(new Command((ulong)op, 0)))));
        }

        using var host = CmdqvMachine.Build(out var hostCmdqv);
        Assert.All(hostCmdqv.Driver!.KernelQueues, q =>
            Assert.All(Enumerable.Range(0, 256), b => Assert.True(q.Queue.Supports(new Command((ulong)b, 0)))));
    }
}
