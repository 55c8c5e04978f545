using System.Diagnostics;
using SmmuLab.Architecture.Cmdqv;

namespace SmmuLab.Driver.Cmdqv;

/// <summary>The CMDQV error interrupt (the kernel's <c>tegra241_cmdqv_isr</c>).</summary>
public sealed partial class CmdqvDriver
{
    private readonly Lock isrGate = new();
    private bool isrRunning;
    private bool isrPendingAgain;
    private long interrupts;
    private long spurious;
    private long kernelQueueErrors;

    /// <summary>
    /// Raised for a VM's VINTF with queues in error: the VINTF and its two 64-bit LVCMDQ error
    /// maps (the iommufd vEVENT the VMM forwards to its guest). The host does not clear the error.
    /// </summary>
    public event Action<int, ulong, ulong>? UserVintfError;

    /// <summary>Interrupts that found an error.</summary>
    public long Interrupts => Interlocked.Read(ref interrupts);

    /// <summary>Interrupts that found none.</summary>
    public long SpuriousInterrupts => Interlocked.Read(ref spurious);

    /// <summary>Errors of VINTF0's queues handled (the bad command skipped or retried, then acknowledged).</summary>
    public long KernelQueueErrors => Interlocked.Read(ref kernelQueueErrors);

    /// <summary>
    /// Handles the CMDQV interrupt: reads VINTF_ERR_MAP; for VINTF0, recovers each logical VCMDQ in
    /// error as the SMMU's CMDQ is recovered (an illegal command becomes a CMD_SYNC) and acknowledges
    /// it in its GERRORN; for a VM's VINTF, reports its error maps. Calls are serialised; one made
    /// from inside the handler (an inline-consuming queue failing again during the acknowledgement)
    /// is taken once the running one finishes.
    /// </summary>
    public void HandleInterrupt()
    {
        lock (isrGate)
        {
            if (isrRunning)
            {
                isrPendingAgain = true;
                return;
            }

            isrRunning = true;
            try
            {
                do
                {
                    isrPendingAgain = false;
                    HandleOnce();
                }
                while (isrPendingAgain);
            }
            finally
            {
                isrRunning = false;
            }
        }
    }

    private void HandleOnce()
    {
        Debug.Assert(isrGate.IsHeldByCurrentThread, "CMDQV interrupt handling is serialised by its gate");
        // VINTF_ERR_MAP is not 64-bit aligned: two 32-bit reads.
        var vintfMap = mmio.Read32(CmdqvRegister.VINTF_ERR_MAP) | ((ulong)mmio.Read32(CmdqvRegister.VINTF_ERR_MAP + 4) << 32);
        if (vintfMap == 0)
        {
            Interlocked.Increment(ref spurious);
            return;
        }

        Interlocked.Increment(ref interrupts);
        if ((vintfMap & 1) != 0)
        {
            RecoverKernelQueues();
        }

        for (var v = 1; v < NumVintfs; v++)
        {
            if ((vintfMap & (1UL << v)) != 0)
            {
                var lo = mmio.Read64(CmdqvRegister.VintfLvcmdqErrMap(v, 0));
                var hi = mmio.Read64(CmdqvRegister.VintfLvcmdqErrMap(v, 1));
                userVintfs[v]?.ReportError(lo, hi);
                UserVintfError?.Invoke(v, lo, hi);
            }
        }
    }

    private void RecoverKernelQueues()
    {
        for (var half = 0; half < 2; half++)
        {
            var map = mmio.Read64(CmdqvRegister.VintfLvcmdqErrMap(0, half));
            for (var bit = 0; map != 0; bit++, map >>= 1)
            {
                var lidx = (half * 64) + bit;
                if ((map & 1) == 0 || lidx >= Vintf0.Queues.Length || Vintf0.Queues[lidx] is not { } lvcmdq)
                {
                    continue;
                }

                lvcmdq.Queue.HandleCommandError();
                Interlocked.Increment(ref kernelQueueErrors);

                // Acknowledge exactly what was read; consumption resumes at CONS.
                var gerror = mmio.Read32(Page0(lvcmdq, CmdqvRegister.VCMDQ_GERROR));
                mmio.Write32(Page0(lvcmdq, CmdqvRegister.VCMDQ_GERRORN), gerror);
            }
        }
    }
}
