using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Fuzzing;

/// <summary>The software side: bring-up, the command queue with error recovery, register writes, the event queue.</summary>
public sealed partial class FuzzMachine
{
    private const uint CmdqIndexMask = (1u << CmdqLog2) - 1;

    private static readonly (ulong Dw0, ulong Dw1) SyncNone = (Command.Sync(SyncCompletion.SIG_NONE).Dw0, Command.Sync(SyncCompletion.SIG_NONE).Dw1);

    /// <summary>The ID registers, which writes must not change.</summary>
    private static readonly int[] IdRegisters =
    [
        SmmuRegister.IDR0, SmmuRegister.IDR1, SmmuRegister.IDR2, SmmuRegister.IDR3, SmmuRegister.IDR4,
        SmmuRegister.IDR5, SmmuRegister.IIDR, SmmuRegister.AIDR,
    ];

    /// <summary>Every register offset the architecture names (public constants of <see cref="SmmuRegister"/>).</summary>
    public static IReadOnlyList<int> NamedRegisters { get; } = [.. typeof(SmmuRegister).GetFields()
        .Where(f => f.IsLiteral && f.FieldType == typeof(int)).Select(f => (int)f.GetRawConstantValue()!).Distinct().Order()];

    private void BringUp()
    {
        prod = 0;
        WriteCr0(0);
        device.Write32(SmmuRegister.CR2, (uint)Cr2.RECINVSID.Make(1));
        device.Write64(SmmuRegister.STRTAB_BASE, StrtabBase.ADDR.InsertAddress(0, StreamTable));
        device.Write32(SmmuRegister.STRTAB_BASE_CFG, (uint)StrtabBase.LOG2SIZE.Make(SidBits));
        device.Write64(SmmuRegister.CMDQ_BASE, QueueBase.ADDR.InsertAddress(0, CommandQueue) | QueueBase.LOG2SIZE.Make(CmdqLog2));
        device.Write32(SmmuRegister.CMDQ_PROD, 0);
        device.Write32(SmmuRegister.CMDQ_CONS, 0);
        device.Write64(SmmuRegister.EVENTQ_BASE, QueueBase.ADDR.InsertAddress(0, EventQueue) | QueueBase.LOG2SIZE.Make(EventqLog2));
        device.Write32(SmmuRegister.EVENTQ_PROD, 0);
        device.Write32(SmmuRegister.EVENTQ_CONS, 0);
        device.Write32(SmmuRegister.GERRORN, device.Read32(SmmuRegister.GERROR));
        var queues = (uint)(Cr0.EVENTQEN.Make(1) | Cr0.CMDQEN.Make(1));
        WriteCr0(queues);
        if (Invalidate() is { } problem)
        {
            throw new InvalidOperationException($"bring-up: {problem}");
        }

        WriteCr0(queues | (uint)Cr0.SMMUEN.Make(1));
    }

    private void WriteCr0(uint value)
    {
        device.Write32(SmmuRegister.CR0, value);
        if (device.Read32(SmmuRegister.CR0ACK) != value)
        {
            throw new InvalidOperationException($"bring-up: CR0ACK 0x{device.Read32(SmmuRegister.CR0ACK):x} did not follow CR0 0x{value:x}");
        }
    }

