namespace SmmuLab.Hardware.Smmu;

/// <summary>When a software write to a register takes effect; at other times it is ignored.</summary>
internal enum WriteGuard : byte
{
    /// <summary>Always.</summary>
    None,

    /// <summary>Only while CR0.SMMUEN = 0 (CR2, STRTAB_BASE, STRTAB_BASE_CFG: 6.3.12, 6.3.24).</summary>
    SmmuDisabled,

    /// <summary>Only while CR0.SMMUEN, PRIQEN, EVENTQEN and CMDQEN are all 0 (CR1: 6.3.11).</summary>
    SmmuAndQueuesDisabled,

    /// <summary>Only while CR0.CMDQEN = 0 (CMDQ_BASE, CMDQ_CONS: 6.3.26, 6.3.28).</summary>
    CmdqDisabled,

    /// <summary>Only while CR0.EVENTQEN = 0 (EVENTQ_BASE, EVENTQ_PROD: 6.3.29, 6.3.30).</summary>
    EventqDisabled,

    /// <summary>Only a write with Update = 1 (GBPA's update protocol: 6.3.14).</summary>
    UpdateSet,

    /// <summary>Only with MSIs implemented and IRQ_CTRL.GERROR_IRQEN = 0 (GERROR_IRQ_CFGn: 6.3.21).</summary>
    GerrorIrqDisabled,

    /// <summary>Only with MSIs implemented and IRQ_CTRL.EVENTQ_IRQEN = 0 (EVENTQ_IRQ_CFGn).</summary>
    EventqIrqDisabled,

    /// <summary>Only with MSIs implemented and IRQ_CTRL.PRIQ_IRQEN = 0 (PRIQ_IRQ_CFGn).</summary>
    PriqIrqDisabled,
}
