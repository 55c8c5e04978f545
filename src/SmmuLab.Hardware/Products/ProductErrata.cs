using SmmuLab.Architecture.Registers;
namespace SmmuLab.Hardware.Products;

/// <summary>
/// The misbehaviour of a product revision that the model reproduces, so that a driver without the
/// workaround is caught. Only errata whose effect is published precisely enough are modelled:
/// <list type="bullet">
/// <item>Arm MMU-600 r0p0-r0p2, erratum 1076982: no WFE wake-up event (SEV) when the command queue
/// goes from full to not full. (Linux clears FEAT_SEV for these parts.)</item>
/// </list>
/// MMU-600 1209401 and MMU-700 2268618/2812531 (TLB invalidation while both stages are active;
/// command sequences without an intervening CMD_SYNC) are not described precisely in public
/// sources: the model behaves correctly for them and only the driver's workarounds are tested.
/// </summary>
internal sealed record ProductErrata(bool NoSevWhenCmdqNotFull)
{
    public static readonly ProductErrata None = new(false);

    public static ProductErrata For(ProductIdentity product) => new(
        NoSevWhenCmdqNotFull: product.ProductId == ArmProducts.MMU600 && product.Variant == 0 && product.Revision <= 2);
}
