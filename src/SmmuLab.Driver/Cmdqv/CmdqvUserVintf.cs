using SmmuLab.Architecture.Memory;

namespace SmmuLab.Driver.Cmdqv;

/// <summary>
/// A VM's VINTF as the host kernel manages it for the VMM (the iommufd vIOMMU object of type
/// TEGRA241_CMDQV): its VMID, the StreamIDs the VM may name, and its logical VCMDQs, which the
/// guest fills and enables itself through <see cref="Page0"/>. Queues are allocated from lidx 0
/// upwards and destroyed from the last downwards.
/// </summary>
public sealed class CmdqvUserVintf : IDisposable
{
    private readonly CmdqvDriver owner;
    private readonly Lock gate = new();
    private readonly bool[] queues;
    private readonly bool[] sidSlots;
    private bool disposed;

    internal CmdqvUserVintf(CmdqvDriver owner, CmdqvVintf vintf, IMmio page0)
    {
        this.owner = owner;
        Vintf = vintf;
        Page0 = page0;
        queues = new bool[owner.LogicalQueuesPerVintf];
        sidSlots = new bool[owner.NumSidsPerVintf];
    }

    public CmdqvVintf Vintf { get; }

    public int Index => Vintf.Index;

    public ushort Vmid => Vintf.Vmid;

    /// <summary>The VINTF's page 0 (64 KiB): the logical VCMDQs' PROD/CONS/CONFIG/GERROR, as mapped into the guest.</summary>
    public IMmio Page0 { get; }

    /// <summary>The host's interrupt found this VINTF's queues in error: the two LVCMDQ error maps (forwarded to the guest).</summary>
    public event Action<ulong, ulong>? ErrorReported;

    /// <summary>
    /// Lets the VM name <paramref name="physicalSid"/> as <paramref name="virtualSid"/> in ATC_INV
    /// (the kernel's <c>tegra241_vintf_init_vsid</c>). Returns the SID slot used.
    /// </summary>
    /// <exception cref="InvalidOperationException">Every slot is in use.</exception>
    public int AddStream(uint virtualSid, uint physicalSid)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var slot = Array.IndexOf(sidSlots, false);
            if (slot < 0)
            {
                throw new InvalidOperationException($"VINTF{Index}: all {sidSlots.Length} SID slots are in use");
            }

            owner.WriteSidPair(Index, slot, virtualSid, physicalSid, enable: true);
            sidSlots[slot] = true;
            return slot;
        }
    }

    /// <summary>Forgets the stream of a slot <see cref="AddStream"/> returned.</summary>
    public void RemoveStream(int slot)
    {
        lock (gate)
        {
            owner.WriteSidPair(Index, slot, 0, 0, enable: false);
            sidSlots[slot] = false;
        }
    }

    /// <summary>
    /// Allocates logical VCMDQ <paramref name="lidx"/> on a ring the guest allocated at
    /// <paramref name="baseAddress"/> with 2^<paramref name="log2Entries"/> 16-byte entries.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">lidx or the size is out of range, or the base is not aligned to the size.</exception>
    /// <exception cref="InvalidOperationException">The slot is in use (EEXIST), or lidx - 1 is not allocated (EIO).</exception>
    public void AllocateQueue(int lidx, ulong baseAddress, int log2Entries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lidx);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(lidx, queues.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(log2Entries, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(log2Entries, owner.Smmu.Features.CmdqLog2);
        var bytes = 16UL << log2Entries;
        if ((baseAddress & (bytes - 1)) != 0 || baseAddress >= 1UL << 48)
        {
            throw new ArgumentOutOfRangeException(nameof(baseAddress), $"0x{baseAddress:x} is not a 48-bit address aligned to {bytes} bytes");
        }

        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (queues[lidx])
            {
                throw new InvalidOperationException($"VINTF{Index}: lvcmdq{lidx} is already allocated");
            }

            if (lidx > 0 && !queues[lidx - 1])
            {
                throw new InvalidOperationException($"VINTF{Index}: lvcmdq{lidx - 1} must be allocated before lvcmdq{lidx}");
            }

            owner.InitUserQueue(Vintf, lidx, baseAddress, log2Entries);
            queues[lidx] = true;
        }
    }

    /// <summary>Destroys logical VCMDQ <paramref name="lidx"/>; lidx + 1 must be gone already.</summary>
    /// <exception cref="InvalidOperationException">The queue is not allocated, or lidx + 1 still is.</exception>
    public void DestroyQueue(int lidx)
    {
        lock (gate)
        {
            if (lidx < 0 || lidx >= queues.Length || !queues[lidx])
            {
                throw new InvalidOperationException($"VINTF{Index}: lvcmdq{lidx} is not allocated");
            }

            if (lidx + 1 < queues.Length && queues[lidx + 1])
            {
                throw new InvalidOperationException($"VINTF{Index}: lvcmdq{lidx + 1} must be destroyed before lvcmdq{lidx}");
            }

            owner.DestroyUserQueue(Vintf, lidx);
            queues[lidx] = false;
        }
    }

    /// <summary>Destroys the queues (last first), then the VINTF.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            for (var lidx = queues.Length - 1; lidx >= 0; lidx--)
            {
                if (queues[lidx])
                {
                    owner.DestroyUserQueue(Vintf, lidx);
                    queues[lidx] = false;
                }
            }

            disposed = true;
        }

        owner.ReleaseUserVintf(this);
    }

    internal void ReportError(ulong lo, ulong hi) => ErrorReported?.Invoke(lo, hi);
}
