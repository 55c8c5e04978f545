using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Configuration;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Configuration;

/// <summary>A stage-2 stand-in: IPA + offset, or a fault for IPAs at or above a limit.</summary>
internal sealed class OffsetIpaTranslator(ulong offset, ulong faultAtOrAbove = ulong.MaxValue) : IIpaTranslator
{
    public int Calls { get; private set; }

    public WalkResult TranslateIpa(StreamConfig stream, ulong ipa)
    {
        Calls++;
        return ipa >= faultAtOrAbove
            ? WalkResult.Faulted(EventId.F_TRANSLATION, true, FaultClass.IN, ipa)
            : WalkResult.Translated(ipa + offset, 12, 3, Permissions.All, true);
    }
}
