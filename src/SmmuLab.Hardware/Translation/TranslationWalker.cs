using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Hardware.Translation;

/// <summary>
/// VMSAv8-64 translation table walks (64-bit descriptors, 4K/16K/64K granules, no LPA2/D128) for
/// stage 1, stage 2 and nested stage 1 + 2, reporting faults the way the SMMU event records need
/// them (IHI0070 7.3.12-7.3.16, priorities 7.3.22).
/// </summary>
/// <remarks>
/// Fault order within one stage: input range (F_TRANSLATION); then per level F_WALK_EABT (descriptor
/// PA not backed), F_TRANSLATION (invalid, reserved, or a block where the granule allows none),
/// F_ADDR_SIZE (table or output address at or above 2^OutputBits); then F_ACCESS (AF = 0 without
/// AFFD); then F_PERMISSION (at stage 1 with CD.WXN and CD.PAN applied). Stage-1 faults have S2 = 0
/// and CLASS = IN, except F_WALK_EABT (CLASS = TT). Stage-2 faults have S2 = 1, the class the caller
/// gives, and the IPA being translated.
/// In a nested walk every stage-1 descriptor IPA goes through stage 2 with CLASS = TT (a read), and
/// the final IPA with CLASS = IN. With a <see cref="WalkCache"/> and a context the walk resumes from
/// the deepest cached table and caches the tables it reads. Walks do not allocate; not thread-safe
/// (the step counters).
/// </remarks>
internal sealed partial class TranslationWalker(IDeviceMemory memory, WalkCache? walkCache = null)
{
    private long walkStart;

    /// <summary>The walk cache used when a context is given, or null.</summary>
    public WalkCache? WalkCache { get; } = walkCache;

    /// <summary>Descriptor reads since construction, both stages (the cost model charges per step).</summary>
    public long Steps { get; private set; }

    /// <summary>Descriptor reads of the last public walk call, stage-2 reads of a nested walk included.</summary>
    public int LastWalkSteps => (int)(Steps - walkStart);

    /// <summary>A stage-1 walk, nested through <paramref name="stage2"/> when given; no walk cache.</summary>
    public WalkResult WalkStage1(in WalkParameters tt, ulong inputAddress, AccessKind access, in WalkParameters? stage2 = null)
    {
        walkStart = Steps;
        return Stage1(tt, inputAddress, access, stage2, default, useCache: false);
    }

    /// <summary>
    /// A stage-1 walk using the walk cache under <paramref name="context"/> (its Stages are taken as
    /// <see cref="TranslationStages.Nested"/> when <paramref name="stage2"/> is given, else Stage1;
    /// stage-2 walks are cached under <see cref="TranslationContext.Stage2Only"/> of its VMID).
    /// </summary>
    public WalkResult WalkStage1(in WalkParameters tt, ulong inputAddress, AccessKind access, in WalkParameters? stage2,
        in TranslationContext context)
    {
        walkStart = Steps;
        return Stage1(tt, inputAddress, access, stage2, context, useCache: WalkCache is not null);
    }

    /// <summary>A stage-2 walk of <paramref name="ipa"/>; faults report S2 = 1, CLASS = <paramref name="faultClass"/> and the IPA.</summary>
    public WalkResult WalkStage2(in WalkParameters s2, ulong ipa, AccessKind access, FaultClass faultClass)
    {
        walkStart = Steps;
        return Walk(s2, ipa, access, stage2: true, faultClass, nested: false, default, default, useCache: false);
    }

    /// <summary>A stage-2 walk using the walk cache for <paramref name="vmid"/>.</summary>
    public WalkResult WalkStage2(in WalkParameters s2, ulong ipa, AccessKind access, FaultClass faultClass, ushort vmid)
    {
        walkStart = Steps;
        return Walk(s2, ipa, access, stage2: true, faultClass, nested: false, default, TranslationContext.Stage2Only(vmid),
            useCache: WalkCache is not null);
    }

