using Microsoft.Coyote.Specifications;
using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Hardware.Observation;
using SmmuLab.Machines;

namespace SmmuLab.Exploration;

/// <summary>
/// (b) unref against a reader in the middle of the array, and (c) switching ATS off against an
/// ATC_INV in flight. Domain d has two ATS masters on one SMMU, a (StreamID 1) and b (StreamID 2):
/// its array is [ASID, ATC 1, ATC 2], so detaching a leaves trash in the middle. Every command the
/// SMMU consumes is watched.
/// </summary>
public static class AtsExploration
{
    private const uint SidA = 1;
    private const uint SidB = 2;

    /// <summary>
    /// One iteration. Tasks: a detaches (ATS off, STE, ATC flush, unref) and, with
    /// <paramref name="reattach"/>, attaches again (a new merged array); a reader invalidates a range
    /// of d twice. Checked: no ATC_INV for a is consumed between a's detach returning and its next
    /// attach starting; every invalidation sent b an ATC_INV before it returned; the array ends as
    /// the attachments say.
    /// </summary>
    public static async Task Run(Func<CoyoteWaiter, IInvalidationDesign> design, bool reattach)
    {
        ArgumentNullException.ThrowIfNull(design);
        var waiter = new CoyoteWaiter();
        using var m = new DriverMachine(design(waiter), waiter: waiter);
        var s0 = m.AddQuietSmmu("smmu0");
        var a = m.AddDevice("a", "smmu0", [SidA], ats: true);
        var b = m.AddDevice("b", "smmu0", [SidB], ats: true);
        var d = m.Iommu.AllocPaging("d", DomainKind.S1, pinnedTag: 5, smmu: s0.Driver);
        a.Master.Attach(d);
        b.Master.Attach(d);

        // 0: a attached; 1: a's detach returned; 2: a's next attach started.
        var phase = 0;
        var lateForA = 0;
        long forB = 0;
        // The observer runs under the device lock, which Coyote does not control: it must reach no
        // scheduling point, so it uses plain reads and writes (Coyote runs one task at a time, and
        // in rewritten code every Interlocked or Volatile call is a scheduling point).
        using var watch = s0.Device.AddObserver(new DelegateObserver
        {
            OnCommand = (_, seen) =>
            {
                if (seen.Command.Opcode != Opcode.CMD_ATC_INV)
                {
                    return;
                }

                var sid = (uint)seen.Command.Get(CommandLayouts.Sid);
                if (sid == SidA && phase == 1)
                {
                    lateForA++;
                }
                else if (sid == SidB)
                {
                    forB++;
                }
            },
        });

        var attacher = Task.Run(() =>
        {
            a.Master.Detach();
            phase = 1;
            if (reattach)
            {
                phase = 2;
                a.Master.Attach(d);
            }
        });
        var lost = 0;
        var reader = Task.Run(() =>
        {
            for (var i = 0; i < 2; i++)
            {
                var before = forB;
                d.InvalidateRange(0x10000 * (ulong)(i + 1), 0x1000, 0x1000, leaf: true);
                if (forB == before)
                {
                    lost++;
                }
            }
        });
        await Task.WhenAll(attacher, reader);

        Specification.Assert(lost == 0, $"lost b: {lost} invalidation(s) sent no ATC_INV to b, which stayed attached");
        Specification.Assert(lateForA == 0, $"{lateForA} ATC_INV(s) for a consumed after its detach returned");
        var invs = LinuxInvalidation.ArrayOf(d);
        var live = invs.Snapshot().Where(e => e.Users > 0).Select(e => (e.Type, e.Id, e.Users)).ToArray();
        (InvalidationType, uint, int)[] expected = reattach
            ? [(InvalidationType.S1Asid, 5, 2), (InvalidationType.Ats, SidA, 1), (InvalidationType.Ats, SidB, 1)]
            : [(InvalidationType.S1Asid, 5, 1), (InvalidationType.Ats, SidB, 1)];
        Specification.Assert(live.SequenceEqual(expected), $"array {invs}: {string.Join(", ", live)}");
        Specification.Assert(invs.Warnings == 0, $"unref warned {invs.Warnings} time(s)");
        a.Master.Detach();
        b.Master.Detach();
    }
}
