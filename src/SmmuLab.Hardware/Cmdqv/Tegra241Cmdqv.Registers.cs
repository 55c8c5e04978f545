using SmmuLab.Architecture.Cmdqv;

namespace SmmuLab.Hardware.Cmdqv;

/// <summary>The register decode: config page, VINTF blocks, and the global and per-VINTF VCMDQ pages.</summary>
public sealed partial class Tegra241Cmdqv
{
    /// <summary>Which register file an offset lands in.</summary>
    private enum Region
    {
        None,
        Config,
        Page0,
        Page1,
    }

    public uint Read32(int offset)
    {
        switch (Decode(offset, out var q, out var register))
        {
            case Region.Config:
                return ReadConfig32(offset);
            case Region.Page0:
                return vcmdqs[q].ReadPage0(register);
            case Region.Page1:
                var value = vcmdqs[q].ReadPage1(register & ~7);
                return (register & 4) != 0 ? (uint)(value >> 32) : (uint)value;
            default:
                return 0;
        }
    }

    public ulong Read64(int offset)
    {
        if ((offset & 7) != 0)
        {
            return 0;
        }

        if (Decode(offset, out var q, out var register) == Region.Page1)
        {
            return vcmdqs[q].ReadPage1(register);
        }

        return Read32(offset) | ((ulong)Read32(offset + 4) << 32);
    }

    public void Write32(int offset, uint value)
    {
        switch (Decode(offset, out var q, out var register))
        {
            case Region.Config:
                WriteConfig32(offset, value);
                break;
            case Region.Page0:
                if (vcmdqs[q].WritePage0(register, value))
                {
                    RaiseInterrupt();
                }

                break;
            case Region.Page1:
                vcmdqs[q].WritePage1Half(register & ~7, value, high: (register & 4) != 0);
                break;
            default:
                break;
        }
    }

    public void Write64(int offset, ulong value)
    {
        if ((offset & 7) != 0)
        {
            return;
        }

        if (Decode(offset, out var q, out var register) == Region.Page1)
        {
            vcmdqs[q].WritePage1(register, value);
            return;
        }

        Write32(offset, (uint)value);
        Write32(offset + 4, (uint)(value >> 32));
    }

    /// <summary>
    /// Finds the register file of <paramref name="offset"/>: the config page, or a VCMDQ's page 0 or
    /// page 1 (through the global apertures, or through a VINTF's pages when that (VINTF, lidx)
    /// slot is allocated; an unallocated slot reads as zero and ignores writes).
    /// </summary>
    private Region Decode(int offset, out int vcmdq, out int register)
    {
        vcmdq = -1;
        register = 0;
        if ((offset & 3) != 0 || offset < 0 || offset >= RegionSize)
        {
            return Region.None;
        }

        if (offset < CmdqvRegister.VcmdqPage0)
        {
            return Region.Config;
        }

        int slot;
        Region region;
        if (offset < CmdqvRegister.VintfPage0Base)
        {
            region = offset < CmdqvRegister.VcmdqPage1 ? Region.Page0 : Region.Page1;
            slot = (offset - (region == Region.Page0 ? CmdqvRegister.VcmdqPage0 : CmdqvRegister.VcmdqPage1)) / CmdqvRegister.VcmdqStride;
            vcmdq = slot < vcmdqs.Length ? slot : -1;
        }
        else
        {
            var vintf = (offset - CmdqvRegister.VintfPage0Base) / CmdqvRegister.VintfPagesStride;
            var within = (offset - CmdqvRegister.VintfPage0Base) % CmdqvRegister.VintfPagesStride;
            region = within < CmdqvRegister.PageSize ? Region.Page0 : Region.Page1;
            slot = (within % CmdqvRegister.PageSize) / CmdqvRegister.VcmdqStride;
            vcmdq = GlobalIndexOf(vintf, slot);
        }

        register = offset % CmdqvRegister.VcmdqStride;
        return vcmdq < 0 ? Region.None : region;
    }

