namespace SmmuLab.Driver.Tables;

/// <summary>
/// The CD table a CD-table STE points at (Linux: <c>struct arm_smmu_ctx_desc_cfg</c>).
/// </summary>
/// <param name="CdTableDma">Physical (or, nested, intermediate physical) address of the CD table or L1CD table.</param>
/// <param name="S1CdMax">log2 of the number of CDs; 0 disables substreams.</param>
/// <param name="S1Fmt">Table format, a <see cref="SmmuLab.Architecture.ContextDescriptors.S1Fmt"/> value.</param>
internal readonly record struct CdTableConfig(ulong CdTableDma, uint S1CdMax, uint S1Fmt);
