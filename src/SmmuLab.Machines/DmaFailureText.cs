using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Machines;

/// <summary>
/// Why a DMA stopped (<see cref="DmaResult.Failure"/>), as a stable code for programs and as a phrase
/// for reports: an F_*/C_* event, an STE that aborts, a refused ATS Translation Request, an address no RAM backs.
/// </summary>
public static class DmaFailureText
{
    /// <summary>The SMMU terminated a transaction with the event type in <see cref="DmaResult.Fault"/>.</summary>
    public const string Event = "event";

    /// <summary>STE.Config = abort: no event.</summary>
    public const string SteAbort = "ste_abort";

    /// <summary>A configuration error the SMMU does not record (a StreamID beyond the table with CR2.RECINVSID = 0).</summary>
    public const string UnrecordedConfigError = "unrecorded_config_error";

    /// <summary>SMMUEN = 0 and GBPA.ABORT = 1.</summary>
    public const string SmmuDisabled = "smmu_disabled";

    /// <summary>SMMUEN = 0 with bypass, the address at or above 2^OAS.</summary>
    public const string BypassAddressSize = "bypass_address_size";

    /// <summary>The ATS Translation Request was refused (UR, CA, or no permission granted).</summary>
    public const string AtsRefused = "ats_refused";

    /// <summary>No RAM at the physical address.</summary>
    public const string NotBacked = "not_backed";

    /// <summary>Every code <see cref="Reason"/> gives.</summary>
    public static readonly IReadOnlyList<string> Reasons = [Event, SteAbort, UnrecordedConfigError, SmmuDisabled, BypassAddressSize, AtsRefused, NotBacked];

    /// <summary>The code of why <paramref name="result"/> stopped (one of <see cref="Reasons"/>), or null when it did not.</summary>
    public static string? Reason(in DmaResult result) => result.Failure switch
    {
        DmaFailure.None => null,
        DmaFailure.Fault => Event,
        DmaFailure.SilentAbort => result.Silent switch
        {
            SilentAbort.StreamAbort => SteAbort,
            SilentAbort.GlobalAbort => SmmuDisabled,
            SilentAbort.BypassBeyondOas => BypassAddressSize,
            _ => UnrecordedConfigError,
        },
        DmaFailure.NotBacked => NotBacked,
        _ => AtsRefused,
    };

    /// <summary>Why <paramref name="result"/> stopped, in a phrase with the address (null when it did not): <c>F_TRANSLATION at 0x10000</c>.</summary>
    public static string? Describe(in DmaResult result, bool write)
    {
        var at = $"0x{result.FaultAddress:x}";
        return result.Failure switch
        {
            DmaFailure.None => null,
            DmaFailure.Fault => $"{result.Fault} at {at}",
            DmaFailure.SilentAbort => result.Silent switch
            {
                SilentAbort.StreamAbort => $"STE abort at {at}: STE.Config = abort, no event",
                SilentAbort.GlobalAbort => $"aborted at {at}: the SMMU is disabled (SMMUEN = 0) and GBPA.ABORT = 1, no event",
                SilentAbort.BypassBeyondOas => $"aborted at {at}: the SMMU is disabled and the address is beyond the OAS, no event",
                _ => $"aborted at {at} by a configuration error the SMMU does not record (StreamID beyond the stream table, CR2.RECINVSID = 0)",
            },
            DmaFailure.AtsUnsupportedRequest =>
                $"ATS refused at {at}: the Translation Request completed with Unsupported Request, as the STE allows no ATS (EATS = 0, bypass, abort) or the SMMU is disabled",
            DmaFailure.AtsCompleterAbort => $"ATS refused at {at}: the Translation Request completed with Completer Abort, a configuration error or a walk abort",
            DmaFailure.AtsNotPermitted => write
                ? $"ATS refused at {at}: W = 0 in the Translation Completion, not mapped or read-only"
                : $"ATS refused at {at}: R = 0 in the Translation Completion, not mapped for reads",
            DmaFailure.NotBacked => $"address not backed by RAM: {at} -> pa 0x{result.PhysicalAddress:x}",
            _ => $"aborted at {at}",
        };
    }
}
