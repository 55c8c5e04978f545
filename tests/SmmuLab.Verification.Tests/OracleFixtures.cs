using SmmuLab.Hardware.Pcie;

namespace SmmuLab.Verification.Tests;

/// <summary>The oracle most tests start from, and the page of DMA they judge.</summary>
internal static class OracleFixtures
{
    /// <summary>An oracle with one paging domain, <c>dom</c>, that device <c>nic</c> is attached to.</summary>
    public static StaleTranslationOracle Paging()
    {
        var oracle = new StaleTranslationOracle();
        oracle.AddDomain("dom", OracleDomainKind.Paging);
        oracle.Attached("nic", null, "dom");
        return oracle;
    }

    /// <summary>A 16-byte read by <paramref name="device"/> (StreamID 0x20) at <paramref name="iova"/> that landed at <paramref name="pa"/>.</summary>
    public static DmaAccess Access(ulong iova, ulong pa, string device = "nic", uint? pasid = null) =>
        new(device, 0x20, pasid, iova, pa, 0x10, Write: false, FromAtc: false);
}
