using SmmuLab.Architecture.Registers;

namespace SmmuLab.Driver.Probe;

/// <summary>
/// The IIDR-keyed workarounds of Linux's <c>arm_smmu_device_iidr_probe</c> (as updated in March
/// 2026), applied to the features read from the ID registers:
/// <list type="bullet">
/// <item>MMU-600 r0p0-r0p2: erratum 1076982, no SEV when the CMDQ goes from full to not full -> SEV off.</item>
/// <item>MMU-600 before r2p0: erratum 1209401 (TLB invalidation with both stages active) -> nesting off.</item>
/// <item>MMU-700 all revisions: BTM off (DVM ordering; errata 2133013, 2268618, 2812531, 3777127).</item>
/// <item>MMU-700 before r1p1 (variant &lt; 1 or revision &lt; 1): erratum 2812531 -> CMD_SYNC forced every
/// 63 commands; errata 2268618/2812531 -> nesting off.</item>
/// <item>MMU-L1 and MMU-S3: BTM off (3878312, 3995052).</item>
/// </list>
/// </summary>
internal static class ArmErrata
{
    /// <summary>Applies the workarounds; returns the adjusted features, whether to force CMD_SYNCs, and what was applied.</summary>
    public static (DriverFeatures Features, bool ForceSync, IReadOnlyList<string> Applied) Apply(DriverFeatures features)
    {
        var iidr = features.Iidr;
        var applied = new List<string>();
        var forceSync = false;
        if (Iidr.Implementer.Get(iidr) != ArmProducts.Implementer)
        {
            return (features, false, applied);
        }

        var product = (uint)Iidr.ProductID.Get(iidr);
        var variant = (uint)Iidr.Variant.Get(iidr);
        var revision = (uint)Iidr.Revision.Get(iidr);
        var f = features;
        switch (product)
        {
            case ArmProducts.MMU600:
                if (variant == 0 && revision <= 2 && f.Sev)
                {
                    f = f with { Sev = false };
                    applied.Add("MMU-600 erratum 1076982: SEV disabled");
                }

                if (variant < 2 && f.Nesting)
                {
                    f = f with { Nesting = false };
                    applied.Add("MMU-600 erratum 1209401: nesting disabled");
                }

                break;
            case ArmProducts.MMU700:
                if (f.Btm)
                {
                    f = f with { Btm = false };
                }

                applied.Add("MMU-700 errata 2133013/2268618/2812531/3777127: BTM disabled");
                if (variant < 1 || revision < 1)
                {
                    forceSync = true;
                    applied.Add("MMU-700 erratum 2812531: CMD_SYNC forced every 63 commands");
                    if (f.Nesting)
                    {
                        f = f with { Nesting = false };
                        applied.Add("MMU-700 errata 2268618/2812531: nesting disabled");
                    }
                }

                break;
            case ArmProducts.MMUL1:
            case ArmProducts.MMUS3:
                if (f.Btm)
                {
                    f = f with { Btm = false };
                }

                applied.Add($"{(product == ArmProducts.MMUL1 ? "MMU-L1 erratum 3878312" : "MMU-S3 erratum 3995052")}: BTM disabled");
                break;
            default:
                break;
        }

        return (f, forceSync, applied);
    }
}
