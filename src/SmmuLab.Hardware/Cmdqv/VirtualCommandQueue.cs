using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Queues;

namespace SmmuLab.Hardware.Cmdqv;

/// <summary>
/// One global VCMDQ: its page-0 registers (CONS, PROD, CONFIG, STATUS, GERROR, GERRORN) and
/// page-1 registers (BASE, CONS_INDX_BASE), and its consumer. Like the SMMU model's Inline mode,
/// the thread that writes PROD (or CONFIG.EN, or GERRORN clearing an error) consumes the queue
/// before its write returns. Each VCMDQ has its own lock, so queues are consumed independently;
/// they meet only in the SMMU's lock while a command executes.
/// </summary>
internal sealed class VirtualCommandQueue
{
    private readonly Lock gate = new();
    private readonly Tegra241Cmdqv owner;

    /// <summary>BASE, PROD and CONS. CONS.ERR codes are the SMMU's CERROR codes, extended (<see cref="VcmdqError"/>).</summary>
    private readonly HardwareQueue queue;

    private uint config;
    private uint gerror;
    private uint gerrorn;
    private ulong consIndexBase;

    public VirtualCommandQueue(Tegra241Cmdqv owner, int index)
    {
        this.owner = owner;
        Index = index;
        queue = new HardwareQueue(new QueueFormat(VcmdqBase.ADDR, VcmdqBase.LOG2SIZE, VcmdqPointer.INDEX, VcmdqPointer.ERR, CommandLayouts.Bytes, owner.Options.MaxQueueLog2));
    }

    public int Index { get; }

    public VcmdqStatistics Statistics { get; } = new();

    /// <summary>GERROR.CMDQ_ERR is active (GERROR and GERRORN differ): the queue is stopped.</summary>
    public bool InError => ((Volatile.Read(ref gerror) ^ Volatile.Read(ref gerrorn)) & VcmdqGError.CMDQ_ERR) != 0;

    private bool Enabled => VcmdqControl.EN.IsSet(Volatile.Read(ref config));

    /// <summary>Page-0 registers are single words written under the lock, so reads need none.</summary>
    public uint ReadPage0(int register) => register switch
    {
        CmdqvRegister.VCMDQ_CONS => queue.Cons,
        CmdqvRegister.VCMDQ_PROD => queue.Prod,
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
                CmdqvRegister.VCMDQ_BASE => queue.Base,
                CmdqvRegister.VCMDQ_CONS_INDX_BASE => consIndexBase,
                _ => 0,
            };
        }
    }

    /// <summary>Back to reset: disabled, no error, BASE, PROD, CONS and CONS_INDX_BASE zero.</summary>
    public void Reset()
    {
        lock (gate)
        {
            queue.Reset(0);
            Volatile.Write(ref config, 0);
            Volatile.Write(ref gerror, 0);
            Volatile.Write(ref gerrorn, 0);
            consIndexBase = 0;
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
                    queue.Prod = queue.TrimToSize(value & (uint)VcmdqPointer.INDEX.InPlaceMask);
                    kick = Enabled;
                    break;
                case CmdqvRegister.VCMDQ_CONS:
                    // Software sets CONS only while the queue is disabled (reset, deinit).
                    if (!Enabled)
                    {
                        queue.Cons = queue.TrimToSize(value & (uint)(VcmdqPointer.INDEX.InPlaceMask | VcmdqPointer.ERR.InPlaceMask));
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
                        queue.Base = value & (VcmdqBase.ADDR.InPlaceMask | VcmdqBase.LOG2SIZE.InPlaceMask);
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
            var current = register == CmdqvRegister.VCMDQ_BASE ? queue.Base : consIndexBase;
            WritePage1(register, RegisterHalves.With(current, half, high));
        }
    }

    /// <summary>
    /// Consumes from CONS to PROD while the queue may run (<see cref="Tegra241Cmdqv.ViewOf"/>) and
    /// no error is active. Returns true when it stopped on a new error that should interrupt.
    /// </summary>
    private bool ConsumeLocked()
    {
        var view = owner.ViewOf(Index);
        if (view.Vintf is null)
        {
            return false;
        }

        var sink = new Sink(this, view);
        CommandConsumer.Run(queue, owner.Memory, ref sink);
        return sink.Interrupt;
    }

    /// <summary>This queue as <see cref="CommandConsumer"/> runs it, under the rules of its VINTF.</summary>
    private struct Sink(VirtualCommandQueue q, Tegra241Cmdqv.QueueView view) : ICommandSink
    {
        /// <summary>The queue stopped on an error whose VINTF interrupt is unmasked.</summary>
        public bool Interrupt { get; private set; }

        public readonly bool MayConsume => !q.InError;

        public readonly void Fetching()
        {
        }

        public readonly byte Execute(ref Command command)
        {
            var error = GuestCommandFilter.Apply(ref command, view.HypOwn, view.Vmid, view.Vintf!, q.Statistics);
            var reservedIgnored = false;
            if (error == VcmdqError.NONE)
            {
                error = (VcmdqError)q.owner.Smmu.ExecuteFromSecondaryQueue(command, CommandQueueId.OfVcmdq(q.Index), out reservedIgnored, q.queue.Depth - 1);
            }

            if (error == VcmdqError.NONE)
            {
                q.Statistics.CountCommand(command.Opcode);
                if (reservedIgnored)
                {
                    q.Statistics.CountReservedBitCommand();
                }
            }

            return (byte)error;
        }

        /// <summary>GERROR.CMDQ_ERR is raised once CONS.ERR holds the reason.</summary>
        public void Stopped(byte error)
        {
            q.Statistics.CountError((VcmdqError)error);
            Volatile.Write(ref q.gerror, q.gerror ^ VcmdqGError.CMDQ_ERR);
            Interrupt = q.owner.InterruptUnmasked(view.Vintf!.Index);
        }

        /// <summary>Reported to the SMMU's observers when it executed (<see cref="Smmu.SmmuDevice.AddObserver"/>).</summary>
        public readonly void Consumed(in Command command)
        {
        }
    }
}
