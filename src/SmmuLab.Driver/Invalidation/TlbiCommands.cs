using System.Numerics;
using SmmuLab.Architecture.Bits;
using SmmuLab.Architecture.Commands;

namespace SmmuLab.Driver.Invalidation;

/// <summary>
/// The TLBI commands that invalidate one range of one ASID or VMID, as an enumerator that
/// allocates nothing: either the single whole-tag command, or the range split as Linux's
/// <c>arm_smmu_cmdq_batch_add_range</c> does it. Made by <see cref="InvalidationCommands.Tlbis"/>.
/// </summary>
/// <remarks>
/// The split, with range invalidation (a non-zero page shift, SMMU_IDR3.RIL): every command covers
/// (NUM+1) * 2^SCALE pages (IHI0070 4.4.1.1); SCALE is the lowest set bit of the pages left and NUM
/// the next five bits, minus one. SCALE is written with five bits, masked as Linux's
/// <c>FIELD_PREP(CMDQ_TLBI_0_SCALE, ...)</c> masks it: a chunk whose SCALE would be 32 or more (a
/// range of 2^32 pages or more) gets SCALE mod 32 and so covers far less than the loop then steps
/// over. That is what Linux does; <see cref="InvalidationCommands.Expressible"/> tells such ranges
/// apart. A leaf invalidation carries the granule's level as TTL; a non-leaf one has TTL 0 and, when
/// the page count is 1 mod 32, one page more so that SCALE and NUM are not both 0. Without range
/// invalidation there is one command per granule, its TG/TTL/SCALE/NUM 0.
/// Where Linux's loop could not end (a size that is not a whole number of pages makes it step by
/// 0 forever) this one rounds the range out to whole pages; a range passing the top of the address
/// space gives no command, as in Linux (its end wraps below its start).
/// </remarks>
internal struct TlbiCommands
{
    private readonly ulong dw0;
    private readonly ulong dw1;
    private readonly Field addressField;
    private readonly ulong end;
    private readonly ulong granule;
    private readonly int pageShift;
    private ulong iova;
    private ulong numPages;
    private bool done;
    private bool whole;
    private Command current;

    /// <summary>The whole-tag command alone.</summary>
    internal TlbiCommands(in Command wholeTag)
    {
        current = wholeTag;
        whole = true;
        addressField = CommandLayouts.Addr;
    }

    /// <summary>The split of [iova, iova + size) starting from <paramref name="template"/> (opcode, ASID/VMID).</summary>
    internal TlbiCommands(in Command template, bool leaf, ulong iova, ulong size, ulong granule, int pageShift)
    {
        this.granule = granule;
        this.pageShift = pageShift;
        end = iova + size;
        done = size == 0 || end <= iova;
        var tg = 0U;
        var ttl = 0U;
        if (pageShift != 0 && !done)
        {
            numPages = InvalidationCommands.RangePages(iova, size, pageShift, leaf);
            iova &= ~((1UL << pageShift) - 1);
            tg = (uint)(pageShift - 10) / 2;
            if (leaf && granule != 0)
            {
                ttl = (uint)(4 - ((BitOperations.Log2(granule) - 3) / (pageShift - 3)));
            }
        }

        this.iova = iova;
        var op = template.Opcode;
        addressField = op == Opcode.CMD_TLBI_S2_IPA ? CommandLayouts.Ipa : CommandLayouts.Addr;
        dw0 = template.Dw0 & ~(CommandLayouts.Num.InPlaceMask | CommandLayouts.Scale.InPlaceMask);
        dw1 = CommandLayouts.Leaf.Make(leaf ? 1UL : 0) | CommandLayouts.Tg.Make(tg) | CommandLayouts.Ttl.Make(ttl);
    }

    /// <summary>The command <see cref="MoveNext"/> produced.</summary>
    public readonly Command Current => current;

    public readonly TlbiCommands GetEnumerator() => this;

    public bool MoveNext()
    {
        if (whole)
        {
            whole = false;
            done = true;
            return true;
        }

        if (done)
        {
            return false;
        }

        var cmdDw0 = dw0;
        UInt128 next;
        if (pageShift != 0)
        {
            if (numPages == 0)
            {
                done = true;
                return false;
            }

            var scale = BitOperations.TrailingZeroCount(numPages);
            var num = (numPages >> scale) & CommandLayouts.TlbiRangeNumMax;

            // Five bits of SCALE, masked, as the kernel's FIELD_PREP does: SCALE 32 becomes 0.
            cmdDw0 |= CommandLayouts.Scale5.Make((ulong)scale) | CommandLayouts.Num.Make(num - 1);
            numPages -= num << scale;
            next = (UInt128)iova + ((UInt128)num << (scale + pageShift));
        }
        else
        {
            next = (UInt128)iova + Math.Max(granule, 1);
        }

        current = new Command(cmdDw0, dw1 | addressField.InsertAddress(0, iova));
        if (next >= end)
        {
            done = true;
        }
        else
        {
            iova = (ulong)next;
        }

        return true;
    }

    /// <summary>The commands, in order (tests and tools; the invalidation path enumerates instead).</summary>
    public readonly List<Command> ToList()
    {
        var list = new List<Command>();
        foreach (var c in this)
        {
            list.Add(c);
        }

        return list;
    }
}
