using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// Register access (IHI0070 6.3): reads, writes, guards and side effects of the rows of
/// <see cref="BuildRegisterTable"/>. Registers the model reads on its own paths are plain fields.
/// </summary>
public sealed partial class SmmuDevice
{
    /// <summary>Words per 64 KiB register page that hold registers: page 0 and page 1 use their first 0x100 bytes.</summary>
    private const int DecodedWordsPerPage = 0x100 / 4;

    private uint cr0;
    private uint cr1;
    private uint cr2;
    private uint gbpa;
    private uint irqCtrl;
    private uint gerror;
    private uint gerrorn;
    private ulong gerrorIrqCfg0;
    private uint gerrorIrqCfg1;
    private uint gerrorIrqCfg2;
    private ulong strtabBase;
    private uint strtabBaseCfg;
    private ulong eventqIrqCfg0;
    private uint eventqIrqCfg1;
    private uint eventqIrqCfg2;
    private ulong priqIrqCfg0;
    private uint priqIrqCfg1;
    private uint priqIrqCfg2;

    private RegisterDefinition[] registerTable = null!;

    /// <summary>Per 32-bit word of page 0 and then page 1: the register there, and whether the word is its upper half.</summary>
    private (RegisterDefinition? Register, bool High)[] registerWords = null!;

    private bool SmmuEnabled => Cr0.SMMUEN.IsSet(cr0);

    private bool CmdqEnabled => Cr0.CMDQEN.IsSet(cr0);

    private bool EventqEnabled => Cr0.EVENTQEN.IsSet(cr0);

    private bool AtsCheck => Cr0.ATSCHK.IsSet(cr0);

    /// <summary>GERROR bits whose error is active (GERROR and GERRORN differ).</summary>
    private uint ActiveGlobalErrors => gerror ^ gerrorn;

    /// <summary>The spec name of the register at <paramref name="offset"/> (either half of a 64-bit one), or null where there is none.</summary>
    public string? RegisterName(int offset) => Decode(offset).Register?.Name;

    public uint Read32(int offset)
    {
        var (register, high) = Decode(offset);
        if (register is null)
        {
            return 0; // RAZ/WI: reserved and unimplemented locations
        }

        ulong value;
        using (gate.Enter())
        {
            value = register.Get();
        }

        return high ? (uint)(value >> 32) : (uint)value;
    }

    public ulong Read64(int offset)
    {
        if ((offset & 7) != 0)
        {
            return 0;
        }

        var (register, _) = Decode(offset);
        if (register is not { Is64: true })
        {
            // Two adjacent 32-bit registers read as a pair.
            return Read32(offset) | ((ulong)Read32(offset + 4) << 32);
        }

        using (gate.Enter())
        {
            return register.Get();
        }
    }

    public void Write32(int offset, uint value)
    {
        var (register, high) = Decode(offset);
        if (register is null)
        {
            return;
        }

        bool kick;
        using (gate.Enter())
        {
            var merged = !register.Is64 ? value : RegisterHalves.With(register.Get(), value, high);
            kick = WriteLocked(register, merged);
            if (kick && Options.Mode == ConsumptionMode.Inline)
            {
                // Inline consumption in the same hold of the lock: the write and the commands it
                // makes visible are one step for everyone else, as with a separate kick.
                ConsumeCommandsLocked();
                kick = false;
            }
        }

        if (kick)
        {
            KickConsumer();
        }

        DeliverInterrupts();
    }

    public void Write64(int offset, ulong value)
    {
        if ((offset & 7) != 0)
        {
            return;
        }

        var (register, _) = Decode(offset);
        if (register is not { Is64: true })
        {
            Write32(offset, (uint)value);
            Write32(offset + 4, (uint)(value >> 32));
            return;
        }

        using (gate.Enter())
        {
            WriteLocked(register, value);
        }
    }

