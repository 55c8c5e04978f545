using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Cmdqv;

/// <summary>
/// One global VCMDQ: its page-0 registers (CONS, PROD, CONFIG, STATUS, GERROR, GERRORN) and
/// page-1 registers (BASE, CONS_INDX_BASE), and its consumer. Like the SMMU model's Inline mode,
/// the thread that writes PROD (or CONFIG.EN, or GERRORN clearing an error) consumes the queue
/// before its write returns. Each VCMDQ has its own lock, so queues are consumed independently;
/// they meet only in the SMMU's lock while a command executes.
/// </summary>
internal sealed class VirtualCommandQueue(Tegra241Cmdqv owner, int index)
{
    private readonly Lock gate = new();
    private uint cons;
    private uint prod;
    private uint config;
    private uint gerror;
    private uint gerrorn;
    private ulong baseRegister;
    private ulong consIndexBase;

    public int Index { get; } = index;

    public VcmdqStatistics Statistics { get; } = new();

    /// <summary>GERROR.CMDQ_ERR is active (GERROR and GERRORN differ): the queue is stopped.</summary>
    public bool InError => ((Volatile.Read(ref gerror) ^ Volatile.Read(ref gerrorn)) & VcmdqGError.CMDQ_ERR) != 0;

    private bool Enabled => VcmdqControl.EN.IsSet(Volatile.Read(ref config));

    private int Log2Size => Math.Min((int)VcmdqBase.LOG2SIZE.Get(Volatile.Read(ref baseRegister)), owner.Options.MaxQueueLog2);

    /// <summary>Page-0 registers are single words written under the lock, so reads need none.</summary>
    public uint ReadPage0(int register) => register switch
    {
        CmdqvRegister.VCMDQ_CONS => Volatile.Read(ref cons),
        CmdqvRegister.VCMDQ_PROD => Volatile.Read(ref prod),
        CmdqvRegister.VCMDQ_CONFIG => Volatile.Read(ref config),
        CmdqvRegister.VCMDQ_STATUS => Volatile.Read(ref config) & (uint)VcmdqControl.EN.InPlaceMask,
        CmdqvRegister.VCMDQ_GERROR => Volatile.Read(ref gerror),
        CmdqvRegister.VCMDQ_GERRORN => Volatile.Read(ref gerrorn),
        _ => 0,
    };

    public ulong ReadPage1(int register)
    {
        lock (gate)
        {
            return register switch
            {
                CmdqvRegister.VCMDQ_BASE => baseRegister,
                CmdqvRegister.VCMDQ_CONS_INDX_BASE => consIndexBase,
                _ => 0,
            };
        }
    }

    /// <summary>A page-0 write; returns true when the queue stopped on an error that should interrupt.</summary>
    public bool WritePage0(int register, uint value)
    {
        lock (gate)
        {
            var kick = false;
            switch (register)
            {
                case CmdqvRegister.VCMDQ_PROD:
                    Volatile.Write(ref prod, value & QueuePointer.WrapIndexMask(Log2Size));
                    kick = Enabled;
                    break;
                case CmdqvRegister.VCMDQ_CONS:
                    // Software sets CONS only while the queue is disabled (reset, deinit).
                    if (!Enabled)
                    {
                        Volatile.Write(ref cons, value & (QueuePointer.WrapIndexMask(Log2Size) | (uint)VcmdqPointer.ERR.InPlaceMask));
                    }

                    break;
                case CmdqvRegister.VCMDQ_CONFIG:
                    var was = Enabled;
                    Volatile.Write(ref config, value & (uint)VcmdqControl.EN.InPlaceMask);
                    kick = Enabled && !was;
                    break;
                case CmdqvRegister.VCMDQ_GERRORN:
                    var wasError = InError;
                    Volatile.Write(ref gerrorn, value & VcmdqGError.ImplementedMask);
                    kick = wasError && !InError && Enabled;
                    break;
                default:
                    break; // CONS.ERR, STATUS and GERROR are read-only
            }

            return kick && ConsumeLocked();
        }
    }

    /// <summary>A page-1 write of a whole 64-bit register; BASE changes only while the queue is disabled.</summary>
    public void WritePage1(int register, ulong value)
    {
        lock (gate)
        {
            switch (register)
            {
                case CmdqvRegister.VCMDQ_BASE:
                    if (!Enabled)
                    {
                        Volatile.Write(ref baseRegister, value & (VcmdqBase.ADDR.InPlaceMask | VcmdqBase.LOG2SIZE.InPlaceMask));
                    }

                    break;
                case CmdqvRegister.VCMDQ_CONS_INDX_BASE:
                    consIndexBase = value;
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>A 32-bit write to one half of a page-1 register.</summary>
    public void WritePage1Half(int register, uint half, bool high)
    {
        lock (gate)
        {
            var current = register == CmdqvRegister.VCMDQ_BASE ? baseRegister : consIndexBase;
            WritePage1(register, high ? (current & 0xFFFF_FFFFUL) | ((ulong)half << 32) : (current & ~0xFFFF_FFFFUL) | half);
        }
    }

    /// <summary>
    /// Consumes from CONS to PROD while the queue may run (<see cref="Tegra241Cmdqv.ViewOf"/>) and
    /// no error is active. Returns true when it stopped on a new error that should interrupt.
    /// </summary>
    private bool ConsumeLocked()
    {
        var view = owner.ViewOf(Index);
        if (view.Vintf is not { } vintf)
        {
            return false;
        }

        var log2 = Log2Size;
        var baseAddr = QueueBase.AlignedBase(VcmdqBase.ADDR.GetAddress(baseRegister), log2, CommandLayouts.Bytes);
        var memory = owner.Memory;
        while (!InError && !QueuePointer.IsEmpty(prod, cons, log2))
        {
            var slot = baseAddr + (QueuePointer.Index(cons, log2) * (ulong)CommandLayouts.Bytes);
            if (!memory.IsBacked(slot))
            {
                return StopOnError(VcmdqError.ABT, vintf);
            }

            var cmd = new Command(memory.Read64(slot), memory.Read64(slot + 8));
            var error = GuestCommandFilter.Apply(ref cmd, view.HypOwn, view.Vmid, vintf, Statistics);
            var reservedIgnored = false;
            if (error == VcmdqError.NONE)
            {
                error = (VcmdqError)owner.Smmu.ExecuteFromSecondaryQueue(cmd, out reservedIgnored);
            }

            if (error != VcmdqError.NONE)
            {
                return StopOnError(error, vintf);
            }

            Statistics.CountCommand(cmd.Opcode);
            if (reservedIgnored)
            {
                Statistics.CountReservedBitCommand();
            }

            Volatile.Write(ref cons, QueuePointer.Increment(cons & ~(uint)VcmdqPointer.ERR.InPlaceMask, log2));
            owner.OnCommandConsumed(Index, cmd);
        }

        return false;
    }

    /// <summary>CONS stays on the failing command with CONS.ERR set, then GERROR.CMDQ_ERR is raised.</summary>
    private bool StopOnError(VcmdqError error, VirtualInterface vintf)
    {
        Volatile.Write(ref cons, (uint)VcmdqPointer.ERR.Insert(cons, (ulong)error));
        Statistics.CountError(error);
        Volatile.Write(ref gerror, gerror ^ VcmdqGError.CMDQ_ERR);
        return owner.InterruptUnmasked(vintf.Index);
    }
}
