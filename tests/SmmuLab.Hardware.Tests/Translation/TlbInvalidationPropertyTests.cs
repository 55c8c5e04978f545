using System.Numerics;
using CsCheck;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Translation;

/// <summary>
/// Random TLB and walk-cache contents and a random CMD_TLBI_*, against a brute-force reference
/// written from IHI0070 4.4: every entry the command must remove is gone, every entry outside the
/// command's scope (regime, stages, VMID, ASID, address range) is still there, and the model removes
/// exactly the required set (it never over-invalidates on the TG/TTL/Leaf hints either). Nested entries
/// are sometimes splinters of a larger stage-1 block (stage 2 mapped it with smaller pages): the
/// stage-1 commands must then match the whole stage-1 block (Arm ARM D8.17), and S2_IPA need not
/// touch them (IHI0070 4.4.3.1).
/// </summary>
public sealed class TlbInvalidationPropertyTests
{
    private static readonly Opcode[] Opcodes =
    [
        Opcode.CMD_TLBI_NH_ALL, Opcode.CMD_TLBI_NH_ASID, Opcode.CMD_TLBI_NH_VA, Opcode.CMD_TLBI_NH_VAA,
        Opcode.CMD_TLBI_EL3_ALL, Opcode.CMD_TLBI_EL3_VA, Opcode.CMD_TLBI_EL2_ALL, Opcode.CMD_TLBI_EL2_ASID,
        Opcode.CMD_TLBI_EL2_VA, Opcode.CMD_TLBI_EL2_VAA, Opcode.CMD_TLBI_S12_VMALL, Opcode.CMD_TLBI_S2_IPA,
        Opcode.CMD_TLBI_NSNH_ALL,
    ];

    private static readonly Granule[] Granules = [Granule.Size4K, Granule.Size16K, Granule.Size64K];

    [Fact]
    public void Invalidation_removes_exactly_what_the_architecture_requires() =>
        Gen.Int[0, int.MaxValue].Sample(Check, iter: 400);

    private static void Check(int seed)
    {
        var rng = new Random(seed);
        var tlb = new Tlb(new TlbOptions { Capacity = 256, Ways = 256, WalkCacheCapacity = 256 });
        var stage1Blocks = new Dictionary<(TranslationContext, ulong, int), int>();
        for (var i = rng.Next(1, 80); i > 0; i--)
        {
            InsertLeaf(tlb, stage1Blocks, rng, RandomAddress(rng), smallest: false);
        }

        for (var i = rng.Next(0, 30); i > 0; i--)
        {
            var g = Granules[rng.Next(3)];
            tlb.WalkCache.Insert(RandomContext(rng), g, RandomAddress(rng), rng.Next(0, 3), 0x2000, TableAttributes.None);
        }

        var c = RandomCommand(rng);

        // Random addresses rarely fall next to the command's range: in most cases also put entries
        // (smallest pages of their granule) at First - 1, First, Last and Last + 1, and walk-cache
        // entries at First - 1 and Last + 1, where an off-by-one in the range would show.
        if (c.Range() is { First: var first, Last: var last } && rng.Next(4) != 0)
        {
            foreach (var edge in (ReadOnlySpan<BigInteger>)[first - 1, first, last, last + 1])
            {
                if (edge >= 0 && edge <= ulong.MaxValue && rng.Next(4) != 0)
                {
                    InsertLeaf(tlb, stage1Blocks, rng, (ulong)edge, smallest: rng.Next(2) == 0);
                }
            }

            foreach (var edge in (ReadOnlySpan<BigInteger>)[first - 1, last + 1])
            {
                if (edge >= 0 && edge <= ulong.MaxValue && rng.Next(2) == 0)
                {
                    tlb.WalkCache.Insert(RandomContext(rng), Granules[rng.Next(3)], (ulong)edge, rng.Next(0, 3), 0x2000, TableAttributes.None);
                }
            }
        }
        var leafBefore = tlb.Snapshot();
        var tableBefore = tlb.WalkCache.Snapshot();
        Assert.Equal(0, tlb.Statistics.Evictions + tlb.WalkCache.Evictions);

        var ok = TlbInvalidation.TryFromCommand(c.Encode(), out var inv, c.E2h);
        Assert.Equal(!c.Reserved, ok);
        if (!ok)
        {
            return;
        }

        var removed = tlb.Invalidate(inv);
        var leafAfter = tlb.Snapshot().ToHashSet();
        var tableAfter = tlb.WalkCache.Snapshot().ToHashSet();
        Assert.Equal(leafBefore.Count + tableBefore.Count - leafAfter.Count - tableAfter.Count, removed);

        foreach (var e in leafBefore)
        {
            var gone = !leafAfter.Contains(e);

            // Stage-1 information is matched by its stage-1 block (Arm ARM D8.17); only nested entries can be splinters.
            var s1Shift = e.Context.Stages == TranslationStages.Nested ? stage1Blocks[(Key(e.Context, e.Global), e.InputBase, e.BlockShift)] : e.BlockShift;
            Assert.Equal(s1Shift, e.Stage1BlockShift);
            var s1Base = e.InputBase & ~((1UL << s1Shift) - 1);
            var must = c.InScope(e.Context, e.Global, table: false) && c.MustCover(e.Granule, s1Base, s1Shift, e.Level, table: false);
            var may = c.InScope(e.Context, e.Global, table: false) && c.Overlaps(s1Base, s1Shift);
            Assert.True(!must || gone, $"{c}: required removal of {e} missing");
            Assert.True(may || !gone, $"{c}: {e} is out of scope but was removed");
            Assert.True(must == gone, $"{c}: {e} over-invalidated");
        }

        foreach (var e in tableBefore)
        {
            var gone = !tableAfter.Contains(e);
            var must = c.InScope(e.Context, global: false, table: true) && c.MustCover(e.Granule, e.InputBase, e.RangeShift, e.Level, table: true);
            var may = c.InScope(e.Context, global: false, table: true) && c.Overlaps(e.InputBase, e.RangeShift);
            Assert.True(!must || gone, $"{c}: required removal of walk entry {e} missing");
            Assert.True(may || !gone, $"{c}: walk entry {e} is out of scope but was removed");
            Assert.True(must == gone, $"{c}: walk entry {e} over-invalidated");
        }
    }

