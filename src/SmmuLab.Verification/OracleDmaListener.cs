using SmmuLab.Driver.Dma;

namespace SmmuLab.Verification;

/// <summary>Turns what one domain's DMA layer did into the oracle's calls for that domain.</summary>
internal sealed class OracleDmaListener(StaleTranslationOracle oracle, string domain) : IDmaMappingListener
{
    public void Mapped(ulong iova, ulong pa, ulong bytes) => oracle.Mapped(domain, iova, pa, bytes);

    public void Unmapped(ulong iova, ulong bytes) => oracle.Unmapped(domain, iova, bytes);

    public void UnmappedDeferred(ulong iova, ulong bytes) => oracle.UnmappedDeferred(domain, iova, bytes);

    public long FlushStarting() => oracle.DeferredFlushStarting();

    public void FlushFinished(long ticket) => oracle.DeferredFlushFinished(domain, ticket);
}
