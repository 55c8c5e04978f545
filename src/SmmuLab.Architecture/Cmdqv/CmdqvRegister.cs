namespace SmmuLab.Architecture.Cmdqv;

/// <summary>
/// Offsets in the MMIO window of an NVIDIA Tegra241 CMDQV (command-queue virtualisation), a
/// block beside an SMMUv3 with its own register window made of 64 KiB pages:
/// <list type="table">
/// <item><term>0x00000</term><description>config page: global registers; VINTF v registers at 0x1000 + 0x100 * v</description></item>
/// <item><term>0x10000</term><description>global VCMDQ page 0 (PROD/CONS/control), 0x80 bytes per VCMDQ</description></item>
/// <item><term>0x20000</term><description>global VCMDQ page 1 (BASE), 0x80 bytes per VCMDQ</description></item>
/// <item><term>0x30000 + 0x20000 * i</term><description>VINTF i page 0: its logical VCMDQs' page 0, 0x80 per lidx</description></item>
/// <item><term>0x40000 + 0x20000 * i</term><description>VINTF i page 1: its logical VCMDQs' page 1</description></item>
/// </list>
/// A VINTF-page view of a VCMDQ is an alias of the global view of the VCMDQ allocated to that
/// (VINTF, lidx) slot in <see cref="CMDQ_ALLOC"/>.
/// </summary>
public static class CmdqvRegister
{
    public const int PageSize = 0x10000;

    public const int CONFIG = 0x0000;
    public const int PARAM = 0x0004;
    public const int STATUS = 0x0008;

    /// <summary>VINTF_ERR_MAP: 64 bits as two 32-bit words (0x14, 0x18); not 64-bit aligned.</summary>
    public const int VINTF_ERR_MAP = 0x0014;

    /// <summary>VINTF_INT_MASK: 64 bits as two 32-bit words (0x1C, 0x20); a set bit masks that VINTF's error interrupt.</summary>
    public const int VINTF_INT_MASK = 0x001C;

    /// <summary>CMDQ_ERR_MAP(0): 128 bits as four 32-bit words, one bit per global VCMDQ in error.</summary>
    public const int CMDQ_ERR_MAP = 0x0024;

    /// <summary>CMDQ_ALLOC(0): one 32-bit word per global VCMDQ.</summary>
    public const int CMDQ_ALLOC = 0x0200;

    /// <summary>The VINTF register block of VINTF 0; 0x100 bytes per VINTF.</summary>
    public const int VINTF = 0x1000;
    public const int VintfStride = 0x100;

    /// <summary>Offsets inside a VINTF register block.</summary>
    public const int VINTF_CONFIG = 0x00;
    public const int VINTF_STATUS = 0x04;
    public const int VINTF_SID_MATCH = 0x40;
    public const int VINTF_SID_REPLACE = 0x80;

    /// <summary>LVCMDQ_ERR_MAP_64(0): 128 bits as two 64-bit words (0xC0, 0xC8), one bit per lidx in error.</summary>
    public const int VINTF_LVCMDQ_ERR_MAP = 0xC0;

    /// <summary>Global VCMDQ page 0 and page 1.</summary>
    public const int VcmdqPage0 = 0x10000;
    public const int VcmdqPage1 = 0x20000;

    /// <summary>Bytes per VCMDQ in every page-0/page-1 view.</summary>
    public const int VcmdqStride = 0x80;

    /// <summary>The first VINTF's page 0; VINTF i's pages are 0x20000 * i further.</summary>
    public const int VintfPage0Base = 0x30000;
    public const int VintfPage1Base = 0x40000;
    public const int VintfPagesStride = 0x20000;

    /// <summary>Page-0 registers of a VCMDQ, relative to its 0x80-byte slot.</summary>
    public const int VCMDQ_CONS = 0x00;
    public const int VCMDQ_PROD = 0x04;
    public const int VCMDQ_CONFIG = 0x08;
    public const int VCMDQ_STATUS = 0x0C;
    public const int VCMDQ_GERROR = 0x10;
    public const int VCMDQ_GERRORN = 0x14;

    /// <summary>Page-1 registers of a VCMDQ (64-bit), relative to its slot.</summary>
    public const int VCMDQ_BASE = 0x00;
    public const int VCMDQ_CONS_INDX_BASE = 0x08;

    /// <summary>Size of the window for <paramref name="vintfs"/> VINTFs.</summary>
    public static int RegionSize(int vintfs) => VintfPage0Base + (VintfPagesStride * vintfs);

    public static int CmdqErrMap(int word) => CMDQ_ERR_MAP + (4 * word);

    public static int CmdqAlloc(int vcmdq) => CMDQ_ALLOC + (4 * vcmdq);

    public static int VintfBase(int vintf) => VINTF + (VintfStride * vintf);

    public static int VintfConfig(int vintf) => VintfBase(vintf) + VINTF_CONFIG;

    public static int VintfStatus(int vintf) => VintfBase(vintf) + VINTF_STATUS;

    public static int VintfSidMatch(int vintf, int slot) => VintfBase(vintf) + VINTF_SID_MATCH + (4 * slot);

    public static int VintfSidReplace(int vintf, int slot) => VintfBase(vintf) + VINTF_SID_REPLACE + (4 * slot);

    public static int VintfLvcmdqErrMap(int vintf, int word) => VintfBase(vintf) + VINTF_LVCMDQ_ERR_MAP + (8 * word);

    /// <summary>A page-0 register of global VCMDQ <paramref name="vcmdq"/>.</summary>
    public static int VcmdqPage0Register(int vcmdq, int register) => VcmdqPage0 + (VcmdqStride * vcmdq) + register;

    /// <summary>A page-1 register of global VCMDQ <paramref name="vcmdq"/>.</summary>
    public static int VcmdqPage1Register(int vcmdq, int register) => VcmdqPage1 + (VcmdqStride * vcmdq) + register;

    /// <summary>Start of VINTF <paramref name="vintf"/>'s page 0 (the page a VMM maps into its guest).</summary>
    public static int VintfPage0(int vintf) => VintfPage0Base + (VintfPagesStride * vintf);

    public static int VintfPage1(int vintf) => VintfPage1Base + (VintfPagesStride * vintf);

    /// <summary>A page-0 register of logical VCMDQ <paramref name="lidx"/> of VINTF <paramref name="vintf"/>.</summary>
    public static int LvcmdqPage0Register(int vintf, int lidx, int register) => VintfPage0(vintf) + (VcmdqStride * lidx) + register;

    /// <summary>A page-1 register of logical VCMDQ <paramref name="lidx"/> of VINTF <paramref name="vintf"/>.</summary>
    public static int LvcmdqPage1Register(int vintf, int lidx, int register) => VintfPage1(vintf) + (VcmdqStride * lidx) + register;
}