    /// <summary>
    /// A random leaf entry (context, granule, level; nested ones splintered by a stage-2 leaf)
    /// covering <paramref name="address"/>; with <paramref name="smallest"/> a page of the granule.
    /// </summary>
    private static void InsertLeaf(Tlb tlb, Dictionary<(TranslationContext, ulong, int), int> stage1Blocks, Random rng, ulong address, bool smallest)
    {
        var ctx = RandomContext(rng);
        var g = Granules[rng.Next(3)];
        var (level, stage1Shift) = smallest ? (3, g.LevelShift(3)) : RandomLeaf(rng, g);

        // Nested: the entry is the smaller of the stage-1 leaf and a stage-2 leaf of any granule.
        var shift = ctx.Stages == TranslationStages.Nested ? Math.Min(stage1Shift, RandomLeaf(rng, Granules[rng.Next(3)]).Shift) : stage1Shift;
        var ia = address & ~((1UL << shift) - 1);
        var global = rng.Next(2) == 0;
        tlb.Insert(ctx, g, ia, WalkResult.TranslatedNested(0x1000, shift, level, stage1Shift, Permissions.All, global));
        stage1Blocks[(Key(ctx, global || !ctx.HasAsid), ia, shift)] = stage1Shift;
    }

    private static (int Level, int Shift) RandomLeaf(Random rng, Granule g)
    {
        var levels = new[] { 1, 2, 3 }.Where(l => l == 3 || g.BlockAllowed(l)).ToArray();
        var level = levels[rng.Next(levels.Length)];
        return (level, g.LevelShift(level));
    }

    // An entry's identity in the TLB: a global entry replaces a global one of another ASID.
    private static TranslationContext Key(TranslationContext c, bool global) => global ? c with { Asid = 0 } : c;

    private static TranslationContext RandomContext(Random rng)
    {
        var regime = (TranslationRegime)rng.Next(3);
        var stages = regime == TranslationRegime.Nh ? (TranslationStages)rng.Next(3) : TranslationStages.Stage1;
        return new TranslationContext(regime, stages, (ushort)rng.Next(1, 3), (ushort)rng.Next(1, 3)).Normalized;
    }

    private static ulong RandomAddress(Random rng)
    {
        var a = ((ulong)rng.Next(4) << 30) | ((ulong)rng.Next(4) << 21) | ((ulong)rng.Next(8) << 14) | ((ulong)rng.Next(4) << 12);
        return rng.Next(10) switch
        {
            0 => a | 0xFFFF_FF00_0000_0000UL,
            1 => a | ((ulong)rng.Next(1 << 16) << 32),
            _ => a,
        };
    }

    private static TlbiCase RandomCommand(Random rng)
    {
        var op = Opcodes[rng.Next(Opcodes.Length)];
        var tg = rng.Next(2) == 0 ? 0u : (uint)rng.Next(1, 4);
        return new TlbiCase(op, (ushort)rng.Next(1, 3), (ushort)rng.Next(1, 3), RandomAddress(rng), rng.Next(2) == 0, tg,
            tg == 0 ? 0 : (uint)rng.Next(4), tg == 0 ? 0 : (uint)(rng.Next(4) == 0 ? rng.Next(32) : rng.Next(4)),
            tg == 0 ? 0 : (uint)rng.Next(32), rng.Next(2) == 0);
    }

    /// <summary>One command and the reference rules, spelled out per opcode.</summary>
    private sealed record TlbiCase(Opcode Op, ushort Vmid, ushort Asid, ulong Addr, bool Leaf, uint Tg, uint Ttl, uint Scale, uint Num, bool E2h)
    {
        private bool IsAddressOp => Op is Opcode.CMD_TLBI_NH_VA or Opcode.CMD_TLBI_NH_VAA or Opcode.CMD_TLBI_EL2_VA
            or Opcode.CMD_TLBI_EL2_VAA or Opcode.CMD_TLBI_EL3_VA or Opcode.CMD_TLBI_S2_IPA;

