namespace SmmuLab.Driver.Tables;

/// <summary>
/// The VTCR fields of a stage-2 io-pgtable, as placed in STE dw2 [50:32] (IHI0070 5.2; encodings in
/// the layouts reference §5.8).
/// </summary>
/// <param name="Tsz">S2T0SZ: 64 minus the IPA size.</param>
/// <param name="Sl">S2SL0: start level encoding.</param>
/// <param name="Irgn">S2IR0: walk inner cacheability (0 NC, 1 WBWA, 2 WT, 3 WB).</param>
/// <param name="Orgn">S2OR0: walk outer cacheability.</param>
/// <param name="Sh">S2SH0: walk shareability (0 NSH, 2 OSH, 3 ISH).</param>
/// <param name="Tg">S2TG: granule (0 4K, 1 64K, 2 16K).</param>
/// <param name="Ps">S2PS: output size (0 32 bits ... 6 52 bits).</param>
internal readonly record struct VtcrConfig(uint Tsz, uint Sl, uint Irgn, uint Orgn, uint Sh, uint Tg, uint Ps);

/// <summary>
/// A stage-2 domain as an STE needs it (Linux: <c>arm_smmu_s2_cfg</c> plus the io-pgtable's
/// <c>arm_lpae_s2_cfg</c>).
/// </summary>
/// <param name="Vttbr">Stage-2 table base; bits [51:4] are used.</param>
/// <param name="Vmid">The domain's VMID.</param>
/// <param name="Vtcr">The translation controls.</param>
/// <param name="S2Fwb">The io-pgtable uses the stage-2 forced write-back quirk.</param>
internal readonly record struct Stage2Config(ulong Vttbr, ushort Vmid, VtcrConfig Vtcr, bool S2Fwb = false);
