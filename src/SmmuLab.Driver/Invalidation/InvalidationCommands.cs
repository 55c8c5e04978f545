using System.Numerics;
using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.CommandQueue;

namespace SmmuLab.Driver.Invalidation;

/// <summary>
/// The command builders both invalidation designs share: the range TLBI split (Linux
/// <c>arm_smmu_cmdq_batch_add_range</c>), the ATC_INV span (<c>arm_smmu_atc_inv_to_cmd</c>) and the
/// "too big" rule (<c>arm_smmu_inv_size_too_big</c>).
/// </summary>
public static class InvalidationCommands
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
    /// Adds the TLBIs of [iova, iova + size) to <paramref name="batch"/>, starting from
    /// <paramref name="template"/> (opcode, ASID/VMID, leaf). With RIL (<paramref name="pageShift"/>
    /// non-zero) each command covers (NUM+1) * 2^SCALE pages of 2^pageShift bytes: SCALE is the
    /// lowest set bit of the pages left and NUM the next five bits; a leaf invalidation carries the
    /// TTL of the granule's level; a non-leaf one leaves TTL 0 and, when the page count is
    /// 1 mod 32, adds a page so SCALE and NUM are not both 0. Without RIL there is one command per
    /// <paramref name="granule"/>.
    /// </summary>
    public static void AddRange(ref CommandBatch batch, in Command template, bool leaf, ulong iova, ulong size, ulong granule, int pageShift)
    {
        var end = iova + size;
        var numPages = 0UL;
        var tg = 0U;
        var ttl = 0U;
        if (pageShift != 0)
        {
            numPages = size >> pageShift;
            tg = (uint)(pageShift - 10) / 2;
            if (leaf)
            {
                ttl = (uint)(4 - ((BitOperations.Log2(granule) - 3) / (pageShift - 3)));
            }
            else if ((numPages & 31) == 1)
            {
                numPages++;
            }
        }

        var op = template.Opcode;
        var addressField = op == Opcode.CMD_TLBI_S2_IPA ? CommandLayouts.Ipa : CommandLayouts.Addr;
        var dw0 = template.Dw0 & ~(CommandLayouts.Num.InPlaceMask | CommandLayouts.Scale.InPlaceMask);
        var dw1Base = CommandLayouts.Leaf.Make(leaf ? 1UL : 0) | CommandLayouts.Tg.Make(tg) | CommandLayouts.Ttl.Make(ttl);
        while (iova < end)
        {
            var range = granule;
            var cmdDw0 = dw0;
            if (pageShift != 0)
            {
                var scale = BitOperations.TrailingZeroCount(numPages);
                var num = (numPages >> scale) & 31;
                cmdDw0 |= CommandLayouts.Scale.Make((ulong)scale) | CommandLayouts.Num.Make(num - 1);
                range = num << (scale + pageShift);
                numPages -= num << scale;
            }

            batch.Add(new Command(cmdDw0, dw1Base | addressField.InsertAddress(0, iova)));
            iova += range;
            if (range == 0)
            {
                break;
            }
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
