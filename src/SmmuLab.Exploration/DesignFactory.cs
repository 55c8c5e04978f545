using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;

namespace SmmuLab.Exploration;

/// <summary>The invalidation designs an exploration's machine can be built with.</summary>
public static class DesignFactory
{
    /// <summary>The Linux design, its arrays waiting through <paramref name="waiter"/>: the correct driver.</summary>
    public static IInvalidationDesign Linux(CoyoteWaiter waiter) => new LinuxInvalidation(new InvalidationArrayAllocator(waiter));
}
