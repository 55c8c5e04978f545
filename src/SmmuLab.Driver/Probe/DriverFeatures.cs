using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Driver.Probe;

/// <summary>
/// What the driver learned from the ID registers at probe (Linux <c>arm_smmu_device_hw_probe</c>,
/// the <c>ARM_SMMU_FEAT_*</c> bits), after errata adjustments.
/// </summary>
public sealed record DriverFeatures
{
    public bool Stage1 { get; init; }
    public bool Stage2 { get; init; }
    public bool TwoLevelStreamTable { get; init; }
    public bool TwoLevelCdTable { get; init; }
    public bool Coherent { get; init; }
    public bool Btm { get; init; }
    public bool Hyp { get; init; }
    public bool E2H { get; init; }
    public bool Ats { get; init; }
    public bool Pri { get; init; }
    public bool Msi { get; init; }
    public bool Sev { get; init; }
    public bool Stalls { get; init; }
    public bool StallForce { get; init; }
    public bool RangeInvalidation { get; init; }
    public bool AttrTypesOverride { get; init; }
    public bool Nesting { get; init; }
    public int AsidBits { get; init; }
    public int VmidBits { get; init; }
    public int SidBits { get; init; }
    public int SsidBits { get; init; }
    public int CmdqLog2 { get; init; }
    public int EvtqLog2 { get; init; }
    public int OutputBits { get; init; }
    public ulong PageSizeBitmap { get; init; }
    public uint Iidr { get; init; }

    /// <summary>Reads IDR0/1/3/5 and IIDR.</summary>
    public static DriverFeatures Read(Func<int, uint> readRegister)
    {
        var idr0 = readRegister(SmmuRegister.IDR0);
        var idr1 = readRegister(SmmuRegister.IDR1);
        var idr3 = readRegister(SmmuRegister.IDR3);
        var idr5 = readRegister(SmmuRegister.IDR5);
        var s1 = Idr0.S1P.IsSet(idr0);
        var s2 = Idr0.S2P.IsSet(idr0);
        var oas = AddressSize.ToBits((uint)Idr5.OAS.Get(idr5));
        ulong pages = 0;
        if (Idr5.GRAN4K.IsSet(idr5))
        {
            pages |= (1UL << 12) | (1UL << 21) | (1UL << 30);
        }

        if (Idr5.GRAN16K.IsSet(idr5))
        {
            pages |= (1UL << 14) | (1UL << 25);
        }

        if (Idr5.GRAN64K.IsSet(idr5))
        {
            pages |= (1UL << 16) | (1UL << 29) | (oas > 48 ? 1UL << 42 : 0);
        }

        var stallModel = (uint)Idr0.STALL_MODEL.Get(idr0);
        return new DriverFeatures
        {
            Stage1 = s1,
            Stage2 = s2,
            TwoLevelStreamTable = Idr0.ST_LEVEL.Get(idr0) == 1,
            TwoLevelCdTable = Idr0.CD2L.IsSet(idr0),
            Coherent = Idr0.COHACC.IsSet(idr0),
            Btm = Idr0.BTM.IsSet(idr0),
            Hyp = Idr0.HYP.IsSet(idr0),
            E2H = false, // the host kernel of this model does not run at EL2 with VHE
            Ats = Idr0.ATS.IsSet(idr0),
            Pri = Idr0.PRI.IsSet(idr0),
            Msi = Idr0.MSI.IsSet(idr0),
            Sev = Idr0.SEV.IsSet(idr0),
            Stalls = stallModel != 1,
            StallForce = stallModel == 2,
            RangeInvalidation = Idr3.RIL.IsSet(idr3),
            AttrTypesOverride = Idr1.ATTR_TYPES_OVR.IsSet(idr1),
            Nesting = s1 && s2,
            AsidBits = Idr0.ASID16.IsSet(idr0) ? 16 : 8,
            VmidBits = Idr0.VMID16.IsSet(idr0) ? 16 : 8,
            SidBits = (int)Idr1.SIDSIZE.Get(idr1),
            SsidBits = (int)Idr1.SSIDSIZE.Get(idr1),
            CmdqLog2 = (int)Idr1.CMDQS.Get(idr1),
            EvtqLog2 = (int)Idr1.EVENTQS.Get(idr1),
            OutputBits = oas,
            PageSizeBitmap = pages,
            Iidr = readRegister(SmmuRegister.IIDR),
        };
    }

    /// <summary>The smallest page size: the STU the driver programs into ATS-capable functions.</summary>
    public int SmallestPageShift => System.Numerics.BitOperations.TrailingZeroCount(PageSizeBitmap);
}
