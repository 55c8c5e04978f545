using SmmuLab.Architecture.Commands;

namespace SmmuLab.Driver.Cmdqv;

/// <summary>The commands a VCMDQ may run.</summary>
internal static class CmdqvCommands
{
    /// <summary>
    /// The check for a queue of a guest-owned VINTF (HYP_OWN = 0; the kernel's
    /// <c>tegra241_guest_vcmdq_supports_cmd</c>): TLBI_NH_ASID, TLBI_NH_VA and ATC_INV only.
    /// Everything else goes to the SMMU's CMDQ (in a VM, the trapped and emulated one).
    /// </summary>
    public static bool GuestSupports(Command command) =>
        command.Opcode is Opcode.CMD_TLBI_NH_ASID or Opcode.CMD_TLBI_NH_VA or Opcode.CMD_ATC_INV;
}
