using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Driver.PageTables;

/// <summary>
/// The descriptor bits Linux's io-pgtable writes for a protection (reference §5.4): every leaf
/// attribute except the type and the output address, and the table descriptor's own bits.
/// </summary>
internal static class PteAttributes
{
    /// <summary>MAIR index of Normal non-cacheable memory (0x44).</summary>
    public const ulong MairIndexNonCacheable = 0;

    /// <summary>MAIR index of Normal write-back read/write-allocate memory (0xFF), used for <see cref="IommuProt.Cache"/>.</summary>
    public const ulong MairIndexCacheable = 1;

    /// <summary>MAIR index of Device-nGnRE memory (0x04), used for <see cref="IommuProt.Mmio"/>.</summary>
    public const ulong MairIndexDevice = 2;

    /// <summary>MAIR index of inner non-cacheable, outer write-back memory (0xF4); Linux defines it, nothing here uses it.</summary>
    public const ulong MairIndexInnerNcOuterWb = 3;

    /// <summary>Both execute-never bits, [54:53] (stage 1 UXN and PXN; stage 2 XN[1:0]).</summary>
    public static readonly ulong ExecuteNever = Descriptor.PXN.InPlaceMask | Descriptor.UXN.InPlaceMask;

    /// <summary>
    /// The attribute bits of a leaf (page or block) mapping with <paramref name="prot"/> under
    /// <paramref name="config"/>: everything but bits [1:0] and the output address.
    /// </summary>
    public static ulong Leaf(IommuProt prot, IoPageTableConfig config)
    {
        var pte = Descriptor.AccessFlag;
        if (config.Format == IoPageTableFormat.Stage1)
        {
            pte |= Descriptor.NotGlobal;
            if ((prot & (IommuProt.Read | IommuProt.Write)) == IommuProt.Read)
            {
                pte |= Descriptor.ApReadOnly;
            }
            else if ((config.Quirks & IoPageTableQuirks.HardwareDirty) != 0)
            {
                pte |= Descriptor.DBM.InPlaceMask;
            }

            if ((prot & IommuProt.Priv) == 0)
            {
                pte |= Descriptor.ApUnprivileged;
            }

            var index = (prot & IommuProt.Mmio) != 0 ? MairIndexDevice
                : (prot & IommuProt.Cache) != 0 ? MairIndexCacheable
                : MairIndexNonCacheable;
            pte |= Descriptor.AttrIndx.Make(index);
            if ((config.Quirks & IoPageTableQuirks.NonSecure) != 0)
            {
                pte |= Descriptor.NS.InPlaceMask;
            }
        }
        else
        {
            pte |= (prot & IommuProt.Read) != 0 ? Descriptor.S2ApRead : 0;
            pte |= (prot & IommuProt.Write) != 0 ? Descriptor.S2ApWrite : 0;
            var memAttr = (prot & IommuProt.Mmio) != 0 ? MemAttr.DeviceNGnRE
                : (prot & IommuProt.Cache) == 0 ? MemAttr.NormalNonCacheable
                : (config.Quirks & IoPageTableQuirks.S2Fwb) != 0 ? MemAttr.ForceWriteBack
                : MemAttr.NormalWriteBack;
            pte |= Descriptor.MemAttr.Make(memAttr);
        }

        pte |= Descriptor.SH.Make((prot & IommuProt.Cache) != 0 ? Shareability.Inner : Shareability.Outer);
        if ((prot & IommuProt.NoExec) != 0)
        {
            pte |= ExecuteNever;
        }

        return pte;
    }

    /// <summary>The bits of a table descriptor other than the next-level address: type 0b11, and NSTable under the NS quirk.</summary>
    public static ulong Table(IoPageTableConfig config) =>
        Descriptor.TypeTable | ((config.Quirks & IoPageTableQuirks.NonSecure) != 0 ? Descriptor.NSTable.InPlaceMask : 0);
}
