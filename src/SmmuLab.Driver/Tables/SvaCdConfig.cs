namespace SmmuLab.Driver.Tables;

/// <summary>
/// The CPU translation regime an SVA CD shares with a process (Linux takes these from the CPU:
/// VA bits, page size, PARange and MAIR_EL1, and the mm's ASID).
/// </summary>
/// <param name="Asid">The ASID of the process's address space.</param>
/// <param name="Mair">MAIR_EL1 of the CPU.</param>
/// <param name="Ips">CD.IPS: the CPU's physical address range encoding.</param>
/// <param name="Tsz">T0SZ: 64 minus the CPU's VA bits.</param>
/// <param name="Tg">TG0 for the CPU's page size (0 4K, 1 64K, 2 16K).</param>
internal readonly record struct SvaCdConfig(ushort Asid, ulong Mair, uint Ips, uint Tsz, uint Tg);
