using SmmuLab.Architecture.Cmdqv;

namespace SmmuLab.Hardware.Cmdqv;

/// <summary>
/// One VINTF's registers: CONFIG (EN, VMID, HYP_OWN) and its SID_MATCH/SID_REPLACE pairs. CONFIG
/// is a single word read without a lock; the SID pairs are read and written under <see cref="Gate"/>.
/// </summary>
internal sealed class VirtualInterface(int index, int sidSlots)
{
    private readonly uint[] sidMatch = new uint[sidSlots];
    private readonly uint[] sidReplace = new uint[sidSlots];

    private uint config;

    public int Index { get; } = index;

    public Lock Gate { get; } = new();

    public uint Config
    {
        get => Volatile.Read(ref config);
        set => Volatile.Write(ref config, value);
    }

    public bool Enabled => VintfConfig.EN.IsSet(Config);

    public bool HypOwn => VintfConfig.HYP_OWN.IsSet(Config);

    public ushort Vmid => (ushort)VintfConfig.VMID.Get(Config);

    public int SidSlots => sidMatch.Length;

    /// <summary>Back to reset: disabled, every SID_MATCH/SID_REPLACE pair zero.</summary>
    public void Reset()
    {
        lock (Gate)
        {
            Config = 0;
            Array.Clear(sidMatch);
            Array.Clear(sidReplace);
        }
    }

    public uint SidMatch(int slot) => sidMatch[slot];

    public uint SidReplace(int slot) => sidReplace[slot];

    public void SetSidMatch(int slot, uint value) =>
        sidMatch[slot] = value & (uint)(VintfSidMatch.ENABLE.InPlaceMask | VintfSidMatch.VIRT_SID.InPlaceMask);

    public void SetSidReplace(int slot, uint value) => sidReplace[slot] = value & (uint)VintfSidReplace.PHYS_SID.InPlaceMask;

    /// <summary>The physical StreamID an enabled SID_MATCH entry gives <paramref name="virtualSid"/>, or null.</summary>
    public uint? TranslateSid(uint virtualSid)
    {
        for (var s = 0; s < sidMatch.Length; s++)
        {
            var m = sidMatch[s];
            if (VintfSidMatch.ENABLE.IsSet(m) && VintfSidMatch.VIRT_SID.Get(m) == virtualSid)
            {
                return (uint)VintfSidReplace.PHYS_SID.Get(sidReplace[s]);
            }
        }

        return null;
    }
}
