using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Memory;
using SmmuLab.Hardware.Smmu;
using R = SmmuLab.Hardware.Configuration.ConfigFaultReason;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// Fetches and decodes the CD at a given index of a stream's CD table: linear, or 2-level with
/// 4 KiB or 64 KiB leaf tables (IHI0070 5.2 S1Fmt, 5.3 L1CD, 5.4 CD). For a nested STE the table
/// addresses are IPAs and are translated through <see cref="IIpaTranslator"/>.
/// </summary>
/// <remarks>
/// The result carries the fetched <see cref="ContextConfig"/> whenever a CD was read (legal or
/// not), which is what a configuration cache may keep. Failed fetches (F_CD_FETCH, stage-2 faults)
/// and C_BAD_SUBSTREAMID results carry none.
/// </remarks>
internal sealed class ContextDescriptorWalker
{
    private readonly ConfigFeatures features;
    private readonly IDeviceMemory memory;
    private long cdReads;
    private long l1Reads;

    public ContextDescriptorWalker(SmmuFeatures features, IDeviceMemory memory, IIpaTranslator? ipaTranslator = null)
        : this(new ConfigFeatures(features), memory, ipaTranslator)
    {
    }

    internal ContextDescriptorWalker(ConfigFeatures features, IDeviceMemory memory, IIpaTranslator? ipaTranslator)
    {
        this.features = features;
        this.memory = memory;
        IpaTranslator = ipaTranslator;
    }

    /// <summary>Stage-2 translation of CD-table IPAs; required for nested STEs.</summary>
    public IIpaTranslator? IpaTranslator { get; set; }

    /// <summary>CD reads from memory (including aborted ones).</summary>
    public long CdReads => Interlocked.Read(ref cdReads);

    /// <summary>L1CD reads from memory (including aborted ones).</summary>
    public long L1Reads => Interlocked.Read(ref l1Reads);

    /// <summary>Fetches CD <paramref name="index"/> with no intermediate cache.</summary>
    public ConfigResult Fetch(StreamConfig ste, uint index, uint? ssid = null)
    {
        var none = default(NoL1DescriptorCache);
        return Fetch(ste, index, ssid, ref none);
    }

    /// <summary>
    /// Fetches and validates CD <paramref name="index"/> of a legal stage-1 STE. The index must be
    /// in range (below 2^S1CDMax); <paramref name="ssid"/> is the transaction's SubstreamID, used
    /// only to fill event records.
    /// </summary>
    public ConfigResult Fetch<TCache>(StreamConfig ste, uint index, uint? ssid, ref TCache l1Cache)
        where TCache : struct, IL1DescriptorCache
    {
        var sid = ste.StreamId;
        var ptr = ste.S1ContextPtr;
        ulong cdAddress;
        if (ste.S1CDMax == 0)
        {
            cdAddress = ptr;
        }
        else if (ste.S1Fmt == 0)
        {
            // Linear table aligned to its size: S1ContextPtr[S1CDMax + 5:6] are treated as zero.
            cdAddress = AlignDown(ptr, ste.S1CDMax + 6) + (64UL * index);
        }
        else
        {
            var leafBits = ste.S1Fmt == 1 ? 6 : 10;
            var l1Bits = Math.Max(0, ste.S1CDMax - leafBits);
            var l1Index = index >> leafBits;

            // The L1 table is aligned to its size or 64 bytes, whichever is greater.
            var l1Address = AlignDown(ptr, Math.Max(6, l1Bits + 3)) + (8UL * l1Index);
            if (!l1Cache.TryGetL1Cd(sid, leafBits, l1Index, out var l1))
            {
                Interlocked.Increment(ref l1Reads);
                Span<ulong> one = stackalloc ulong[1];
                var read = Read(ste, l1Address, one, ssid);
                if (!read.IsOk)
                {
                    return read;
                }

                l1 = one[0];
                l1Cache.AddL1Cd(sid, leafBits, l1Index, l1);
            }

            if (!L1Cd.V.IsSet(l1))
            {
                return BadSubstream(R.L1CdInvalid, sid, index);
            }

            // 64K leaf tables: L2Ptr[15:12] are RES0 and treated as zero; [11:0] are always zero.
            var l2 = AlignDown(L1Cd.L2Ptr.GetAddress(l1), leafBits + 6);
            if ((l2 >> (ste.ContextIsIpa ? features.IasBits : features.OasBits)) != 0)
            {
                return BadSubstream(R.L1CdPointerOutOfRange, sid, index);
            }

            cdAddress = l2 + (64UL * (index & ((1u << leafBits) - 1)));
        }

        Span<ulong> cd = stackalloc ulong[Cd.Dwords];
        Interlocked.Increment(ref cdReads);
        var fetched = Read(ste, cdAddress, cd, ssid);
        if (!fetched.IsOk)
        {
            return fetched;
        }

        return Outcome(ste, CdDecoder.Decode(sid, index, cd, ste, features), ssid);
    }

    /// <summary>What a transaction gets from a (fetched or cached) CD.</summary>
    public static ConfigResult Outcome(StreamConfig ste, ContextConfig cd, uint? ssid) => cd.IsLegal
        ? ConfigResult.Success(ste, cd)
        : ConfigResult.Failed(new ConfigFault(EventId.C_BAD_CD, cd.IllegalReason, ste.StreamId, ssid), ste, cd);

    private static ulong AlignDown(ulong address, int bits) => address & ~((1UL << bits) - 1);

    private static ConfigResult BadSubstream(R reason, uint sid, uint index) =>
        ConfigResult.Failed(new ConfigFault(EventId.C_BAD_SUBSTREAMID, reason, sid, index));

    /// <summary>Reads a structure at a CD-table address (an IPA for nested STEs, else a PA).</summary>
    private ConfigResult Read(StreamConfig ste, ulong address, Span<ulong> destination, uint? ssid)
    {
        var pa = address;
        if (ste.ContextIsIpa)
        {
            var translator = IpaTranslator
                ?? throw new InvalidOperationException("a nested STE needs an IIpaTranslator to fetch its CDs");
            var s2 = translator.TranslateIpa(ste, address);
            if (!s2.Ok)
            {
                var fault = s2 with
                {
                    FaultIsStage2 = true,
                    FaultClass = FaultClass.CD,
                    FaultIpa = address,
                };
                return ConfigResult.Failed(
                    new ConfigFault(s2.Fault, R.CdFetchStage2Fault, ste.StreamId, ssid, fault.FetchAddress, fault), ste);
            }

            pa = s2.OutputAddress;
        }

        return StructureReader.TryRead(memory, features.OasBits, pa, destination)
            ? ConfigResult.Success(ste)
            : ConfigResult.Failed(new ConfigFault(EventId.F_CD_FETCH, R.CdFetchAbort, ste.StreamId, ssid, pa), ste);
    }
}
