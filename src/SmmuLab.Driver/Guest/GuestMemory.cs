using SmmuLab.Architecture.Memory;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Guest;

/// <summary>
/// A VM's RAM as its kernel sees it: a window of intermediate physical addresses
/// [<see cref="IpaBase"/>, <see cref="IpaBase"/> + <see cref="Size"/>) backed by machine memory from
/// <see cref="PaBase"/> on. The guest reads and writes it by IPA (<see cref="IPhysicalMemory"/>),
/// and allocates its tables and queues in it (<see cref="IDmaAllocator"/>, returning IPAs), so every
/// address a guest structure holds (an STE's S1ContextPtr, a CD's TTB0, a table descriptor, a
/// VCMDQ base) is an IPA, which only the VM's stage 2 turns into a PA.
/// </summary>
/// <remarks>
/// The VMM maps the window into the VM's stage 2 (<see cref="GuestVm"/> does); an access outside it
/// throws <see cref="ArgumentOutOfRangeException"/>. Allocation is first fit over freed ranges, then
/// from the top of what was handed out; memory is zeroed when it is handed out.
/// </remarks>
public sealed class GuestMemory : IPhysicalMemory, IDmaAllocator
{
    private readonly IPhysicalMemory machine;
    private readonly Lock gate = new();
    private readonly List<(ulong Address, ulong Bytes)> free = [];
    private ulong next;

    public GuestMemory(IPhysicalMemory machine, ulong ipaBase, ulong paBase, ulong size)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentOutOfRangeException.ThrowIfZero(size);
        if (((ipaBase | paBase | size) & 0xfff) != 0)
        {
            throw new ArgumentException("guest memory is made of whole 4 KiB pages");
        }

        this.machine = machine;
        IpaBase = ipaBase;
        PaBase = paBase;
        Size = size;
        next = ipaBase;
    }

    public ulong IpaBase { get; }

    public ulong PaBase { get; }

    public ulong Size { get; }

    /// <summary>Bytes handed out and not freed.</summary>
    public ulong BytesInUse { get; private set; }

    /// <summary>Whether [ipa, ipa + bytes) lies in the window.</summary>
    public bool Contains(ulong ipa, ulong bytes = 1) => ipa >= IpaBase && bytes <= Size && ipa - IpaBase <= Size - bytes;

    /// <summary>The machine address behind <paramref name="ipa"/>.</summary>
    public ulong ToPhysical(ulong ipa, ulong bytes = 1) =>
        Contains(ipa, bytes) ? PaBase + (ipa - IpaBase)
            : throw new ArgumentOutOfRangeException(nameof(ipa), $"IPA 0x{ipa:x}+0x{bytes:x} is outside guest memory 0x{IpaBase:x}+0x{Size:x}");

    public ulong Allocate(ulong bytes, ulong alignment)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bytes);
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentException($"alignment 0x{alignment:x} is not a power of two", nameof(alignment));
        }

        lock (gate)
        {
            var found = free.FindIndex(f => (f.Address & (alignment - 1)) == 0 && f.Bytes >= bytes);
            ulong address;
            if (found >= 0)
            {
                var (at, length) = free[found];
                free.RemoveAt(found);
                if (length > bytes)
                {
                    free.Add((at + bytes, length - bytes));
                }

                address = at;
            }
            else
            {
                address = (next + alignment - 1) & ~(alignment - 1);
                if (address < next || !Contains(address, bytes))
                {
                    throw new DmaAllocationException($"guest memory 0x{IpaBase:x}+0x{Size:x} has no 0x{bytes:x} bytes left");
                }

                next = address + bytes;
            }

            machine.Write(ToPhysical(address, bytes), new byte[bytes]);
            BytesInUse += bytes;
            return address;
        }
    }

    public void Free(ulong address, ulong bytes)
    {
        ToPhysical(address, bytes);
        lock (gate)
        {
            free.Add((address, bytes));
            BytesInUse -= bytes;
        }
    }

    public uint Read32(ulong pa) => machine.Read32(ToPhysical(pa, 4));

    public ulong Read64(ulong pa) => machine.Read64(ToPhysical(pa, 8));

    public void Write32(ulong pa, uint value) => machine.Write32(ToPhysical(pa, 4), value);

    public void Write64(ulong pa, ulong value) => machine.Write64(ToPhysical(pa, 8), value);

    public uint ReadVolatile32(ulong pa) => machine.ReadVolatile32(ToPhysical(pa, 4));

    public void WriteVolatile32(ulong pa, uint value) => machine.WriteVolatile32(ToPhysical(pa, 4), value);

    public uint CompareExchange32(ulong pa, uint value, uint comparand) => machine.CompareExchange32(ToPhysical(pa, 4), value, comparand);

    public void Read(ulong pa, Span<byte> destination) => machine.Read(ToPhysical(pa, (ulong)destination.Length), destination);

    public void Write(ulong pa, ReadOnlySpan<byte> source) => machine.Write(ToPhysical(pa, (ulong)source.Length), source);
}