    /// <summary>
    /// The stage-1 permissions a leaf grants (VMSAv8-64 EL1&amp;0), with the table attributes
    /// accumulated above it and the CD's WXN and PAN controls (IHI0070 5.4).
    /// </summary>
    /// <remarks>
    /// PAN removes privileged read and write from a page readable at EL0 (no FEAT_PAN3/EPAN, so EL0
    /// execute permission does not count). WXN removes execute permission at each privilege level
    /// where the page is writable. Both only take permissions away, so they can be folded into the
    /// permissions cached with a translation: PAN concerns data accesses only and WXN instruction
    /// fetches only, which <see cref="AccessChecks.Allows"/> check against different bits.
    /// </remarks>
    public static Permissions Stage1Permissions(ulong descriptor, TableAttributes table, bool writeExecuteNever = false,
        bool privilegedAccessNever = false)
    {
        var el0 = (descriptor & Descriptor.ApUnprivileged) != 0 && (table & TableAttributes.NoUnprivileged) == 0;
        var readOnly = (descriptor & Descriptor.ApReadOnly) != 0 || (table & TableAttributes.ReadOnly) != 0;
        var uxn = Descriptor.UXN.IsSet(descriptor) || (table & TableAttributes.XNTable) != 0;

        // A region writable at EL0 is never executable at EL1 (VMSAv8-64 stage-1 EL1&0 rule).
        var pxn = Descriptor.PXN.IsSet(descriptor) || (table & TableAttributes.PXNTable) != 0 || (el0 && !readOnly);

        // WXN: writable implies execute-never, judged at the fetching privilege level.
        pxn |= writeExecuteNever && !readOnly;
        uxn |= writeExecuteNever && el0 && !readOnly;
        var pan = privilegedAccessNever && el0;
        var p = Permissions.None;
        p |= pan ? 0 : Permissions.ReadPrivileged;
        p |= readOnly || pan ? 0 : Permissions.WritePrivileged;
        p |= pxn ? 0 : Permissions.ExecutePrivileged;
        p |= el0 ? Permissions.ReadUnprivileged : 0;
        p |= el0 && !readOnly ? Permissions.WriteUnprivileged : 0;
        // EL0 execution depends on UXN alone: AP[1] = 0 with UXN = 0 is execute-only memory at EL0.
        p |= uxn ? 0 : Permissions.ExecuteUnprivileged;
        return p;
    }

    /// <summary>
    /// The stage-2 permissions a leaf grants: S2AP[0] read, S2AP[1] write (both privilege levels);
    /// XN[1:0] (bits [54:53], FEAT_XNX): 00 executable, 01 not at EL1, 10 not at all, 11 not at EL0.
    /// </summary>
    public static Permissions Stage2Permissions(ulong descriptor)
    {
        var p = Permissions.None;
        if ((descriptor & (1UL << 6)) != 0)
        {
            p |= Permissions.ReadPrivileged | Permissions.ReadUnprivileged;
        }

        if ((descriptor & (1UL << 7)) != 0)
        {
            p |= Permissions.WritePrivileged | Permissions.WriteUnprivileged;
        }

        var xn = (descriptor >> 53) & 3;
        p |= xn is 0 or 3 ? Permissions.ExecutePrivileged : 0;
        p |= xn is 0 or 1 ? Permissions.ExecuteUnprivileged : 0;
        return p;
    }

    private WalkResult Stage1(in WalkParameters tt, ulong va, AccessKind access, in WalkParameters? stage2, in TranslationContext context,
        bool useCache)
    {
        var nested = stage2.HasValue;
        var s2 = stage2.GetValueOrDefault();
        var s1Context = context with { Stages = nested ? TranslationStages.Nested : TranslationStages.Stage1 };
        var s1 = Walk(tt, va, access, stage2: false, FaultClass.IN, nested, s2, s1Context, useCache);
        if (!s1.Ok || !nested)
        {
            return s1;
        }

        var s2Context = TranslationContext.Stage2Only(context.Vmid);
        var final = Walk(s2, s1.OutputAddress, access, stage2: true, FaultClass.IN, nested: false, default, s2Context, useCache);
        if (!final.Ok)
        {
            return final;
        }

        // The combined entry is the smaller of the two leaves; it keeps the stage-1 leaf's level and size,
        // which stage-1 invalidations (VA, TTL, range) match against.
        return WalkResult.TranslatedNested(final.OutputAddress, Math.Min(s1.BlockShift, final.BlockShift), s1.Level, s1.BlockShift,
            s1.Permissions & final.Permissions, s1.Global);
    }