        private uint EffectiveTtl => Tg == 2 && Ttl == 1 ? 0 : Ttl;

        public bool Reserved => IsAddressOp && Tg != 0 && Num == 0 && Scale == 0 && EffectiveTtl == 0;

        // TLBI_S2_IPA carries IPA[55:12] (IHI0070 4.4.3.1); the VA forms carry Address[63:12].
        private ulong Address => Op == Opcode.CMD_TLBI_S2_IPA ? Addr & ((1UL << 56) - 1) : Addr;

        public Command Encode() => Op switch
        {
            Opcode.CMD_TLBI_NH_ALL => Command.TlbiNhAll(Vmid),
            Opcode.CMD_TLBI_NH_ASID => Command.TlbiNhAsid(Vmid, Asid),
            Opcode.CMD_TLBI_EL2_ALL => Command.TlbiEl2All(),
            Opcode.CMD_TLBI_EL2_ASID => Command.TlbiEl2Asid(Asid),
            Opcode.CMD_TLBI_S12_VMALL => Command.TlbiS12Vmall(Vmid),
            Opcode.CMD_TLBI_NSNH_ALL => Command.TlbiNsnhAll(),
            Opcode.CMD_TLBI_EL3_ALL => new Command((ulong)Opcode.CMD_TLBI_EL3_ALL, 0),
            _ => Command.TlbiByAddress(Op, Vmid, Asid, Addr, Leaf, Tg, Ttl, Scale, Num),
        };

        public bool InScope(TranslationContext e, bool global, bool table)
        {
            // Table (walk-cache) entries are never global: an ASID-qualified command needs the ASID itself.
            var asidOrGlobal = table ? e.Asid == Asid : global || e.Asid == Asid;
            var nonGlobalAsid = table ? e.Asid == Asid : !global && e.Asid == Asid;
            var nh = e.Regime == TranslationRegime.Nh;
            var nhStage1 = nh && e.Stages != TranslationStages.Stage2 && e.Vmid == Vmid;
            return Op switch
            {
                Opcode.CMD_TLBI_NH_ALL or Opcode.CMD_TLBI_NH_VAA => nhStage1,
                Opcode.CMD_TLBI_NH_ASID => nhStage1 && nonGlobalAsid,
                Opcode.CMD_TLBI_NH_VA => nhStage1 && asidOrGlobal,
                Opcode.CMD_TLBI_EL2_ALL => e.Regime is TranslationRegime.El2 or TranslationRegime.El2E2h,
                Opcode.CMD_TLBI_EL2_ASID => e.Regime == TranslationRegime.El2E2h && nonGlobalAsid,
                Opcode.CMD_TLBI_EL2_VA => E2h ? e.Regime == TranslationRegime.El2E2h && asidOrGlobal : e.Regime == TranslationRegime.El2,
                Opcode.CMD_TLBI_EL2_VAA => e.Regime == (E2h ? TranslationRegime.El2E2h : TranslationRegime.El2),
                Opcode.CMD_TLBI_S12_VMALL => nh && e.Vmid == Vmid,
                Opcode.CMD_TLBI_S2_IPA => nh && e.Stages == TranslationStages.Stage2 && e.Vmid == Vmid,
                Opcode.CMD_TLBI_NSNH_ALL => nh,
                _ => false,
            };
        }

        /// <summary>The first and last address an address command names; null for the others.</summary>
        public (BigInteger First, BigInteger Last)? Range()
        {
            if (!IsAddressOp)
            {
                return null;
            }

            BigInteger first = Address;
            return (first, Tg == 0 ? first : first + ((BigInteger)(Num + 1) * BigInteger.Pow(2, (int)Scale) * BigInteger.Pow(2, 10 + (2 * (int)Tg))) - 1);
        }

        public bool Overlaps(ulong entryBase, int shift)
        {
            if (!IsAddressOp)
            {
                return true;
            }

            BigInteger first = Address;
            var last = Tg == 0 ? first : first + ((BigInteger)(Num + 1) * BigInteger.Pow(2, (int)Scale) * BigInteger.Pow(2, 10 + (2 * (int)Tg))) - 1;
            BigInteger entryFirst = entryBase;
            var entryLast = entryFirst + BigInteger.Pow(2, shift) - 1;
            return entryFirst <= last && entryLast >= first;
        }

        public bool MustCover(Granule g, ulong entryBase, int shift, int level, bool table)
        {
            if (!IsAddressOp)
            {
                return true;
            }

            if (table && Leaf)
            {
                return false;
            }

            if (Tg != 0)
            {
                if (g.ToTlbiTg() != Tg)
                {
                    return false;
                }

                if (EffectiveTtl != 0 && (table ? level >= EffectiveTtl : level != EffectiveTtl))
                {
                    return false;
                }
            }

            return Overlaps(entryBase, shift);
        }
    }
}
