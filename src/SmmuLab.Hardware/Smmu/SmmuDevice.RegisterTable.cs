using SmmuLab.Architecture.Bits;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// The register file (IHI0070 6.3) as a table, one row per register: offset, name, width, reset
/// value, writable bits (the register's layout less what this SMMU does not implement), write guard
/// and side effect. Registers not listed are RAZ/WI.
/// </summary>
public sealed partial class SmmuDevice
{
    private RegisterDefinition[] BuildRegisterTable()
    {
        var f = Features;
        var cmdqBaseReset = QueueBase.LOG2SIZE.Make((ulong)f.CommandQueueBits);
        var eventqBaseReset = QueueBase.LOG2SIZE.Make((ulong)f.EventQueueBits);
        return
        [
            Constant(SmmuRegister.IDR0, "IDR0", f.Idr0Value),
            Constant(SmmuRegister.IDR1, "IDR1", f.Idr1Value),
            Constant(SmmuRegister.IDR2, "IDR2", 0),
            Constant(SmmuRegister.IDR3, "IDR3", f.Idr3Value),
            Constant(SmmuRegister.IDR4, "IDR4", 0),
            Constant(SmmuRegister.IDR5, "IDR5", f.Idr5Value),
            Constant(SmmuRegister.IIDR, "IIDR", Options.Product.IidrValue),
            Constant(SmmuRegister.AIDR, "AIDR", f.AidrValue),
            Word(SmmuRegister.CR0, "CR0", Cr0.ImplementedMask & ~Unless(f.Pri, Cr0.PRIQEN) & ~Unless(f.Ats, Cr0.ATSCHK),
                () => cr0, v => cr0 = (uint)v, effect: RegisterEffect.Cr0),
            Constant(SmmuRegister.CR0ACK, "CR0ACK", () => cr0),
            Word(SmmuRegister.CR1, "CR1", Cr1.ImplementedMask, () => cr1, v => cr1 = (uint)v, WriteGuard.SmmuAndQueuesDisabled),
            Word(SmmuRegister.CR2, "CR2", Cr2.ImplementedMask & ~Unless(f.Hyp && f.Nesting, Cr2.E2H) & ~Unless(f.Ats, Cr2.REC_CFG_ATS),
                () => cr2, v => cr2 = (uint)v, WriteGuard.SmmuDisabled),
            Constant(SmmuRegister.STATUSR, "STATUSR", 0),
            Word(SmmuRegister.GBPA, "GBPA", Gbpa.ImplementedMask, () => gbpa, v => gbpa = (uint)v, WriteGuard.UpdateSet, RegisterEffect.Gbpa, Gbpa.ResetValue),
            Constant(SmmuRegister.AGBPA, "AGBPA", 0),
            Word(SmmuRegister.IRQ_CTRL, "IRQ_CTRL", IrqCtrl.ImplementedMask & ~Unless(f.Pri, IrqCtrl.PRIQ_IRQEN), () => irqCtrl, v => irqCtrl = (uint)v),
            Constant(SmmuRegister.IRQ_CTRLACK, "IRQ_CTRLACK", () => irqCtrl),
            new(SmmuRegister.GERROR, "GERROR", false, 0, 0, () => gerror, v => gerror = (uint)v),
            Word(SmmuRegister.GERRORN, "GERRORN", GError.ImplementedMask, () => gerrorn, v => gerrorn = (uint)v, effect: RegisterEffect.Gerrorn),
            IrqCfg0(SmmuRegister.GERROR_IRQ_CFG0, "GERROR_IRQ_CFG0", () => gerrorIrqCfg0, v => gerrorIrqCfg0 = v, WriteGuard.GerrorIrqDisabled),
            IrqCfg1(SmmuRegister.GERROR_IRQ_CFG1, "GERROR_IRQ_CFG1", () => gerrorIrqCfg1, v => gerrorIrqCfg1 = (uint)v, WriteGuard.GerrorIrqDisabled),
            IrqCfg2(SmmuRegister.GERROR_IRQ_CFG2, "GERROR_IRQ_CFG2", () => gerrorIrqCfg2, v => gerrorIrqCfg2 = (uint)v, WriteGuard.GerrorIrqDisabled),
            Dword(SmmuRegister.STRTAB_BASE, "STRTAB_BASE", StrtabBase.Layout.DefinedMask(), () => strtabBase, v => strtabBase = v, WriteGuard.SmmuDisabled),
            Word(SmmuRegister.STRTAB_BASE_CFG, "STRTAB_BASE_CFG", (uint)StrtabBase.CfgLayout.DefinedMask(), () => strtabBaseCfg, v => strtabBaseCfg = (uint)v,
                WriteGuard.SmmuDisabled),
            Dword(SmmuRegister.CMDQ_BASE, "CMDQ_BASE", QueueBase.Layout.DefinedMask(), () => cmdq.Base, v => cmdq.Base = v, WriteGuard.CmdqDisabled,
                reset: cmdqBaseReset),
            Word(SmmuRegister.CMDQ_PROD, "CMDQ_PROD", (uint)QueuePointer.CmdqProdLayout.DefinedMask(), () => cmdq.Prod, v => cmdq.Prod = cmdq.TrimToSize((uint)v),
                effect: RegisterEffect.CmdqProd),
            Word(SmmuRegister.CMDQ_CONS, "CMDQ_CONS", (uint)QueuePointer.CmdqConsLayout.DefinedMask(), () => cmdq.Cons, v => cmdq.Cons = cmdq.TrimToSize((uint)v),
                WriteGuard.CmdqDisabled),
            Dword(SmmuRegister.EVENTQ_BASE, "EVENTQ_BASE", QueueBase.Layout.DefinedMask(), () => eventq.Base, v => eventq.Base = v, WriteGuard.EventqDisabled,
                reset: eventqBaseReset),
            IrqCfg0(SmmuRegister.EVENTQ_IRQ_CFG0, "EVENTQ_IRQ_CFG0", () => eventqIrqCfg0, v => eventqIrqCfg0 = v, WriteGuard.EventqIrqDisabled),
            IrqCfg1(SmmuRegister.EVENTQ_IRQ_CFG1, "EVENTQ_IRQ_CFG1", () => eventqIrqCfg1, v => eventqIrqCfg1 = (uint)v, WriteGuard.EventqIrqDisabled),
            IrqCfg2(SmmuRegister.EVENTQ_IRQ_CFG2, "EVENTQ_IRQ_CFG2", () => eventqIrqCfg2, v => eventqIrqCfg2 = (uint)v, WriteGuard.EventqIrqDisabled),
            Dword(SmmuRegister.PRIQ_BASE, "PRIQ_BASE", QueueBase.Layout.DefinedMask(), () => priq.Base, v => priq.Base = v),
            IrqCfg0(SmmuRegister.PRIQ_IRQ_CFG0, "PRIQ_IRQ_CFG0", () => priqIrqCfg0, v => priqIrqCfg0 = v, WriteGuard.PriqIrqDisabled),
            IrqCfg1(SmmuRegister.PRIQ_IRQ_CFG1, "PRIQ_IRQ_CFG1", () => priqIrqCfg1, v => priqIrqCfg1 = (uint)v, WriteGuard.PriqIrqDisabled),
            IrqCfg2(SmmuRegister.PRIQ_IRQ_CFG2, "PRIQ_IRQ_CFG2", () => priqIrqCfg2, v => priqIrqCfg2 = (uint)v, WriteGuard.PriqIrqDisabled),
            Word(SmmuRegister.EVENTQ_PROD, "EVENTQ_PROD", (uint)QueuePointer.OutputProdLayout.DefinedMask(), () => eventq.Prod,
                v => eventq.Prod = eventq.TrimToSize((uint)v), WriteGuard.EventqDisabled),
            Word(SmmuRegister.EVENTQ_CONS, "EVENTQ_CONS", (uint)QueuePointer.OutputConsLayout.DefinedMask(), () => eventq.Cons,
                v => eventq.Cons = eventq.TrimToSize((uint)v)),
            Word(SmmuRegister.PRIQ_PROD, "PRIQ_PROD", (uint)QueuePointer.OutputProdLayout.DefinedMask(), () => priq.Prod, v => priq.Prod = priq.TrimToSize((uint)v)),
            Word(SmmuRegister.PRIQ_CONS, "PRIQ_CONS", (uint)QueuePointer.OutputConsLayout.DefinedMask(), () => priq.Cons, v => priq.Cons = priq.TrimToSize((uint)v)),
        ];
    }

