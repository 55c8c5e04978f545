using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Driver.Guest;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Reporting;
using SmmuLab.TestSupport.Designs;
using SmmuLab.Verification;
using static SmmuLab.Scenarios.Tests.Nested.VmScenarios;

namespace SmmuLab.Scenarios.Tests.Nested;

/// <summary>A VM with a vSMMU as one scenario: the guest's stage 1 over the VM's stage 2, judged by the oracle.</summary>
public class VmVsmmuScenarioTests
{
    [Theory]
    [InlineData("legacy", false)]
    [InlineData("linux", false)]
    [InlineData("legacy", true)]
    [InlineData("linux", true)]
    public void Guest_DMA_goes_through_both_stages_and_faults_after_the_guest_unmap(string design, bool ats)
    {
        using var run = VmRun.Start(GuestUnmap(design, ats, cmdqv: false), InvalidationDesigns.Create(design));

        Assert.True(run.Report.Succeeded, run.Report.Format());
        Assert.False(run.Report.Steps[5].Dma!.Ok);
        Assert.Equal(0, run.Oracle.ViolationCount);
        Assert.Equal(6, run.Oracle.PagesChecked);

        // IOVA 0x10000 -> IPA 0x40008000 (guest) -> PA 0xa0008000 (stage 2), page by page.
        var step3 = run.Accesses.Where(a => a.Step == 3).Select(a => (a.Access.Address, a.Access.PhysicalAddress, a.Access.Write));
        Assert.Equal([(0x10000UL, Pa + 0x8000, true), (0x11000UL, Pa + 0x9000, true), (0x12000UL, Pa + 0xa000, true), (0x13000UL, Pa + 0xb000, true)], step3);
        Assert.Equal([Pa + 0xa000, Pa + 0xb000], run.Accesses.Where(a => a.Step == 6).Select(a => a.Access.PhysicalAddress));

        // The guest's tables hold IPAs and live in the VM's RAM; its STE points at its CD table by IPA.
        var vm = run.Machine.Vm("vm");
        var guest = run.Machine.GuestDomain("guest").Guest;
        Assert.Equal(Ipa + 0xa000, guest.IovaToIpa(0x12000));
        Assert.Null(guest.IovaToIpa(0x10000));
        Assert.True(vm.Memory.Contains(guest.CdTableIpa, 64));
        Assert.True(vm.Memory.Contains(guest.PageTable.TableBase));
        var ste = run.Machine.Machine.Device("vf0").Master.CurrentSte;
        Assert.Equal(SteConfig.Nested, (uint)Ste.Config.Get(ste[0]));
        Assert.Equal(guest.CdTableIpa, Ste.S1ContextPtr.GetAddress(ste[0]));
        Assert.Equal(9UL, Ste.S2VMID.Get(ste));

        // The guest's unmap reached the host CMDQ through the vSMMU: its ASID, the VM's VMID, the physical StreamID.
        var tlbi = Assert.Single(run.Commands[4], c => c.Opcode == Opcode.CMD_TLBI_NH_VA);
        Assert.Equal((9UL, 5UL, 0x10000UL), (CommandLayouts.Vmid.Get(tlbi.Dw0), CommandLayouts.Asid.Get(tlbi.Dw0), CommandLayouts.Addr.GetAddress(tlbi.Dw1)));
        var atcInvs = run.Commands[4].Where(c => c.Opcode == Opcode.CMD_ATC_INV).Select(c => CommandLayouts.Sid.Get(c.Dw0)).ToList();
        Assert.Equal(ats ? [0x400UL] : [], atcInvs);
        Assert.Equal(ats ? 2 : 1, vm.VSmmu.Invalidations);
        Assert.Equal(ats ? 2 : 1, vm.Cmdq.Syncs);
        Assert.Contains($"smmu0 vSMMU vm (VMID 9): {(ats ? 2 : 1)} guest invalidation calls", run.Report.Format(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void With_a_CMDQV_the_guest_invalidates_through_its_own_VCMDQ(bool ats)
    {
        using var run = VmRun.Start(GuestUnmap("linux", ats, cmdqv: true), InvalidationDesigns.Create("linux"));

        Assert.True(run.Report.Succeeded, run.Report.Format());
        Assert.False(run.Report.Steps[5].Dma!.Ok);
        Assert.Equal(0, run.Oracle.ViolationCount);

        // The guest's TLBI and ATC_INV went to its VCMDQ, where the hardware put in the VM's VMID and the physical SID.
        var vm = run.Machine.Vm("vm");
        var hw = run.Machine.Machine.Cmdqv("smmu0").Device;
        var stats = hw.QueueStatistics(hw.GlobalIndexOf(vm.Vintf!.Index, 0));
        Assert.Equal(1, stats.Commands(Opcode.CMD_TLBI_NH_VA));
        Assert.Equal(ats ? 1 : 0, stats.Commands(Opcode.CMD_ATC_INV));
        Assert.Equal(1, stats.VmidsReplaced); // the TLBI; an ATC_INV has no VMID
        Assert.Equal(ats ? 1 : 0, stats.SidsReplaced);
        Assert.Equal(9UL, vm.Vintf.Vmid);

        // Neither the host's driver nor the vSMMU's emulated queue carried them.
        Assert.DoesNotContain(run.Commands.SelectMany(c => c.Value), c => c.Opcode == Opcode.CMD_TLBI_NH_VA);
        Assert.Equal(0, vm.VSmmu.Invalidations);
        Assert.Equal(0, vm.Cmdq.Syncs);
        Assert.Equal(0, run.Machine.Machine.Smmu("smmu0").Device.Statistics.Commands(Opcode.CMD_TLBI_NH_VA));
        Assert.Contains("guest VCMDQ: VINTF1 lvcmdq0", run.Report.Format(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void A_guest_that_skips_its_TLBI_is_caught_by_the_oracle(bool cmdqv, bool ats)
    {
        SkipGuestTlbi? broken = null;
        using var run = VmRun.Start(GuestUnmap("linux", ats, cmdqv), InvalidationDesigns.Create("linux"), q => broken = new SkipGuestTlbi(q));

        Assert.True(run.Report.Steps[5].Dma!.Ok, "the TLB (or the ATC) still holds the guest's translation");
        Assert.True(broken!.Skipped > 0);
        Assert.False(run.Report.Succeeded);
        var v = Assert.Single(run.Oracle.Violations);
        Assert.Equal((ViolationKind.Stale, 5, "vf0", 0x400u), (v.Kind, v.Step, v.Device, v.StreamId));
        Assert.Equal((0x10000UL, Pa + 0x8000, ats), (v.Iova, v.PhysicalAddress, v.FromAtc));
        Assert.Equal(("guest", "guest"), (v.Domain, v.KilledDomain));
        Assert.Equal((4, "unmap guest 0x10000+0x2000"), (v.KilledBy!.Value.Step, v.KilledBy.Value.Description));
        Assert.Contains("translation of guest killed by #4 (unmap guest 0x10000+0x2000)", run.Report.Format(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("legacy", false, false)]
    [InlineData("linux", false, false)]
    [InlineData("linux", true, false)]
    [InlineData("linux", false, true)]
    [InlineData("legacy", true, true)]
    public void A_stage_2_unmap_under_a_live_guest_mapping_faults_and_the_oracle_agrees(string design, bool ats, bool cmdqv)
    {
        using var run = VmRun.Start(Stage2Unmap(design, ats, cmdqv), InvalidationDesigns.Create(design));

        Assert.True(run.Report.Succeeded, run.Report.Format());
        Assert.False(run.Report.Steps[5].Dma!.Ok);
        Assert.Equal(0, run.Oracle.ViolationCount);
        Assert.Equal(Ipa + 0xa000, run.Machine.GuestDomain("guest").Guest.IovaToIpa(0x12000)); // the guest still maps it
    }

    [Fact]
    public void A_host_that_skips_the_stage_2_invalidation_is_caught_by_the_oracle()
    {
        using var run = VmRun.Start(Stage2Unmap("legacy", ats: false, cmdqv: false), new SkipLeafInvalidation());

        Assert.True(run.Report.Steps[5].Dma!.Ok, "the TLB still holds the nested translation");
        var v = Assert.Single(run.Oracle.Violations);
        Assert.Equal((ViolationKind.Stale, 5, Pa + 0xa000), (v.Kind, v.Step, v.PhysicalAddress));
        Assert.Equal((4, "unmap vm 0x40000000+0x200000"), (v.KilledBy!.Value.Step, v.KilledBy.Value.Description));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Two_VMs_with_the_same_guest_ASID_and_IOVA_invalidate_only_their_own(bool cmdqv)
    {
        using var run = VmRun.Start(TwoVms(cmdqv), InvalidationDesigns.Create("linux"));

        Assert.True(run.Report.Succeeded, run.Report.Format());
        Assert.Equal(0, run.Oracle.ViolationCount);
        Assert.Equal([Pa, 0xb000_0000UL, 0xb000_0000UL, 0xb000_0000UL],
            run.Accesses.Where(a => a.Step is 6 or 7 or 10 or 12).Select(a => a.Access.PhysicalAddress));
        var a = run.Machine.Vm("vmA");
        var b = run.Machine.Vm("vmB");
        Assert.Equal((9, 10), (a.VSmmu.Vmid, b.VSmmu.Vmid));
        Assert.Equal((1u, 1u), (a.VirtualSid(run.Machine.Machine.Device("vf0").Master, 0x400), b.VirtualSid(run.Machine.Machine.Device("vf1").Master, 0x500)));

        if (cmdqv)
        {
            // Each VM has its own VINTF and VCMDQ; guest B's flush (TLBI_NH_ASID, ATC_INV) ran on B's queue.
            Assert.NotEqual(a.Vintf!.Index, b.Vintf!.Index);
            var hw = run.Machine.Machine.Cmdqv("smmu0").Device;
            var qb = hw.QueueStatistics(hw.GlobalIndexOf(b.Vintf.Index, 0));
            Assert.Equal((1L, 1L), (qb.Commands(Opcode.CMD_TLBI_NH_ASID), qb.Commands(Opcode.CMD_ATC_INV)));
        }
        else
        {
            // Guest B's flush reached the CMDQ as TLBI_NH_ASID with B's VMID, ATC_INV of vf1's physical StreamID.
            var flush = run.Commands[11];
            var asid = Assert.Single(flush, c => c.Opcode == Opcode.CMD_TLBI_NH_ASID);
            Assert.Equal((10UL, 5UL), (CommandLayouts.Vmid.Get(asid.Dw0), CommandLayouts.Asid.Get(asid.Dw0)));
            Assert.Equal(0x500UL, CommandLayouts.Sid.Get(Assert.Single(flush, c => c.Opcode == Opcode.CMD_ATC_INV).Dw0));
        }
    }

    [Fact]
    public void The_example_VM_scenario_runs_green_with_and_without_a_CMDQV()
    {
        var path = Path.Combine(ScenarioParserTests.RepositoryRoot(), "scenarios", "vm-vsmmu.toml");
        var text = File.ReadAllText(path);
        foreach (var variant in new[] { text, text.Replace("product = \"mmu-700 r1p1\"", "product = \"mmu-700 r1p1\"\ncmdqv = true", StringComparison.Ordinal) })
        {
            var scenario = ScenarioParser.Parse(variant, path);
            using var run = VmRun.Start(variant, InvalidationDesigns.Create(scenario.Invalidation));
            Assert.True(run.Report.Succeeded, run.Report.Format());
            Assert.Equal(0, run.Report.Failed);
            Assert.True(run.Oracle.PagesChecked >= 7);
            Assert.Contains("oracle: ", run.Report.Format(), StringComparison.Ordinal);
        }
    }

    /// <summary>A run kept open: the machine, the oracle, each DMA page and each CMDQ command by step.</summary>
    private sealed class VmRun : IDisposable
    {
        private VmRun(DriverScenarioMachine machine, StaleTranslationOracle oracle)
        {
            Machine = machine;
            Oracle = oracle;
        }

        public DriverScenarioMachine Machine { get; }

        public StaleTranslationOracle Oracle { get; }

        public ScenarioReport Report { get; private set; } = null!;

        public List<(int Step, DmaAccess Access)> Accesses { get; } = [];

        /// <summary>Commands consumed from the SMMU's own CMDQ, per step.</summary>
        public Dictionary<int, List<Command>> Commands { get; } = [];

        public static VmRun Start(string text, IInvalidationDesign design, Func<IGuestCommandQueue, IGuestCommandQueue>? guestQueue = null)
        {
            var oracle = new StaleTranslationOracle();
            var machine = new DriverScenarioMachine(design) { GuestQueueWrapper = guestQueue };
            var run = new VmRun(machine, oracle);
            machine.DmaAccessed += a => run.Accesses.Add((oracle.Step, a));
            machine.SmmuBuilt += (device, _) => device.AddObserver(new DelegateObserver
            {
                OnCommand = (_, seen) =>
                {
                    if (seen.Queue.IsCmdq)
                    {
                        run.CommandsOf(oracle.Step).Add(seen.Command);
                    }
                },
            });
            run.Report = new ScenarioRunner(machine, new ScenarioRunOptions { Oracle = oracle }).Run(ScenarioParser.Parse(text, "vm.toml"));
            return run;
        }

        public void Dispose()
        {
            Oracle.Dispose();
            Machine.Dispose();
        }

        private List<Command> CommandsOf(int step)
        {
            if (!Commands.TryGetValue(step, out var list))
            {
                list = [];
                Commands.Add(step, list);
            }

            return list;
        }
    }
}
