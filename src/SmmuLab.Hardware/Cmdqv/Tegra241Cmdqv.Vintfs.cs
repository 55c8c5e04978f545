using SmmuLab.Architecture.Cmdqv;

namespace SmmuLab.Hardware.Cmdqv;

/// <summary>The VINTF register blocks and the error maps, which are computed from the queues' GERROR state.</summary>
public sealed partial class Tegra241Cmdqv
{
    /// <summary>Bit v: VINTF v has a logical VCMDQ in error.</summary>
    private ulong VintfErrorMap()
    {
        ulong map = 0;
        for (var q = 0; q < vcmdqs.Length; q++)
        {
            var a = Volatile.Read(ref alloc[q]);
            if (vcmdqs[q].InError && CmdqAlloc.ALLOCATED.IsSet(a))
            {
                map |= 1UL << (int)CmdqAlloc.VINTF.Get(a);
            }
        }

        return map;
    }

    /// <summary>Word <paramref name="word"/> of CMDQ_ERR_MAP: bit q % 32 set when global VCMDQ q is in error.</summary>
    private uint CmdqErrorMapWord(int word)
    {
        uint map = 0;
        for (var bit = 0; bit < 32; bit++)
        {
            var q = (word * 32) + bit;
            if (q < vcmdqs.Length && vcmdqs[q].InError)
            {
                map |= 1u << bit;
            }
        }

        return map;
    }

    /// <summary>Half <paramref name="half"/> (0 or 1) of VINTF <paramref name="vintf"/>'s LVCMDQ_ERR_MAP_64: bit lidx % 64.</summary>
    private ulong LvcmdqErrorMap(int vintf, int half)
    {
        ulong map = 0;
        for (var bit = 0; bit < 64; bit++)
        {
            var q = GlobalIndexOf(vintf, (half * 64) + bit);
            if (q >= 0 && vcmdqs[q].InError)
            {
                map |= 1UL << bit;
            }
        }

        return map;
    }

    private uint ReadVintf32(int offset)
    {
        var v = (offset - CmdqvRegister.VINTF) / CmdqvRegister.VintfStride;
        var register = (offset - CmdqvRegister.VINTF) % CmdqvRegister.VintfStride;
        if (v >= vintfs.Length)
        {
            return 0;
        }

        var vintf = vintfs[v];
        switch (register)
        {
            case CmdqvRegister.VINTF_CONFIG:
                return vintf.Config;
            case CmdqvRegister.VINTF_STATUS:
                var mapped = 0;
                for (var l = 0; l < vcmdqs.Length && GlobalIndexOf(v, l) >= 0; l++)
                {
                    mapped++;
                }

                return (uint)(VintfStatus.ENABLED.Make(vintf.Enabled ? 1UL : 0)
                    | VintfStatus.STATUS.Make((VintfErrorMap() & (1UL << v)) != 0 ? 1UL : 0)
                    | VintfStatus.VI_NUM_LVCMDQ.Make((ulong)mapped));
            case >= CmdqvRegister.VINTF_SID_MATCH and < CmdqvRegister.VINTF_SID_REPLACE:
                return ReadSidPair(vintf, (register - CmdqvRegister.VINTF_SID_MATCH) / 4, match: true);
            case >= CmdqvRegister.VINTF_SID_REPLACE and < CmdqvRegister.VINTF_LVCMDQ_ERR_MAP:
                return ReadSidPair(vintf, (register - CmdqvRegister.VINTF_SID_REPLACE) / 4, match: false);
            case >= CmdqvRegister.VINTF_LVCMDQ_ERR_MAP and < CmdqvRegister.VINTF_LVCMDQ_ERR_MAP + 16:
                var half = (register - CmdqvRegister.VINTF_LVCMDQ_ERR_MAP) / 8;
                var map = LvcmdqErrorMap(v, half);
                return (register & 4) != 0 ? (uint)(map >> 32) : (uint)map;
            default:
                return 0;
        }
    }

    private void WriteVintf32(int offset, uint value)
    {
        var v = (offset - CmdqvRegister.VINTF) / CmdqvRegister.VintfStride;
        var register = (offset - CmdqvRegister.VINTF) % CmdqvRegister.VintfStride;
        if (v >= vintfs.Length)
        {
            return;
        }

        var vintf = vintfs[v];
        switch (register)
        {
            case CmdqvRegister.VINTF_CONFIG:
                var keep = VintfConfig.EN.InPlaceMask | VintfConfig.VMID.InPlaceMask
                    | (Options.HypOwnWiredToZero ? 0 : VintfConfig.HYP_OWN.InPlaceMask);
                vintf.Config = value & (uint)keep;
                break;
            case >= CmdqvRegister.VINTF_SID_MATCH and < CmdqvRegister.VINTF_SID_REPLACE:
                WriteSidPair(vintf, (register - CmdqvRegister.VINTF_SID_MATCH) / 4, value, match: true);
                break;
            case >= CmdqvRegister.VINTF_SID_REPLACE and < CmdqvRegister.VINTF_LVCMDQ_ERR_MAP:
                WriteSidPair(vintf, (register - CmdqvRegister.VINTF_SID_REPLACE) / 4, value, match: false);
                break;
            default:
                break; // STATUS and the error maps are read-only
        }
    }

    private static uint ReadSidPair(VirtualInterface vintf, int slot, bool match)
    {
        if (slot >= vintf.SidSlots)
        {
            return 0;
        }

        lock (vintf.Gate)
        {
            return match ? vintf.SidMatch(slot) : vintf.SidReplace(slot);
        }
    }

    private static void WriteSidPair(VirtualInterface vintf, int slot, uint value, bool match)
    {
        if (slot >= vintf.SidSlots)
        {
            return;
        }

        lock (vintf.Gate)
        {
            if (match)
            {
                vintf.SetSidMatch(slot, value);
            }
            else
            {
                vintf.SetSidReplace(slot, value);
            }
        }
    }
}
