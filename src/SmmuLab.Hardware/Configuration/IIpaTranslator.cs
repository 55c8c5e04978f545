using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// Translates an IPA through a stream's stage 2 for an SMMU-originated read: the L1CD and CD
/// fetches of a nested STE (IHI0070 5.4.1: CDs are fetched from IPA space when stage 2 is
/// enabled). The stage-2 walker implements it, applying S2PTW and the IPA range check. A fault is
/// returned as is; the configuration layer reports it as a stage-2 fault with CLASS = CD.
/// </summary>
internal interface IIpaTranslator
{
    /// <param name="stream">The nested STE (its <see cref="StreamConfig.Stage2"/> and VMID).</param>
    /// <param name="ipa">The IPA of the L1CD or CD.</param>
    /// <returns>The PA in <see cref="WalkResult.OutputAddress"/>, or a fault.</returns>
    WalkResult TranslateIpa(StreamConfig stream, ulong ipa);
}

/// <summary>An <see cref="IIpaTranslator"/> made from a delegate (tests, simple wiring).</summary>
internal sealed class DelegateIpaTranslator(Func<StreamConfig, ulong, WalkResult> translate) : IIpaTranslator
{
    public WalkResult TranslateIpa(StreamConfig stream, ulong ipa) => translate(stream, ipa);
}
