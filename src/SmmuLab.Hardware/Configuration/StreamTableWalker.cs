using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Smmu;
using R = SmmuLab.Hardware.Configuration.ConfigFaultReason;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// Locates, fetches and decodes the STE of a StreamID from the Non-secure stream table (IHI0070
/// 6.3.24-6.3.25 STRTAB_BASE/_CFG, 5.1 L1STD, 5.2 STE).
/// </summary>
/// <remarks>
/// The result of <see cref="Fetch{TCache}"/> carries the fetched <see cref="StreamConfig"/> in
/// <see cref="ConfigResult.Stream"/> whenever an STE was read, whatever its state: that is what a
/// configuration cache may keep (5.2.1). C_BAD_STREAMID and F_STE_FETCH results carry none.
/// </remarks>
internal sealed class StreamTableWalker
{
    private readonly ConfigFeatures features;
    private readonly IDeviceMemory memory;
    private long steReads;
    private long l1Reads;

    public StreamTableWalker(SmmuFeatures features, IDeviceMemory memory)
        : this(new ConfigFeatures(features), memory)
    {
    }

    internal StreamTableWalker(ConfigFeatures features, IDeviceMemory memory)
    {
        this.features = features;
        this.memory = memory;
    }

    /// <summary>STE reads from memory (including aborted ones).</summary>
    public long SteReads => Interlocked.Read(ref steReads);

    /// <summary>L1STD reads from memory (including aborted ones).</summary>
    public long L1Reads => Interlocked.Read(ref l1Reads);

    /// <summary>Fetches the STE with no intermediate cache.</summary>
    public ConfigResult Fetch(in StreamTableRegisters regs, uint cr2, uint sid, uint? ssid = null)
    {
        var none = default(NoL1DescriptorCache);
        return Fetch(regs, cr2, sid, ssid, ref none);
    }

    /// <summary>
    /// Fetches and validates the STE of <paramref name="sid"/>. <paramref name="ssid"/> is the
    /// transaction's SubstreamID, only used to fill the event record.
    /// </summary>
    public ConfigResult Fetch<TCache>(in StreamTableRegisters regs, uint cr2, uint sid, uint? ssid, ref TCache l1Cache)
        where TCache : struct, IL1DescriptorCache
    {
        var log2Size = Math.Min(regs.Log2Size, features.SidSize);
        if (((ulong)sid >> log2Size) != 0)
        {
            return BadStreamId(cr2, R.StreamIdOutOfRange, sid, ssid);
        }

        ulong steAddress;
        if (regs.IsTwoLevel && features.TwoLevelStreamTable)
        {
            var split = regs.Split;

            // The SMMU treats ADDR[MAX(5, LOG2SIZE - SPLIT - 1 + 3):0] as zero.
            var alignBits = Math.Max(5, log2Size - split + 2) + 1;
            var l1Index = sid >> split;
            var l1Address = AlignDown(regs.Address, alignBits) + (8UL * l1Index);
            if (!l1Cache.TryGetL1Std(split, l1Index, out var l1))
            {
                Interlocked.Increment(ref l1Reads);
                if (!StructureReader.TryRead64(memory, features.OasBits, l1Address, out l1))
                {
                    return FetchAbort(sid, ssid, l1Address);
                }

                l1Cache.AddL1Std(split, l1Index, l1);
            }

            var span = (int)L1Std.Span.Get(l1);
            if (span is 0 or > 11)
            {
                return BadStreamId(cr2, R.L1StdInvalid, sid, ssid);
            }

            if (span > split + 1)
            {
                return BadStreamId(cr2, R.L1StdSpanTooLarge, sid, ssid);
            }

            var l2Index = sid & ((1u << split) - 1);
            if (l2Index >= 1u << (span - 1))
            {
                return BadStreamId(cr2, R.StreamIdOutsideSpan, sid, ssid);
            }

            // L2Ptr[5 + (Span - 1):0] are treated as zero: the array is aligned to its size.
            steAddress = AlignDown(L1Std.L2Ptr.GetAddress(l1), span + 5) + (64UL * l2Index);
        }
        else
        {
            // Linear: ADDR[LOG2SIZE + 5:0] are treated as zero.
            steAddress = AlignDown(regs.Address, log2Size + 6) + (64UL * sid);
        }

        Span<ulong> ste = stackalloc ulong[Ste.Dwords];
        Interlocked.Increment(ref steReads);
        if (!StructureReader.TryRead(memory, features.OasBits, steAddress, ste))
        {
            return FetchAbort(sid, ssid, steAddress);
        }

        return Outcome(SteDecoder.Decode(sid, ste, features, cr2), ssid);
    }

    /// <summary>What a transaction gets from a (fetched or cached) STE before any CD is considered.</summary>
    public static ConfigResult Outcome(StreamConfig ste, uint? ssid)
    {
        if (!ste.IsLegal)
        {
            return ConfigResult.Failed(new ConfigFault(EventId.C_BAD_STE, ste.IllegalReason, ste.StreamId, ssid), ste);
        }

        return ste.Kind == StreamConfigKind.Abort
            ? ConfigResult.Aborted(new ConfigFault(default, R.StreamAbort, ste.StreamId, ssid), ste)
            : ConfigResult.Success(ste);
    }

    private static ulong AlignDown(ulong address, int bits) => bits >= 64 ? 0 : address & ~((1UL << bits) - 1);

    private static ConfigResult BadStreamId(uint cr2, R reason, uint sid, uint? ssid)
    {
        var fault = new ConfigFault(EventId.C_BAD_STREAMID, reason, sid, ssid);
        return Cr2.RECINVSID.IsSet(cr2) ? ConfigResult.Failed(fault) : ConfigResult.Aborted(fault);
    }

    private static ConfigResult FetchAbort(uint sid, uint? ssid, ulong address) =>
        ConfigResult.Failed(new ConfigFault(EventId.F_STE_FETCH, R.SteFetchAbort, sid, ssid, address));
}
