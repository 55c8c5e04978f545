using System.Numerics;
using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdq;

namespace SmmuLab.Driver.Invalidation;

/// <summary>
/// The command builders both invalidation designs share: the range TLBI split (Linux
/// <c>arm_smmu_cmdq_batch_add_range</c>, see <see cref="TlbiCommands"/>), the ATC_INV span
/// (<c>arm_smmu_atc_inv_to_cmd</c>), the "too big" rule (<c>arm_smmu_inv_size_too_big</c>) and the
/// range-fallback rule (<see cref="Probe.DriverOptions.RangeFallback"/>), which Linux does not have.
/// </summary>
internal static class InvalidationCommands
{
    /// <summary>
    /// True when a range is better invalidated by ASID/VMID: size 0 or all-ones means everything;
    /// without RIL, at least 2^(log2(granule) - 3) granules (arm64's MAX_TLBI_OPS).
    /// </summary>
    public static bool SizeTooBig(bool rangeInvalidation, ulong size, ulong granule)
    {
        if (size == 0 || size == ulong.MaxValue)
        {
            return true;
        }

        if (rangeInvalidation)
        {
            return false;
        }

        var maxOps = 1UL << (BitOperations.Log2(granule) - 3);
        return size >= maxOps * granule;
    }

    /// <summary>
    /// True when the range can be split into range TLBIs whose SCALE fits five bits (IHI0070 4.4.1.1,
    /// without SMMU_IDR5.DS) by the split <see cref="TlbiCommands"/> makes, and does not pass the top of
    /// the address space. False for a split that needs a SCALE of 32 or more: a range of at least 2^32
    /// pages (16 TiB of 4 KiB pages) that no smaller chunk absorbs. Without range invalidation
    /// (<paramref name="pageShift"/> 0) only the wrap matters.
    /// </summary>
    public static bool Expressible(ulong iova, ulong size, int pageShift, bool leaf)
    {
        var end = iova + size;
        if (size == 0 || end <= iova)
        {
            return false;
        }

        if (pageShift == 0)
        {
            return true;
        }

        var pages = RangePages(iova, size, pageShift, leaf);
        while (pages != 0)
        {
            var scale = BitOperations.TrailingZeroCount(pages);
            if (scale > CommandLayouts.TlbiRangeScaleMax)
            {
                return false;
            }

            pages -= ((pages >> scale) & CommandLayouts.TlbiRangeNumMax) << scale;
        }

        return true;
    }

    /// <summary>
    /// The pages of 2^<paramref name="pageShift"/> bytes a range TLBI split covers: those that
    /// [iova, iova + size) touches (Linux: size >> pageShift, the same for page-aligned ranges), plus
    /// one for a non-leaf range of 1 mod 32 pages. The range must not wrap.
    /// </summary>
    public static ulong RangePages(ulong iova, ulong size, int pageShift, bool leaf)
    {
        var pages = ((iova + size - 1) >> pageShift) - (iova >> pageShift) + 1;
        if (!leaf && (pages & CommandLayouts.TlbiRangeNumMax) == 1)
        {
            pages++;
        }

        return pages;
    }

    /// <summary>
    /// Whether an invalidation of [iova, iova + size) uses the whole-ASID/VMID command instead of a
    /// ranged one: when <see cref="SizeTooBig"/> says so (as Linux), and, with
    /// <paramref name="rangeFallback"/> (<see cref="Probe.DriverOptions.RangeFallback"/>), when the
    /// range is not <see cref="Expressible"/>.
    /// </summary>
    public static bool UseWholeTag(bool rangeInvalidation, bool rangeFallback, ulong iova, ulong size, ulong granule, int pageShift, bool leaf) =>
        SizeTooBig(rangeInvalidation, size, granule) || (rangeFallback && !Expressible(iova, size, pageShift, leaf));

    /// <summary>
    /// The TLBIs of [iova, iova + size): <paramref name="wholeTag"/> alone when
    /// <see cref="UseWholeTag"/> says so, else <see cref="Split"/>.
    /// </summary>
    public static TlbiCommands Tlbis(in Command template, in Command wholeTag, bool leaf, ulong iova, ulong size, ulong granule,
        int pageShift, bool rangeInvalidation, bool rangeFallback) =>
        UseWholeTag(rangeInvalidation, rangeFallback, iova, size, granule, pageShift, leaf)
            ? new TlbiCommands(wholeTag)
            : Split(template, leaf, iova, size, granule, pageShift);

    /// <summary>
    /// The split of [iova, iova + size) into commands made from <paramref name="template"/> (opcode,
    /// ASID/VMID): ranged ones with <paramref name="pageShift"/> non-zero (RIL), else one per
    /// <paramref name="granule"/>. See <see cref="TlbiCommands"/>.
    /// </summary>
    public static TlbiCommands Split(in Command template, bool leaf, ulong iova, ulong size, ulong granule, int pageShift) =>
        new(template, leaf, iova, size, granule, pageShift);

    /// <summary>Adds the commands of <see cref="Split"/> to <paramref name="batch"/>.</summary>
    public static void AddSplit(ref CommandBatch batch, in Command template, bool leaf, ulong iova, ulong size, ulong granule, int pageShift)
    {
        foreach (var command in Split(template, leaf, iova, size, granule, pageShift))
        {
            batch.Add(command);
        }
    }

    /// <summary>
    /// CMD_ATC_INV for [iova, iova + size) of <paramref name="ssid"/> (0 = no PASID, SSV clear):
    /// the naturally aligned power-of-two span of 4 KiB pages that covers the range; size 0 means
    /// everything (SIZE = 52).
    /// </summary>
    public static Command AtcInv(uint sid, uint ssid, ulong iova, ulong size)
    {
        if (size == 0)
        {
            return Command.AtcInv(sid, ssid, ssid != 0, 0, CommandLayouts.AtcInvSizeAll);
        }

        var first = iova >> 12;
        var last = (iova + size - 1) >> 12;
        var span = 64 - BitOperations.LeadingZeroCount(first ^ last);
        first &= ~((1UL << span) - 1);
        return Command.AtcInv(sid, ssid, ssid != 0, first << 12, (uint)span);
    }
}
