namespace SmmuLab.Driver.Tables;

/// <summary>
/// The TCR fields of a stage-1 io-pgtable for TTB0, as placed in CD dw0 (IHI0070 5.4; encodings in
/// the layouts reference §5.8).
/// </summary>
/// <param name="Tsz">T0SZ: 64 minus the VA size.</param>
/// <param name="Tg">TG0: granule (0 4K, 1 64K, 2 16K).</param>
/// <param name="Irgn">IR0: walk inner cacheability (0 NC, 1 WBWA, 2 WT, 3 WB).</param>
/// <param name="Orgn">OR0: walk outer cacheability.</param>
/// <param name="Sh">SH0: walk shareability (0 NSH, 2 OSH, 3 ISH).</param>
/// <param name="Ips">IPS: output size (0 32 bits ... 6 52 bits).</param>
internal readonly record struct TcrConfig(uint Tsz, uint Tg, uint Irgn, uint Orgn, uint Sh, uint Ips);

/// <summary>
/// A stage-1 paging domain as a CD needs it (Linux: the io-pgtable's <c>arm_lpae_s1_cfg</c> and the
/// domain's ASID).
/// </summary>
/// <param name="Ttbr">Stage-1 table base; bits [51:4] are used.</param>
/// <param name="Tcr">The translation controls.</param>
/// <param name="Mair">The MAIR value the page tables' AttrIndx select from.</param>
/// <param name="Asid">The domain's ASID.</param>
/// <param name="DirtyTracking">Hardware dirty-state tracking (the io-pgtable HD quirk): sets HA and HD.</param>
internal readonly record struct Stage1Config(ulong Ttbr, TcrConfig Tcr, ulong Mair, ushort Asid, bool DirtyTracking = false);