    private uint ReadConfig32(int offset)
    {
        switch (offset)
        {
            case CmdqvRegister.CONFIG:
                return Volatile.Read(ref config);
            case CmdqvRegister.PARAM:
                return (uint)(CmdqvParam.VER.Make((ulong)Options.Version) | CmdqvParam.NUM_VCMDQ_LOG2.Make((ulong)Options.VcmdqsLog2)
                    | CmdqvParam.NUM_VINTF_LOG2.Make((ulong)Options.VintfsLog2) | CmdqvParam.NUM_SID_PER_VM_LOG2.Make((ulong)Options.SidsPerVintfLog2));
            case CmdqvRegister.STATUS:
                return Volatile.Read(ref config) & (uint)CmdqvStatus.CMDQV_ENABLED.InPlaceMask;
            case CmdqvRegister.VINTF_ERR_MAP:
            case CmdqvRegister.VINTF_ERR_MAP + 4:
                return (uint)(VintfErrorMap() >> (offset == CmdqvRegister.VINTF_ERR_MAP ? 0 : 32));
            case CmdqvRegister.VINTF_INT_MASK:
            case CmdqvRegister.VINTF_INT_MASK + 4:
                return (uint)(Volatile.Read(ref interruptMask) >> (offset == CmdqvRegister.VINTF_INT_MASK ? 0 : 32));
            case >= CmdqvRegister.CMDQ_ERR_MAP and < CmdqvRegister.CMDQ_ERR_MAP + 16:
                return CmdqErrorMapWord((offset - CmdqvRegister.CMDQ_ERR_MAP) / 4);
            case >= CmdqvRegister.CMDQ_ALLOC and < CmdqvRegister.VINTF:
                var q = (offset - CmdqvRegister.CMDQ_ALLOC) / 4;
                return q < alloc.Length ? Volatile.Read(ref alloc[q]) : 0;
            case >= CmdqvRegister.VINTF:
                return ReadVintf32(offset);
            default:
                return 0;
        }
    }

    private void WriteConfig32(int offset, uint value)
    {
        switch (offset)
        {
            case CmdqvRegister.CONFIG:
                // Only CMDQV_EN is modelled; the batching hints of the other fields are ignored.
                Volatile.Write(ref config, value & (uint)CmdqvConfig.CMDQV_EN.InPlaceMask);
                break;
            case CmdqvRegister.VINTF_INT_MASK:
            case CmdqvRegister.VINTF_INT_MASK + 4:
                lock (configGate)
                {
                    interruptMask = RegisterHalves.With(interruptMask, value, high: offset != CmdqvRegister.VINTF_INT_MASK);
                }

                break;
            case >= CmdqvRegister.CMDQ_ALLOC and < CmdqvRegister.VINTF:
                var q = (offset - CmdqvRegister.CMDQ_ALLOC) / 4;
                if (q < alloc.Length)
                {
                    WriteAlloc(q, value);
                }

                break;
            case >= CmdqvRegister.VINTF:
                WriteVintf32(offset, value);
                break;
            default:
                break; // PARAM, STATUS and the error maps are read-only
        }
    }

    /// <summary>
    /// CMDQ_ALLOC(q): maps or unmaps global VCMDQ q as logical VCMDQ LVCMDQ of VINTF VINTF. Mapping
    /// requires lidx - 1 of that VINTF to be mapped already, unmapping requires lidx + 1 to be
    /// unmapped already; a write that breaks either rule is dropped and counted.
    /// </summary>
    private void WriteAlloc(int q, uint value)
    {
        lock (configGate)
        {
            var v = (int)CmdqAlloc.VINTF.Get(value);
            var l = (int)CmdqAlloc.LVCMDQ.Get(value);
            var old = alloc[q];
            var wasMapped = CmdqAlloc.ALLOCATED.IsSet(old);
            var mapping = CmdqAlloc.ALLOCATED.IsSet(value);
            if (mapping)
            {
                var slotInRange = v < vintfs.Length && l < vcmdqs.Length;
                var sameAsBefore = wasMapped && ((old ^ value) & ~(uint)CmdqAlloc.ALLOCATED.InPlaceMask) == 0;
                if (!sameAsBefore && (wasMapped || !slotInRange || logicalMap[(v * vcmdqs.Length) + l] >= 0
                    || (l > 0 && logicalMap[(v * vcmdqs.Length) + l - 1] < 0)))
                {
                    Interlocked.Increment(ref allocationOrderViolations);
                    return;
                }

                Volatile.Write(ref logicalMap[(v * vcmdqs.Length) + l], q);
            }
            else if (wasMapped)
            {
                var ov = (int)CmdqAlloc.VINTF.Get(old);
                var ol = (int)CmdqAlloc.LVCMDQ.Get(old);
                if (ol + 1 < vcmdqs.Length && logicalMap[(ov * vcmdqs.Length) + ol + 1] >= 0)
                {
                    Interlocked.Increment(ref allocationOrderViolations);
                    return;
                }

                Volatile.Write(ref logicalMap[(ov * vcmdqs.Length) + ol], -1);
            }

            Volatile.Write(ref alloc[q], value & (uint)(CmdqAlloc.ALLOCATED.InPlaceMask | CmdqAlloc.LVCMDQ.InPlaceMask | CmdqAlloc.VINTF.InPlaceMask));
        }
    }
}
