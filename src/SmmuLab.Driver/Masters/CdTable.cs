using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Driver.Platform;
using SmmuLab.Driver.Tables;

namespace SmmuLab.Driver.Masters;

/// <summary>
/// A master's context descriptor table (Linux <c>arm_smmu_ctx_desc_cfg</c>): linear for up to
/// 1024 CDs, otherwise 2-level with 64 KiB (1024-CD) leaf tables allocated on first use. A new
/// level-1 descriptor is followed by a non-leaf CFGI_CD, because an invalid L1CD can be cached.
/// CDs are written with the hitless writer; each step is made visible with CFGI_CD for every
/// StreamID of the master and one CMD_SYNC.
/// </summary>
internal sealed class CdTable
{
    /// <summary>Linux <c>CTXDESC_L2_ENTRIES</c>.</summary>
    public const int L2Entries = 1024;

    private const int L2Shift = 10;
    private readonly Master master;
    private readonly DriverPlatform platform;
    private readonly ulong[]? l2;

    public CdTable(Master master, int ssidBits)
    {
        this.master = master;
        platform = master.Smmu.Platform;
        S1CdMax = ssidBits;
        if (ssidBits <= L2Shift || !master.Smmu.Features.TwoLevelCdTable)
        {
            if (ssidBits > L2Shift)
            {
                throw new ArgumentOutOfRangeException(nameof(ssidBits), $"{ssidBits} PASID bits need 2-level CD tables, which {master.Smmu.Name} lacks");
            }

            var bytes = (ulong)Cd.Bytes << ssidBits;
            Base = platform.Allocator.Allocate(bytes, Math.Max(64, bytes));
            Format = S1Fmt.Linear;
        }
        else
        {
            var l1Entries = 1 << (ssidBits - L2Shift);
            Base = platform.Allocator.Allocate((ulong)l1Entries * 8, Math.Max(64UL, (ulong)l1Entries * 8));
            l2 = new ulong[l1Entries];
            Format = S1Fmt.TwoLevel64K;
        }
    }

    public ulong Base { get; }

    /// <summary>STE.S1CDMax: log2 of the number of CDs.</summary>
    public int S1CdMax { get; }

    /// <summary>STE.S1Fmt.</summary>
    public uint Format { get; }

    public CdTableConfig Config => new(Base, (uint)S1CdMax, Format);

    /// <summary>Writes the CD for <paramref name="ssid"/> (a zeroed target clears it).</summary>
    public void Write(uint ssid, ReadOnlySpan<ulong> target)
    {
        var address = CdAddress(ssid);
        var writer = new EntryWriter(new CdWriterOps(() => SyncCd(ssid, leaf: true)));
        writer.Write(platform.Memory, address, target);
    }

    /// <summary>Reads back the CD of <paramref name="ssid"/> (diagnostics).</summary>
    public ulong[] Read(uint ssid)
    {
        var address = CdAddress(ssid);
        var words = new ulong[Cd.Dwords];
        for (var i = 0; i < Cd.Dwords; i++)
        {
            words[i] = platform.Memory.Read64(address + ((ulong)i * 8));
        }

        return words;
    }

    private ulong CdAddress(uint ssid)
    {
        if (S1CdMax < 32 && ssid >> S1CdMax != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ssid), $"PASID {ssid} is beyond the {S1CdMax}-bit CD table of {master.Name}");
        }

        if (l2 is null)
        {
            return Base + ((ulong)ssid * Cd.Bytes);
        }

        var index = ssid >> L2Shift;
        if (l2[index] == 0)
        {
            var bytes = (ulong)Cd.Bytes * L2Entries;
            var table = platform.Allocator.Allocate(bytes, bytes);
            platform.Memory.Write64(Base + (index * 8), L1Cd.L2Ptr.InsertAddress(0, table) | L1Cd.V.Make(1));
            l2[index] = table;
            SyncCd(ssid, leaf: false);
        }

        return l2[index] + ((ulong)(ssid & (L2Entries - 1)) * Cd.Bytes);
    }

    private void SyncCd(uint ssid, bool leaf)
    {
        var sids = master.StreamIds;
        Span<Command> cmds = sids.Count <= 16 ? stackalloc Command[sids.Count] : new Command[sids.Count];
        for (var i = 0; i < sids.Count; i++)
        {
            cmds[i] = Command.CfgiCd(sids[i], ssid, leaf);
        }

        master.Smmu.IssueWithSync(cmds);
    }
}