    /// <summary>The register at a 32-bit aligned offset, or null (misaligned, outside the window, or RAZ/WI).</summary>
    private (RegisterDefinition? Register, bool High) Decode(int offset)
    {
        if ((offset & 3) != 0 || offset < 0)
        {
            return default;
        }

        var page = offset / SmmuRegister.Page1;
        var word = (offset % SmmuRegister.Page1) / 4;
        return page < 2 && word < DecodedWordsPerPage ? registerWords[(page * DecodedWordsPerPage) + word] : default;
    }

    /// <summary>A software write (caller holds the lock): ignored when read-only or guarded, else masked and stored. Returns true to kick the consumer.</summary>
    private bool WriteLocked(RegisterDefinition register, ulong value)
    {
        if (register.ReadOnly || !WriteAllowed(register.Guard, value))
        {
            return false;
        }

        var old = register.Get();
        register.Set!(value & register.Writable);
        if (TranslationsChanged(register.Effect, old))
        {
            // SMMUEN or GBPA: the write takes effect for every transaction once it returns.
            WaitForUnlockedDma();
            if (invalidationListener is not null)
            {
                NotifyInvalidated(InvalidationScope.Everything());
            }
        }

        return register.Effect switch
        {
            // Caches are not cleared on enable: software must issue CFGI_ALL and TLBI_NSNH_ALL (as Linux
            // does at reset), and a driver that forgets is caught by stale entries.
            RegisterEffect.Cr0 => CmdqEnabled && !Cr0.CMDQEN.IsSet(old),
            RegisterEffect.Gerrorn => ((gerror ^ old) & GError.CMDQ_ERR) != 0 && (ActiveGlobalErrors & GError.CMDQ_ERR) == 0 && CmdqEnabled,
            RegisterEffect.CmdqProd => CmdqEnabled,
            _ => false,
        };
    }

    /// <summary>True when a write changed how every transaction is handled: SMMUEN toggled, or GBPA updated while it applies.</summary>
    private bool TranslationsChanged(RegisterEffect effect, ulong old) => effect switch
    {
        RegisterEffect.Cr0 => Cr0.SMMUEN.IsSet(old) != SmmuEnabled,
        RegisterEffect.Gbpa => !SmmuEnabled,
        _ => false,
    };

    private bool WriteAllowed(WriteGuard guard, ulong value) => guard switch
    {
        WriteGuard.SmmuDisabled => !SmmuEnabled,
        WriteGuard.SmmuAndQueuesDisabled => (cr0 & Cr0.EnablesMask) == 0,
        WriteGuard.CmdqDisabled => !CmdqEnabled,
        WriteGuard.EventqDisabled => !EventqEnabled,
        WriteGuard.UpdateSet => Gbpa.Update.IsSet(value),

        // From SMMUv3.2 a write while the enable is set is IGNORED; before, it is CONSTRAINED
        // UNPREDICTABLE, where ignoring it is one of the permitted behaviours (6.3.21).
        WriteGuard.GerrorIrqDisabled => Features.Msi && !IrqCtrl.GERROR_IRQEN.IsSet(irqCtrl),
        WriteGuard.EventqIrqDisabled => Features.Msi && !IrqCtrl.EVENTQ_IRQEN.IsSet(irqCtrl),
        WriteGuard.PriqIrqDisabled => Features.Msi && !IrqCtrl.PRIQ_IRQEN.IsSet(irqCtrl),
        _ => true,
    };

    /// <summary>Builds the register table and its decode.</summary>
    private void InitialiseRegisters()
    {
        registerTable = BuildRegisterTable();
        registerWords = new (RegisterDefinition?, bool)[2 * DecodedWordsPerPage];
        foreach (var register in registerTable)
        {
            var word = ((register.Offset / SmmuRegister.Page1) * DecodedWordsPerPage) + ((register.Offset % SmmuRegister.Page1) / 4);
            registerWords[word] = (register, false);
            if (register.Is64)
            {
                registerWords[word + 1] = (register, true);
            }
        }
    }

    /// <summary>Every register to its reset value (caller holds the lock or owns the device).</summary>
    private void ResetRegisters()
    {
        foreach (var register in registerTable)
        {
            register.Set?.Invoke(register.Reset);
        }
    }
}
