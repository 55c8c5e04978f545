using System.Text;
using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Driver.Tests.EndToEnd;

/// <summary>Records the commands an SMMU model consumes, in order.</summary>
internal sealed class CommandRecorder : IDisposable
{
    private readonly List<Command> commands = [];
    private readonly IDisposable subscription;

    public CommandRecorder(SmmuDevice device) =>
        subscription = device.AddObserver(new DelegateObserver { OnCommand = (_, c) => OnCommand(c.Command) });

    /// <summary>The commands since the last call, and forgets them.</summary>
    public Command[] Take()
    {
        lock (commands)
        {
            var a = commands.ToArray();
            commands.Clear();
            return a;
        }
    }

    public void Dispose() => subscription.Dispose();

    private void OnCommand(Command c)
    {
        lock (commands)
        {
            commands.Add(c);
        }
    }
}

/// <summary>One expected command: both words, or "a CMD_SYNC" (its completion fields depend on the queue).</summary>
internal readonly record struct Expected(ulong Dw0, ulong Dw1, bool AnySync = false)
{
    public override string ToString() => AnySync ? "CMD_SYNC" : $"0x{Dw0:x16} 0x{Dw1:x16}";
}

/// <summary>
/// Expected commands encoded by hand from the SMMUv3 command layouts (reference §5.2), independent
/// of the driver's own command builders: opcode in dword0 [7:0]; NUM [16:12], SCALE [24:20],
/// VMID [47:32], ASID [63:48]; dword1 LEAF [0], TTL [9:8], TG [11:10], address [63:12] (IPA
/// [51:12]); ATC_INV SSV [11], SSID [31:12], SID [63:32] and SIZE [5:0].
/// </summary>
internal static class Expect
{
    public static readonly Expected Sync = new(0x46, 0, AnySync: true);

    public static Expected NhVa(ulong asid, ulong va, bool leaf, ulong tg = 0, ulong ttl = 0, ulong scale = 0, ulong num = 0) =>
        new(0x12 | (num << 12) | (scale << 20) | (asid << 48), Dw1(leaf, ttl, tg) | (va & ~0xFFFUL));

    public static Expected S2Ipa(ulong vmid, ulong ipa, bool leaf, ulong tg = 0, ulong ttl = 0, ulong scale = 0, ulong num = 0) =>
        new(0x2a | (num << 12) | (scale << 20) | (vmid << 32), Dw1(leaf, ttl, tg) | (ipa & 0x000F_FFFF_FFFF_F000UL));

    public static Expected NhAsid(ulong asid) => new(0x11 | (asid << 48), 0);

    public static Expected S12Vmall(ulong vmid) => new(0x28 | (vmid << 32), 0);

    public static Expected NhAll(ulong vmid) => new(0x10 | (vmid << 32), 0);

    public static Expected AtcInv(ulong sid, ulong ssid, ulong address, ulong size) =>
        new(0x40 | ((ssid != 0 ? 1UL : 0) << 11) | (ssid << 12) | (sid << 32), size | (address & ~0xFFFUL));

    private static ulong Dw1(bool leaf, ulong ttl, ulong tg) => (leaf ? 1UL : 0) | (ttl << 8) | (tg << 10);

    /// <summary>Asserts the stream command by command: every word of every command, CMD_SYNC by opcode.</summary>
    public static void Stream(IReadOnlyList<Command> actual, params Expected[] expected)
    {
        var ok = actual.Count == expected.Length;
        for (var i = 0; ok && i < expected.Length; i++)
        {
            var e = expected[i];
            ok = e.AnySync ? actual[i].Opcode == Opcode.CMD_SYNC : actual[i].Dw0 == e.Dw0 && actual[i].Dw1 == e.Dw1;
        }

        if (!ok)
        {
            var sb = new StringBuilder("command stream differs\nexpected:\n");
            foreach (var e in expected)
            {
                sb.Append("  ").Append(e).Append('\n');
            }

            sb.Append("actual:\n");
            foreach (var a in actual)
            {
                sb.Append("  ").Append(a).Append('\n');
            }

            Assert.Fail(sb.ToString());
        }
    }

    /// <summary>The TLB and ATC invalidations of a stream (no configuration or prefetch commands).</summary>
    public static Command[] Invalidations(IEnumerable<Command> stream) =>
        [.. stream.Where(c => c.Opcode is >= Opcode.CMD_TLBI_NH_ALL and <= Opcode.CMD_TLBI_S2_IPA or Opcode.CMD_ATC_INV)];
}
