using SmmuLab.Architecture.Events;

namespace SmmuLab.Hardware.Translation;

/// <summary>
/// The usual TLB-then-walk sequence of the translation path: look the address up, and on a miss (or a
/// hit whose permissions deny the access, so that the fault is reported precisely) walk the tables
/// and cache a successful result. Allocation-free.
/// </summary>
internal static class CachedTranslation
{
    /// <summary>
    /// Translates <paramref name="address"/> under <paramref name="context"/>: stage 1 only when
    /// <paramref name="stage2"/> is null, nested when both are given, stage 2 only when
    /// <paramref name="stage1"/> is null (then the address is an IPA and a fault is CLASS = IN).
    /// <paramref name="context"/>.Stages should agree; it is set from the parameters given.
    /// </summary>
    /// <returns>The translation or the fault; <paramref name="tlbHit"/> is true when the TLB supplied it (no walk was made).</returns>
    public static WalkResult Translate(this Tlb tlb, TranslationWalker walker, in TranslationContext context,
        in WalkParameters? stage1, in WalkParameters? stage2, ulong address, AccessKind access, out bool tlbHit)
    {
        var stages = stage1 is null ? TranslationStages.Stage2 : stage2 is null ? TranslationStages.Stage1 : TranslationStages.Nested;
        var ctx = context with { Stages = stages };
        if (tlb.TryLookup(ctx, address, out var cached) && cached.Permissions.Allows(access))
        {
            tlbHit = true;
            return cached;
        }

        tlbHit = false;
        WalkResult walk;
        if (stage1 is { } s1)
        {
            walk = walker.WalkStage1(s1, address, access, stage2, ctx);
            if (walk.Ok)
            {
                tlb.Insert(ctx, s1.Granule, address, walk);
            }
        }
        else if (stage2 is { } s2)
        {
            walk = walker.WalkStage2(s2, address, access, FaultClass.IN, ctx.Vmid);
            if (walk.Ok)
            {
                tlb.Insert(ctx, s2.Granule, address, walk);
            }
        }
        else
        {
            throw new ArgumentException("at least one stage is needed; bypass is the caller's");
        }

        return walk;
    }
}
