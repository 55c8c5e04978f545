using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Hardware.Translation;

/// <summary>How a TLB invalidation matches entries' ASIDs.</summary>
internal enum AsidScope : byte
{
    /// <summary>Every ASID, global entries included (NH_ALL, NH_VAA, EL2_VAA, S12_VMALL...).</summary>
    Any,

    /// <summary>Only non-global entries of the ASID (NH_ASID, EL2_ASID: ASIDE1 scope).</summary>
    NonGlobal,

    /// <summary>Entries of the ASID, plus global entries of any ASID (NH_VA, EL2_VA with E2H: VAE1 scope).</summary>
    AsidOrGlobal,
}

/// <summary>
/// A decoded CMD_TLBI_*: which TLB and walk-cache entries the architecture requires removed
/// (IHI0070 4.4). The model removes exactly those, nothing more, so that software relying on an
/// over-invalidation another implementation might perform is caught.
/// </summary>
/// <remarks>
/// Scope per command (Non-secure command queue; spec section in brackets):
/// <list type="bullet">
/// <item>NH_ALL [4.4.2.1]: all NS-EL1 stage-1 and nested entries of VMID, global included. Stage-2-only entries stay.</item>
/// <item>NH_ASID [4.4.2.2]: NS-EL1 non-global stage-1/nested entries of VMID and ASID.</item>
/// <item>NH_VAA [4.4.2.3]: NS-EL1 stage-1/nested entries of VMID by VA, every ASID.</item>
/// <item>NH_VA [4.4.2.4]: NS-EL1 stage-1/nested entries of VMID by VA with ASID, plus global entries of VMID by VA.</item>
/// <item>EL3_ALL, EL3_VA [4.4.2.5-6]: CERROR_ILL on the NS queue; no NS entry is affected.</item>
/// <item>EL2_ALL [4.4.2.7]: every EL2 and EL2-E2H entry.</item>
/// <item>EL2_VA [4.4.2.8]: E2H = 1: EL2-E2H entries by VA and ASID (or global); E2H = 0: EL2 entries by VA, ASID ignored.</item>
/// <item>EL2_VAA [4.4.2.9]: E2H = 1: EL2-E2H entries by VA, every ASID; E2H = 0: EL2 entries by VA.</item>
/// <item>EL2_ASID [4.4.2.10]: non-global EL2-E2H entries of ASID.</item>
/// <item>S2_IPA [4.4.3.1]: stage-2-only entries of VMID by IPA (and, Leaf = 0, stage-2 walk-cache entries). Entries
/// combining stage 1 and 2 are not required to go ("expected to be used with CMD_TLBI_NH_ALL or NH_VAA") and stay.</item>
/// <item>S12_VMALL [4.4.3.2]: every NS-EL1 entry of VMID, all stages.</item>
/// <item>NSNH_ALL [4.4.4.1]: every NS-EL1 entry, all VMIDs and stages.</item>
/// </list>
/// Address matching [4.4, 4.4.1.1]: TG = 0 matches entries whose block contains Addr (low bits ignored as the entry
/// size requires); TG != 0 matches entries overlapping [Addr, Addr + (NUM+1) * 2^SCALE * granule), and only entries
/// inserted with granule TG; a non-zero TTL only leaf entries whose leaf level is TTL, and (Leaf = 0) only table
/// entries of levels before TTL ("invalidation of cached Table descriptors ... at levels between the start of the
/// walk and the level before the last level given by TTL"). Leaf = 1: "only cached entries for the last level of
/// translation table walk are required to be invalidated", so the walk cache is kept. The range does not wrap at
/// the top of the address space. TG = 16K with TTL = 1 is treated as TTL = 0 (SMMU_IDR5.DS = 0); TG != 0 with
/// NUM = SCALE = TTL = 0 is reserved (CERROR_ILL).
/// <para>
/// Nested (combined stage 1 + 2) entries: the stage-1 commands match them by their stage-1 leaf: its granule (TG), its
/// level (TTL) and its whole block, also when stage 2 mapped that block with smaller pages and the entry covers only a
/// part of it ("splintering": every entry holding the stage-1 information goes, whether or not it translates the
/// address given, Arm ARM D8.17). S2_IPA keeps them, as 4.4.3.1 allows; S12_VMALL and NSNH_ALL remove them.
/// </para>
/// </remarks>
internal readonly record struct TlbInvalidation
{
    /// <summary>The command it was decoded from.</summary>
    public Opcode Opcode { get; init; }

    /// <summary>Bit (1 &lt;&lt; regime) set for each <see cref="TranslationRegime"/> affected; 0 affects nothing.</summary>
    public byte Regimes { get; init; }

    /// <summary>Bit (1 &lt;&lt; stages) set for each <see cref="TranslationStages"/> affected.</summary>
    public byte Stages { get; init; }

    public bool MatchVmid { get; init; }

    public ushort Vmid { get; init; }

    public AsidScope AsidScope { get; init; }

    public ushort Asid { get; init; }

    /// <summary>True for VA/IPA-based commands.</summary>
    public bool ByAddress { get; init; }

    /// <summary>First address of the invalidated range (the command's address).</summary>
    public ulong First { get; init; }

    /// <summary>Last address of the range, inclusive (equal to <see cref="First"/> without a range).</summary>
    public ulong Last { get; init; }

    /// <summary>TG of a range invalidation; null when TG = 0.</summary>
    public Granule? Granule { get; init; }

    /// <summary>Effective TTL hint (0 = any level).</summary>
    public int Ttl { get; init; }

    /// <summary>Leaf = 1: only last-level entries must go; the walk cache is kept.</summary>
    public bool Leaf { get; init; }

    /// <summary>Decodes a TLBI command; throws for anything <see cref="TryFromCommand"/> rejects.</summary>
    public static TlbInvalidation FromCommand(Command command, bool e2h = false, bool rangeInvalidation = true) =>
        TryFromCommand(command, out var inv, e2h, rangeInvalidation)
            ? inv
            : throw new ArgumentException($"not a valid TLB invalidation command: {command}", nameof(command));

    /// <summary>
    /// Decodes a TLBI command. <paramref name="e2h"/> is SMMU_CR2.E2H (it selects the regime of EL2_VA and EL2_VAA);
    /// with <paramref name="rangeInvalidation"/> false (SMMU_IDR3.RIL = 0) TG, TTL, SCALE and NUM are RES0 and ignored.
    /// Returns false for a non-TLBI opcode and for the reserved TG != 0, NUM = SCALE = TTL = 0 encoding
    /// (CERROR_ILL). Feature checks (stage 1/2 present, SMMU_IDR0.Hyp) are the command processor's.
    /// </summary>
    public static bool TryFromCommand(Command command, out TlbInvalidation invalidation, bool e2h = false, bool rangeInvalidation = true)
    {
        const byte nh = 1 << (int)TranslationRegime.Nh;
        const byte el2 = 1 << (int)TranslationRegime.El2;
        const byte el2E2h = 1 << (int)TranslationRegime.El2E2h;
        const byte s1 = (1 << (int)TranslationStages.Stage1) | (1 << (int)TranslationStages.Nested);
        const byte s2 = 1 << (int)TranslationStages.Stage2;
        const byte all = s1 | s2;

        var op = command.Opcode;
        var vmid = (ushort)command.Get(CommandLayouts.Vmid);
        var asid = (ushort)command.Get(CommandLayouts.Asid);
        var inv = new TlbInvalidation { Opcode = op, Stages = all };
        switch (op)
        {
            case Opcode.CMD_TLBI_NH_ALL:
                inv = inv with { Regimes = nh, Stages = s1, MatchVmid = true, Vmid = vmid };
                break;
            case Opcode.CMD_TLBI_NH_ASID:
                inv = inv with { Regimes = nh, Stages = s1, MatchVmid = true, Vmid = vmid, AsidScope = AsidScope.NonGlobal, Asid = asid };
                break;
            case Opcode.CMD_TLBI_NH_VA:
                inv = inv with { Regimes = nh, Stages = s1, MatchVmid = true, Vmid = vmid, AsidScope = AsidScope.AsidOrGlobal, Asid = asid };
                break;
            case Opcode.CMD_TLBI_NH_VAA:
                inv = inv with { Regimes = nh, Stages = s1, MatchVmid = true, Vmid = vmid };
                break;
            case Opcode.CMD_TLBI_EL3_ALL or Opcode.CMD_TLBI_EL3_VA:
                break;
            case Opcode.CMD_TLBI_EL2_ALL:
                inv = inv with { Regimes = el2 | el2E2h };
                break;
            case Opcode.CMD_TLBI_EL2_ASID:
                inv = inv with { Regimes = el2E2h, AsidScope = AsidScope.NonGlobal, Asid = asid };
                break;
            case Opcode.CMD_TLBI_EL2_VA:
                inv = e2h ? inv with { Regimes = el2E2h, AsidScope = AsidScope.AsidOrGlobal, Asid = asid } : inv with { Regimes = el2 };
                break;
            case Opcode.CMD_TLBI_EL2_VAA:
                inv = inv with { Regimes = e2h ? el2E2h : el2 };
                break;
            case Opcode.CMD_TLBI_S12_VMALL:
                inv = inv with { Regimes = nh, MatchVmid = true, Vmid = vmid };
                break;
            case Opcode.CMD_TLBI_S2_IPA:
                inv = inv with { Regimes = nh, Stages = s2, MatchVmid = true, Vmid = vmid };
                break;
            case Opcode.CMD_TLBI_NSNH_ALL:
                inv = inv with { Regimes = nh };
                break;
            default:
                invalidation = default;
                return false;
        }

        if (op is Opcode.CMD_TLBI_NH_VA or Opcode.CMD_TLBI_NH_VAA or Opcode.CMD_TLBI_EL2_VA or Opcode.CMD_TLBI_EL2_VAA
            or Opcode.CMD_TLBI_EL3_VA or Opcode.CMD_TLBI_S2_IPA)
        {
            var address = op == Opcode.CMD_TLBI_S2_IPA
                ? CommandLayouts.Ipa.GetAddress(command.Dw1)
                : CommandLayouts.Addr.GetAddress(command.Dw1);
            inv = inv with { ByAddress = true, First = address, Last = address, Leaf = command.Get(CommandLayouts.Leaf) != 0 };
            var tg = rangeInvalidation ? GranuleGeometry.FromTlbiTg((uint)command.Get(CommandLayouts.Tg)) : null;
            if (tg is { } g)
            {
                var ttl = (int)command.Get(CommandLayouts.Ttl);
                if (g == Architecture.PageTables.Granule.Size16K && ttl == 1)
                {
                    ttl = 0;
                }

                var num = command.Get(CommandLayouts.Num);
                var scale = (int)command.Get(CommandLayouts.Scale);
                if (num == 0 && scale == 0 && ttl == 0)
                {
                    invalidation = default;
                    return false;
                }

                var bytes = (num + 1) << (scale + g.Shift());
                var last = address + bytes - 1;
                inv = inv with { Granule = g, Ttl = ttl, Last = last < address ? ulong.MaxValue : last };
            }
        }

        invalidation = inv;
        return true;
    }

    /// <summary>True when the command must remove a TLB (leaf) entry with these tags.</summary>
    /// <param name="context">The entry's normalized context.</param>
    /// <param name="global">The entry is global (nG = 0, or a context without ASIDs).</param>
    /// <param name="granule">Granule of the (stage-1 for nested) tables the entry came from.</param>
    /// <param name="inputBase">Input block base.</param>
    /// <param name="blockShift">log2 of the block size.</param>
    /// <param name="level">Leaf level (stage-1 leaf level for nested entries).</param>
    /// <param name="stage1BlockShift">
    /// For a nested entry, log2 of the stage-1 block it holds information of (at least <paramref name="blockShift"/>);
    /// ignored for other entries. Address commands that reach nested entries are the stage-1 ones (by VA), and they
    /// match the whole stage-1 block: every splinter of it goes, whichever address it translates (Arm ARM D8.17).
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool AppliesToLeaf(in TranslationContext context, bool global, Granule granule, ulong inputBase, int blockShift, int level,
        int stage1BlockShift)
    {
        if (!InScope(context))
        {
            return false;
        }

        var asidOk = AsidScope switch
        {
            AsidScope.NonGlobal => !global && context.Asid == Asid,
            AsidScope.AsidOrGlobal => global || context.Asid == Asid,
            _ => true,
        };
        if (!asidOk)
        {
            return false;
        }

        if (!ByAddress)
        {
            return true;
        }

        if (context.Stages == TranslationStages.Nested && stage1BlockShift > blockShift)
        {
            blockShift = stage1BlockShift;
            inputBase &= blockShift >= 64 ? 0 : ~((1UL << blockShift) - 1);
        }

        return (Granule is null || (Granule == granule && (Ttl == 0 || Ttl == level))) && Overlaps(inputBase, blockShift);
    }

    /// <summary>True when the command must remove a walk-cache entry (a table descriptor read at <paramref name="level"/>).</summary>
    public bool AppliesToTable(in TranslationContext context, Granule granule, ulong inputBase, int rangeShift, int level)
    {
        if (!InScope(context))
        {
            return false;
        }

        // Table descriptors are ASID-tagged, never global: ASID scopes compare the ASID itself.
        if (AsidScope != AsidScope.Any && context.Asid != Asid)
        {
            return false;
        }

        if (!ByAddress)
        {
            return true;
        }

        return !Leaf && (Granule is null || (Granule == granule && (Ttl == 0 || level < Ttl))) && Overlaps(inputBase, rangeShift);
    }

    public override string ToString() =>
        ByAddress
            ? $"{Opcode} vmid={Vmid} asid={Asid} [0x{First:x}..0x{Last:x}] leaf={Leaf} tg={Granule} ttl={Ttl}"
            : $"{Opcode} vmid={Vmid} asid={Asid}";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool InScope(in TranslationContext c) =>
        (Regimes & (1 << (int)c.Regime)) != 0 && (Stages & (1 << (int)c.Stages)) != 0 && (!MatchVmid || c.Vmid == Vmid);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Overlaps(ulong inputBase, int shift)
    {
        var last = shift >= 64 ? ulong.MaxValue : inputBase + ((1UL << shift) - 1);
        return inputBase <= Last && last >= First;
    }
}