    /// <summary>
    /// Puts <paramref name="commands"/> on the CMDQ, publishes them, and recovers from every command
    /// error until CONS reaches PROD. An undefined opcode must stop the queue with CERROR_ILL at or
    /// before it; the harness's own commands (<paramref name="software"/>) must never be refused.
    /// </summary>
    private string? Issue(IReadOnlyList<(ulong Dw0, ulong Dw1)> commands, bool software)
    {
        var start = prod;
        int? undefined = null;
        for (var i = 0; i < commands.Count; i++)
        {
            var (dw0, dw1) = commands[i];
            if (!software)
            {
                stats.Commands++;
                if (!Enum.IsDefined((Opcode)(byte)dw0))
                {
                    stats.UndefinedOpcodes++;
                    undefined ??= i;
                }
            }

            var slot = CommandQueue + ((ulong)(prod & CmdqIndexMask) * 16);
            memory.Write64(slot, dw0);
            memory.Write64(slot + 8, dw1);
            prod = (prod + 1) & CmdqWrapMask;
        }

        device.Write32(SmmuRegister.CMDQ_PROD, prod);
        var errors = new Dictionary<int, CommandError>();
        for (var attempt = 0; ; attempt++)
        {
            var cons = device.Read32(SmmuRegister.CMDQ_CONS);
            if ((cons & CmdqWrapMask) == prod)
            {
                break;
            }

            var gerror = device.Read32(SmmuRegister.GERROR);
            if (((gerror ^ device.Read32(SmmuRegister.GERRORN)) & GError.CMDQ_ERR) == 0)
            {
                return $"the CMDQ stopped at CONS 0x{cons:x} (PROD 0x{prod:x}) without a command error";
            }

            var error = (CommandError)QueuePointer.ERR.Get(cons);
            if (error == CommandError.CERROR_NONE || !Enum.IsDefined(error))
            {
                return $"GERROR.CMDQ_ERR with CMDQ_CONS.ERR 0x{(uint)error:x}, not an architected command error";
            }

            var at = (int)(((cons & CmdqWrapMask) - start) & CmdqWrapMask);
            stats.CountCommandError(error.ToString());
            if (software && error != CommandError.CERROR_ATC_INV_SYNC)
            {
                return $"the harness's own command {at} was refused with {error}";
            }

            if (attempt > commands.Count + 1)
            {
                return $"the CMDQ did not drain after {attempt} recoveries (CONS 0x{cons:x}, PROD 0x{prod:x})";
            }

            errors.TryAdd(at, error);

            // As a driver recovers: the failing slot becomes a CMD_SYNC, the error is acknowledged, PROD is written again.
            var failing = CommandQueue + ((ulong)(cons & CmdqIndexMask) * 16);
            memory.Write64(failing, SyncNone.Dw0);
            memory.Write64(failing + 8, SyncNone.Dw1);
            device.Write32(SmmuRegister.GERRORN, gerror);
            device.Write32(SmmuRegister.CMDQ_PROD, prod);
        }

        if (undefined is { } u)
        {
            var first = errors.Count == 0 ? (int?)null : errors.Keys.Min();
            if (first is null || first > u)
            {
                return $"command {u} has the undefined opcode 0x{(byte)commands[u].Dw0:x2} but was consumed without CERROR_ILL";
            }

            if (first == u && errors[u] != CommandError.CERROR_ILL)
            {
                return $"command {u} has the undefined opcode 0x{(byte)commands[u].Dw0:x2} and stopped the queue with {errors[u]}, not CERROR_ILL";
            }
        }

        return null;
    }

    /// <summary>Writes a register of the 128 KiB frame; checks that the ID registers did not change; resets and brings the SMMU up again.</summary>
    private string? Register(WriteRegister r)
    {
        stats.RegisterWrites++;
        // Records written so far are the model's; after the write, EVENTQ_PROD may be the write's.
        if (DrainEvents() is { } earlier)
        {
            return earlier;
        }

        var ids = IdRegisters.Select(device.Read32).ToArray();
        if (r.Wide)
        {
            device.Write64(r.Offset, r.Value);
        }
        else
        {
            device.Write32(r.Offset, (uint)r.Value);
        }

        foreach (var offset in NamedRegisters)
        {
            _ = device.Read32(offset);
        }

        for (var i = 0; i < IdRegisters.Length; i++)
        {
            if (device.Read32(IdRegisters[i]) != ids[i])
            {
                return $"the write changed the read-only ID register at 0x{IdRegisters[i]:x} (0x{ids[i]:x} -> 0x{device.Read32(IdRegisters[i]):x})";
            }
        }

        device.Reset();
        BringUp();
        drained.Clear();
        return null;
    }

    /// <summary>Reads every new event record (each must have an architected type), then writes EVENTQ_CONS with the overflow acknowledged.</summary>
    private string? DrainEvents()
    {
        var p = device.Read32(SmmuRegister.EVENTQ_PROD);
        var c = device.Read32(SmmuRegister.EVENTQ_CONS) & EventqWrapMask;
        string? problem = null;
        for (var guard = 0; c != (p & EventqWrapMask) && guard <= 2 << EventqLog2; guard++)
        {
            var dw0 = memory.Read64(EventQueue + ((ulong)(c & EventqIndexMask) * 32));
            var type = (EventId)(byte)dw0;
            if (!Enum.IsDefined(type))
            {
                problem ??= $"event record of undefined type 0x{(byte)dw0:x2}";
            }

            stats.CountEvent(type.ToString());
            drained.Add((dw0, dw0 >> 32));
            c = (c + 1) & EventqWrapMask;
        }

        device.Write32(SmmuRegister.EVENTQ_CONS, c | (p & (uint)QueuePointer.OVFLG.Make(1)));
        return problem;
    }
}
