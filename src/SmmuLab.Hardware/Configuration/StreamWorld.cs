namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// The effective StreamWorld of a Non-secure stream (IHI0070 3.3.3, STE.STRW): the translation
/// regime that tags TLB entries and decides how a CD is interpreted.
/// </summary>
internal enum StreamWorld : byte
{
    /// <summary>NS-EL1: ASID and VMID tagged, two VA ranges.</summary>
    NsEl1,

    /// <summary>NS-EL2 (STRW = 0b10, CR2.E2H = 0): one VA range, no ASID.</summary>
    NsEl2,

    /// <summary>NS-EL2-E2H (STRW = 0b10, CR2.E2H = 1): ASID tagged, two VA ranges.</summary>
    NsEl2E2H,
}
