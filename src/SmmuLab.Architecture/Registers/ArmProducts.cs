namespace SmmuLab.Architecture.Registers;

/// <summary>
/// SMMU_IIDR identities of Arm's SMMUs: the Implementer code and the ProductID values a driver
/// keys its errata on (<see cref="Iidr"/> holds the field layout). The model's products and the
/// driver's errata tables both use these.
/// </summary>
public static class ArmProducts
{
    /// <summary>IIDR.Implementer of Arm: JEP106 continuation 4, identity 0x3B.</summary>
    public const uint Implementer = 0x43B;

    /// <summary>IIDR.ProductID of the MMU-600.</summary>
    public const uint MMU600 = 0x483;

    /// <summary>IIDR.ProductID of the MMU-700.</summary>
    public const uint MMU700 = 0x487;

    /// <summary>IIDR.ProductID of the MMU-L1.</summary>
    public const uint MMUL1 = 0x48A;

    /// <summary>IIDR.ProductID of the MMU-S3.</summary>
    public const uint MMUS3 = 0x498;
}