    /// <summary>One stage. For a nested stage 1, <paramref name="s2"/> translates each descriptor IPA.</summary>
    private WalkResult Walk(in WalkParameters p, ulong ia, AccessKind access, bool stage2, FaultClass s2Class, bool nested,
        in WalkParameters s2, in TranslationContext context, bool useCache)
    {
        var g = p.Granule;
        if (!InInputRange(p, ia) || p.StartLevel is < 0 or > 3)
        {
            return Fault(EventId.F_TRANSLATION, stage2, s2Class, ia);
        }

        var level = p.StartLevel;
        var indexBits = StartLevelIndexBits(g, p.InputBits, level);
        if (indexBits < 1 || indexBits > g.Stride() + 4)
        {
            return Fault(EventId.F_TRANSLATION, stage2, s2Class, ia);
        }

        // The start-level table (or concatenated set) is aligned to its size, at least 64 bytes; lower TTB bits are ignored.
        var table = p.TableBase & ~(Math.Max(8UL << indexBits, 64UL) - 1);
        if (!Fits(table, p.OutputBits))
        {
            return Fault(EventId.F_ADDR_SIZE, stage2, s2Class, ia);
        }

        var attributes = TableAttributes.None;
        if (useCache && WalkCache!.TryFind(context, g, ia, level, out var cachedLevel, out var next, out var cachedAttributes))
        {
            level = cachedLevel + 1;
            table = next;
            attributes = cachedAttributes;
            indexBits = g.Stride();
        }

        while (true)
        {
            var shift = g.LevelShift(level);
            var descAddress = table + (((ia >> shift) & ((1UL << indexBits) - 1)) << 3);
            var pa = descAddress;
            if (nested)
            {
                var t = Walk(s2, descAddress, AccessKind.Read | AccessKind.Privileged, stage2: true, FaultClass.TT, nested: false,
                    default, TranslationContext.Stage2Only(context.Vmid), useCache);
                if (!t.Ok)
                {
                    return t;
                }

                pa = t.OutputAddress;
            }

            if (!memory.TryRead64(pa, out var desc))
            {
                return WalkResult.Faulted(EventId.F_WALK_EABT, stage2, stage2 ? s2Class : FaultClass.TT, stage2 ? ia : 0, pa);
            }

            Steps++;
            if ((desc & Descriptor.Valid) == 0)
            {
                return Fault(EventId.F_TRANSLATION, stage2, s2Class, ia);
            }

            if (level < 3 && (desc & Descriptor.TableOrPage) != 0)
            {
                table = Descriptor.OutputAddress(desc, g, level, isTable: true);
                if (!Fits(table, p.OutputBits))
                {
                    return Fault(EventId.F_ADDR_SIZE, stage2, s2Class, ia);
                }

                if (!stage2 && !p.HierarchicalPermissionsDisabled)
                {
                    attributes |= TableAttributesOf(desc);
                }

                if (useCache)
                {
                    WalkCache!.Insert(context, g, ia, level, table, attributes);
                }

                level++;
                indexBits = g.Stride();
                continue;
            }

            // Level 3 needs a page (0b11); 0b01 there is reserved. Above it, a block where the granule allows one.
            var isLeaf = level == 3 ? (desc & Descriptor.TableOrPage) != 0 : g.BlockAllowed(level, p.OutputBits >= 52);
            if (!isLeaf)
            {
                return Fault(EventId.F_TRANSLATION, stage2, s2Class, ia);
            }

            var output = Descriptor.OutputAddress(desc, g, level, isTable: false);
            if (!Fits(output, p.OutputBits))
            {
                return Fault(EventId.F_ADDR_SIZE, stage2, s2Class, ia);
            }

            if ((desc & Descriptor.AccessFlag) == 0 && !p.AccessFlagFaultDisabled)
            {
                return Fault(EventId.F_ACCESS, stage2, s2Class, ia);
            }

            var permissions = stage2
                ? Stage2Permissions(desc)
                : Stage1Permissions(desc, attributes, p.WriteExecuteNever, p.PrivilegedAccessNever);
            if (!permissions.Allows(access))
            {
                return Fault(EventId.F_PERMISSION, stage2, s2Class, ia);
            }

            var offsetMask = (1UL << shift) - 1;
            return WalkResult.Translated(output | (ia & offsetMask), shift, level, permissions,
                stage2 || (desc & Descriptor.NotGlobal) == 0);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static WalkResult Fault(EventId id, bool stage2, FaultClass s2Class, ulong ia) =>
        stage2 ? WalkResult.Faulted(id, true, s2Class, ia) : WalkResult.Faulted(id, false, FaultClass.IN);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Fits(ulong address, int bits) => bits >= 64 || (address >> bits) == 0;

    private static bool InInputRange(in WalkParameters p, ulong ia)
    {
        if (p.InputBits is < 1 or >= 64)
        {
            return p.InputBits == 64;
        }

        var top = ia >> p.InputBits;
        return p.UpperRange ? top == ulong.MaxValue >> p.InputBits : top == 0;
    }

    /// <summary>The hierarchical attributes of a stage-1 table descriptor: PXNTable, XNTable and APTable.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TableAttributes TableAttributesOf(ulong tableDescriptor) =>
        (Descriptor.PXNTable.IsSet(tableDescriptor) ? TableAttributes.PXNTable : 0)
            | (Descriptor.XNTable.IsSet(tableDescriptor) ? TableAttributes.XNTable : 0)
            | ((tableDescriptor & Descriptor.ApTableNoUnprivileged) != 0 ? TableAttributes.NoUnprivileged : 0)
            | ((tableDescriptor & Descriptor.ApTableReadOnly) != 0 ? TableAttributes.ReadOnly : 0);
}
