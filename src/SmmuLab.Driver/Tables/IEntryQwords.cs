using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Memory;

namespace SmmuLab.Driver.Tables;

/// <summary>
/// Where an entry being rewritten lives: eight qwords, each read and stored as one 64-bit access
/// (the SMMU may fetch the entry at any time, so a qword must never be torn).
/// </summary>
internal interface IEntryQwords
{
    ulong Read(int index);

    void Write(int index, ulong value);
}

/// <summary>An entry in a managed buffer (tests, staging copies). Stores are single volatile 64-bit writes.</summary>
internal readonly ref struct SpanEntryQwords(Span<ulong> qwords) : IEntryQwords
{
    private readonly Span<ulong> qwords = qwords;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Read(int index) => Volatile.Read(ref qwords[index]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, ulong value) => Volatile.Write(ref qwords[index], value);
}

/// <summary>An entry in DMA memory at <paramref name="address"/> (64-byte aligned), as the driver holds STEs and CDs.</summary>
internal readonly struct DmaEntryQwords(IPhysicalMemory memory, ulong address) : IEntryQwords
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Read(int index) => memory.Read64(address + ((ulong)index * 8));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, ulong value) => memory.Write64(address + ((ulong)index * 8), value);
}
