using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Bits;
using SmmuLab.Architecture.Memory;

namespace SmmuLab.Architecture.Commands;

/// <summary>
/// One 16-byte command queue entry as two little-endian double words. Factory methods build the
/// commands the way the Linux driver's <c>arm_smmu_cmdq_build_cmd</c> lays them out; fields are
/// read back through <see cref="CommandLayouts"/>.
/// </summary>
public readonly record struct Command(ulong Dw0, ulong Dw1)
{
    public Opcode Opcode
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (Opcode)(byte)Dw0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Get(Field f) => f.Dword == 0 ? f.Get(Dw0) : f.Get(Dw1);

    public Command With(Field f, ulong value) =>
        f.Dword == 0 ? this with { Dw0 = f.Insert(Dw0, value) } : this with { Dw1 = f.Insert(Dw1, value) };

    public static Command PrefetchConfig(uint sid) => new((ulong)Opcode.CMD_PREFETCH_CONFIG | CommandLayouts.Sid.Make(sid), 0);

    public static Command CfgiSte(uint sid, bool leaf) =>
        new((ulong)Opcode.CMD_CFGI_STE | CommandLayouts.Sid.Make(sid), CommandLayouts.Leaf.Make(leaf ? 1UL : 0));

    /// <summary>CMD_CFGI_STE_RANGE covering 2^(range+1) StreamIDs; <see cref="CommandLayouts.CfgiAllRange"/> is CMD_CFGI_ALL.</summary>
    public static Command CfgiSteRange(uint sid, uint range) =>
        new((ulong)Opcode.CMD_CFGI_STE_RANGE | CommandLayouts.Sid.Make(sid), CommandLayouts.Range.Make(range));

    public static Command CfgiAll() => CfgiSteRange(0, CommandLayouts.CfgiAllRange);

    public static Command CfgiCd(uint sid, uint ssid, bool leaf) =>
        new((ulong)Opcode.CMD_CFGI_CD | CommandLayouts.Sid.Make(sid) | CommandLayouts.Ssid.Make(ssid),
            CommandLayouts.Leaf.Make(leaf ? 1UL : 0));

    public static Command CfgiCdAll(uint sid) => new((ulong)Opcode.CMD_CFGI_CD_ALL | CommandLayouts.Sid.Make(sid), 0);

    public static Command TlbiNhAll(ushort vmid) => new((ulong)Opcode.CMD_TLBI_NH_ALL | CommandLayouts.Vmid.Make(vmid), 0);

    public static Command TlbiNhAsid(ushort vmid, ushort asid) =>
        new((ulong)Opcode.CMD_TLBI_NH_ASID | CommandLayouts.Vmid.Make(vmid) | CommandLayouts.Asid.Make(asid), 0);

    public static Command TlbiEl2All() => new((ulong)Opcode.CMD_TLBI_EL2_ALL, 0);

    public static Command TlbiEl2Asid(ushort asid) => new((ulong)Opcode.CMD_TLBI_EL2_ASID | CommandLayouts.Asid.Make(asid), 0);

    public static Command TlbiS12Vmall(ushort vmid) => new((ulong)Opcode.CMD_TLBI_S12_VMALL | CommandLayouts.Vmid.Make(vmid), 0);

    public static Command TlbiNsnhAll() => new((ulong)Opcode.CMD_TLBI_NSNH_ALL, 0);

    /// <summary>
    /// An address-based TLBI (NH_VA, NH_VAA, EL2_VA, EL2_VAA, S2_IPA). <paramref name="tg"/> 0 means
    /// a single-address invalidation; otherwise the range is (num+1) * 2^scale granules of TG.
    /// </summary>
    public static Command TlbiByAddress(Opcode op, ushort vmid, ushort asid, ulong address, bool leaf,
        uint tg = 0, uint ttl = 0, uint scale = 0, uint num = 0)
    {
        var addr = op == Opcode.CMD_TLBI_S2_IPA ? CommandLayouts.Ipa : CommandLayouts.Addr;
        var dw0 = (ulong)op | CommandLayouts.Num.Make(num) | CommandLayouts.Scale.Make(scale);
        if (op is Opcode.CMD_TLBI_NH_VA or Opcode.CMD_TLBI_NH_VAA or Opcode.CMD_TLBI_S2_IPA)
        {
            dw0 |= CommandLayouts.Vmid.Make(vmid);
        }

        if (op is Opcode.CMD_TLBI_NH_VA or Opcode.CMD_TLBI_EL2_VA)
        {
            dw0 |= CommandLayouts.Asid.Make(asid);
        }

        var dw1 = CommandLayouts.Leaf.Make(leaf ? 1UL : 0) | CommandLayouts.Ttl.Make(ttl) | CommandLayouts.Tg.Make(tg)
            | addr.InsertAddress(0, address);
        return new Command(dw0, dw1);
    }

    public static Command AtcInv(uint sid, uint ssid, bool ssv, ulong address, uint size, bool global = false) =>
        new((ulong)Opcode.CMD_ATC_INV | CommandLayouts.Sid.Make(sid) | CommandLayouts.Ssid.Make(ssid)
                | CommandLayouts.Ssv.Make(ssv ? 1UL : 0) | CommandLayouts.Global.Make(global ? 1UL : 0),
            CommandLayouts.AtcSize.Make(size) | CommandLayouts.Addr.InsertAddress(0, address));

    public static Command PriResp(uint sid, uint ssid, bool ssv, uint grpId, PriResponse resp) =>
        new((ulong)Opcode.CMD_PRI_RESP | CommandLayouts.Sid.Make(sid) | CommandLayouts.Ssid.Make(ssid)
                | CommandLayouts.Ssv.Make(ssv ? 1UL : 0),
            CommandLayouts.GrpId.Make(grpId) | CommandLayouts.PriResp.Make((ulong)resp));

    /// <summary>CMD_RESUME: Retry sets Ac; Abort is Ac == 0 with Ab == 1; Term is both clear (4.7.1).</summary>
    public static Command Resume(uint sid, ushort stag, ResumeAction action) =>
        new((ulong)Opcode.CMD_RESUME | CommandLayouts.Sid.Make(sid)
                | CommandLayouts.ResumeAc.Make(action == ResumeAction.Retry ? 1UL : 0)
                | CommandLayouts.ResumeAb.Make(action == ResumeAction.Abort ? 1UL : 0),
            CommandLayouts.Stag.Make(stag));

    /// <summary>CMD_SYNC. With <see cref="SyncCompletion.SIG_IRQ"/> the SMMU writes <paramref name="msiData"/> to <paramref name="msiAddress"/>.</summary>
    public static Command Sync(SyncCompletion cs, ulong msiAddress = 0, uint msiData = 0, uint msh = 0, uint msiAttr = 0) =>
        new((ulong)Opcode.CMD_SYNC | CommandLayouts.Cs.Make((ulong)cs) | CommandLayouts.Msh.Make(msh)
                | CommandLayouts.MsiAttr.Make(msiAttr) | CommandLayouts.MsiData.Make(msiData),
            CommandLayouts.MsiAddr.InsertAddress(0, msiAddress));

    /// <summary>Reads the command queue entry at <paramref name="pa"/> (software's view: the memory is backed).</summary>
    public static Command ReadFrom(IPhysicalMemory memory, ulong pa) => new(memory.Read64(pa), memory.Read64(pa + 8));

    /// <summary>
    /// Reads the command queue entry at <paramref name="pa"/> as an SMMU fetches it; false when the
    /// fetch aborts (no memory there: CERROR_ABT).
    /// </summary>
    public static bool TryRead(IDeviceMemory memory, ulong pa, out Command command)
    {
        if (memory.TryRead64(pa, out var dw0) && memory.TryRead64(pa + 8, out var dw1))
        {
            command = new Command(dw0, dw1);
            return true;
        }

        command = default;
        return false;
    }

    /// <summary>Writes this command as the queue entry at <paramref name="pa"/>.</summary>
    public void WriteTo(IPhysicalMemory memory, ulong pa)
    {
        memory.Write64(pa, Dw0);
        memory.Write64(pa + 8, Dw1);
    }

    public override string ToString() => $"{Opcode} 0x{Dw0:x16} 0x{Dw1:x16}";
}
