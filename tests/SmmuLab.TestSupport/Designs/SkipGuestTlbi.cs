using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Guest;

namespace SmmuLab.TestSupport.Designs;

/// <summary>
/// A deliberately broken guest kernel: its TLBIs (and, unless told otherwise, its ATC
/// invalidations) never reach its vSMMU or VCMDQ; its CMD_SYNCs still complete. The TLB then keeps
/// the translations of pages the guest unmapped.
/// </summary>
public sealed class SkipGuestTlbi(IGuestCommandQueue inner, bool keepAtcInvalidation = false) : IGuestCommandQueue
{
    public string Name => $"{inner.Name} without guest TLBIs";

    public int Skipped { get; private set; }

    public void IssueWithSync(ReadOnlySpan<Command> commands)
    {
        var kept = new List<Command>();
        foreach (var c in commands)
        {
            var drop = c.Opcode is Opcode.CMD_TLBI_NH_VA or Opcode.CMD_TLBI_NH_VAA or Opcode.CMD_TLBI_NH_ASID or Opcode.CMD_TLBI_NH_ALL
                || (c.Opcode == Opcode.CMD_ATC_INV && !keepAtcInvalidation);
            if (drop)
            {
                Skipped++;
            }
            else
            {
                kept.Add(c);
            }
        }

        inner.IssueWithSync(kept.ToArray());
    }
}
