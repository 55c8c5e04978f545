using SmmuLab.Architecture.Bits;

namespace SmmuLab.Architecture.Cmdqv;

// Field layouts of the Tegra241 CMDQV registers, named as in the Linux driver (and the QEMU model
// where the kernel does not name a field). Each static class is one register.
#pragma warning disable SA1649, SA1402 // several small register classes share this file by design

/// <summary>CMDQV_CONFIG.</summary>
public static class CmdqvConfig
{
    public static readonly Field CMDQV_EN = new("CMDQV_EN", 0, 0, 1);
}

/// <summary>CMDQV_PARAM (read-only): the sizes of this CMDQV.</summary>
public static class CmdqvParam
{
    public static readonly Field VER = new("VER", 0, 0, 4);
    public static readonly Field NUM_VCMDQ_LOG2 = new("NUM_VCMDQ_LOG2", 0, 4, 4);
    public static readonly Field NUM_VINTF_LOG2 = new("NUM_VINTF_LOG2", 0, 8, 4);
    public static readonly Field NUM_SID_PER_VM_LOG2 = new("NUM_SID_PER_VM_LOG2", 0, 12, 4);

    public static readonly Layout Layout = new("CMDQV_PARAM", 1, VER, NUM_VCMDQ_LOG2, NUM_VINTF_LOG2, NUM_SID_PER_VM_LOG2);
}

/// <summary>CMDQV_STATUS.</summary>
public static class CmdqvStatus
{
    public static readonly Field CMDQV_ENABLED = new("CMDQV_ENABLED", 0, 0, 1);
}

/// <summary>CMDQ_ALLOC(q): which VINTF and logical index global VCMDQ q serves.</summary>
public static class CmdqAlloc
{
    public static readonly Field ALLOCATED = new("ALLOCATED", 0, 0, 1);
    public static readonly Field LVCMDQ = new("LVCMDQ", 0, 1, 7);
    public static readonly Field VINTF = new("VINTF", 0, 15, 6);

    public static readonly Layout Layout = new("CMDQ_ALLOC", 1, ALLOCATED, LVCMDQ, VINTF);
}

/// <summary>VINTF_CONFIG.</summary>
public static class VintfConfig
{
    public static readonly Field EN = new("EN", 0, 0, 1);

    /// <summary>The VMID substituted into the TLBIs of a guest-owned VINTF's queues.</summary>
    public static readonly Field VMID = new("VMID", 0, 1, 16);

    /// <summary>1: the hypervisor owns the VINTF and its queues take every command. Wired to 0 in a guest.</summary>
    public static readonly Field HYP_OWN = new("HYP_OWN", 0, 17, 1);

    public static readonly Layout Layout = new("VINTF_CONFIG", 1, EN, VMID, HYP_OWN);
}

/// <summary>VINTF_STATUS.</summary>
public static class VintfStatus
{
    public static readonly Field ENABLED = new("ENABLED", 0, 0, 1);

    /// <summary>0: no error; 1: a VCMDQ of this VINTF has an error.</summary>
    public static readonly Field STATUS = new("STATUS", 0, 1, 3);

    /// <summary>Logical VCMDQs currently allocated to the VINTF.</summary>
    public static readonly Field VI_NUM_LVCMDQ = new("VI_NUM_LVCMDQ", 0, 16, 8);
}

/// <summary>VINTF_SID_MATCH(s): a guest (virtual) StreamID this slot translates.</summary>
public static class VintfSidMatch
{
    public static readonly Field ENABLE = new("ENABLE", 0, 0, 1);
    public static readonly Field VIRT_SID = new("VIRT_SID", 0, 1, 20);
}

/// <summary>VINTF_SID_REPLACE(s): the physical StreamID of the slot.</summary>
public static class VintfSidReplace
{
    public static readonly Field PHYS_SID = new("PHYS_SID", 0, 0, 20);
}

/// <summary>VCMDQ_CONS and VCMDQ_PROD.</summary>
public static class VcmdqPointer
{
    /// <summary>CONS.RD / PROD.WR: wrap bit and index.</summary>
    public static readonly Field INDEX = new("INDEX", 0, 0, 20);

    /// <summary>CONS.ERR: a <see cref="VcmdqError"/>.</summary>
    public static readonly Field ERR = new("ERR", 0, 24, 7);
}

/// <summary>VCMDQ_CONFIG and VCMDQ_STATUS.</summary>
public static class VcmdqControl
{
    /// <summary>CONFIG.EN / STATUS.ENABLED.</summary>
    public static readonly Field EN = new("EN", 0, 0, 1);
}

/// <summary>VCMDQ_GERROR and VCMDQ_GERRORN: an error is active while the two bits differ.</summary>
public static class VcmdqGError
{
    public const uint CMDQ_ERR = 1u << 0;
    public const uint CONS_DRAM_WR_ABT_ERR = 1u << 1;
    public const uint CMDQ_INIT_ERR = 1u << 2;

    public const uint ImplementedMask = 0x7;
}

/// <summary>VCMDQ_BASE (page 1).</summary>
public static class VcmdqBase
{
    /// <summary>log2 of the number of 16-byte entries.</summary>
    public static readonly Field LOG2SIZE = new("LOG2SIZE", 0, 0, 5);
    public static readonly Field ADDR = new("ADDR", 0, 5, 43, FieldKind.Address);
}

/// <summary>VCMDQ_CONS.ERR values. The first three match the SMMU's CERROR codes.</summary>
public enum VcmdqError : byte
{
    NONE = 0,
    ILL_OPCODE = 1,
    ABT = 2,
    ATC_INV_SYNC = 3,

    /// <summary>An access the VINTF may not make, e.g. a StreamID with no SID_MATCH entry.</summary>
    ILL_ACCESS = 4,
}