    /// <summary>The bits of <paramref name="field"/> when this SMMU lacks the feature it needs (they are RES0 then), else none.</summary>
    private static uint Unless(bool implemented, Field field) => implemented ? 0 : (uint)field.InPlaceMask;

    private static RegisterDefinition Constant(int offset, string name, ulong value) => new(offset, name, false, value, 0, () => value, null);

    /// <summary>A read-only register that shows another's value (an ACK register).</summary>
    private static RegisterDefinition Constant(int offset, string name, Func<ulong> mirror) => new(offset, name, false, 0, 0, mirror, null);

    private static RegisterDefinition Word(int offset, string name, uint writable, Func<ulong> get, Action<ulong> set,
        WriteGuard guard = WriteGuard.None, RegisterEffect effect = RegisterEffect.None, ulong reset = 0) =>
        new(offset, name, false, reset, writable, get, set, guard, effect);

    private static RegisterDefinition Dword(int offset, string name, ulong writable, Func<ulong> get, Action<ulong> set,
        WriteGuard guard = WriteGuard.None, ulong reset = 0) =>
        new(offset, name, true, reset, writable, get, set, guard);

    /// <summary>*_IRQ_CFG0: ADDR [55:2] (6.3.21).</summary>
    private static RegisterDefinition IrqCfg0(int offset, string name, Func<ulong> get, Action<ulong> set, WriteGuard guard) =>
        Dword(offset, name, IrqCfg.Cfg0Layout.DefinedMask(), get, set, guard);

    /// <summary>*_IRQ_CFG1: the MSI data (6.3.22).</summary>
    private static RegisterDefinition IrqCfg1(int offset, string name, Func<ulong> get, Action<ulong> set, WriteGuard guard) =>
        Word(offset, name, (uint)IrqCfg.Cfg1Layout.DefinedMask(), get, set, guard);

    /// <summary>*_IRQ_CFG2: MemAttr and SH of the MSI write (6.3.23).</summary>
    private static RegisterDefinition IrqCfg2(int offset, string name, Func<ulong> get, Action<ulong> set, WriteGuard guard) =>
        Word(offset, name, (uint)IrqCfg.Cfg2Layout.DefinedMask(), get, set, guard);
}
