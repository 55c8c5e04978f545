using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Translation;

/// <summary>The walk parameters of a <see cref="PageTableBuilder"/>'s tables, for driving a <see cref="TranslationWalker"/> directly.</summary>
internal static class PageTableBuilderParameters
{
    public static WalkParameters Parameters(this PageTableBuilder tables, int outputBits = 48, bool affd = false, bool had = false) =>
        new(tables.Root, tables.Granule, tables.InputBits, tables.StartLevel, outputBits, affd, had);
}
