using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.StreamTable;

namespace SmmuLab.Fuzzing;

/// <summary>
/// The legal configuration every case starts from, which its actions then overwrite: StreamID 0
/// bypass, 1 stage 1 through CD 0, 2 stage 2, 3 nested; CD 0 and page tables 0-2 (shared by both
/// stages, 4 KiB granule, 39-bit input starting at level 1) map the first 2 MiB of input
/// addresses to RAM at 1 GiB, read/write at stage 1 and read-only at stage 2. Without it most
/// transactions of a short case would only meet empty STEs.
/// </summary>
public sealed partial class FuzzMachine
{
    private const ulong BaselineRam = 0x4000_0000;

    private void WriteBaseline()
    {
        WriteImage(StreamTable, Structure(Ste.Dwords, s => { Ste.V.Set(s, 1); Ste.Config.Set(s, SteConfig.Bypass); }));
        WriteImage(StreamTable + 64, Structure(Ste.Dwords, s => Stage1(s, SteConfig.S1Translate)));
        WriteImage(StreamTable + 128, Structure(Ste.Dwords, s => Stage2(s, SteConfig.S2Translate)));
        WriteImage(StreamTable + 192, Structure(Ste.Dwords, s =>
        {
            Stage1(s, SteConfig.Nested);
            Stage2(s, SteConfig.Nested);
        }));
        WriteImage(CdTable, Structure(Cd.Dwords, c =>
        {
            Cd.V.Set(c, 1);
            Cd.AA64.Set(c, 1);
            Cd.T0SZ.Set(c, 25);
            Cd.EPD1.Set(c, 1);
            Cd.IPS.Set(c, 5);
            Cd.R.Set(c, 1);
            Cd.A.Set(c, 1);
            Cd.ASID.Set(c, 1);
            Cd.MAIR.Set(c, 0x0044_FF04UL);
            Cd.TTB0.SetPresented(c, PageTables);
        }));
        memory.Write64(PageTables, (PageTables + 4096) | 0b11);
        memory.Write64(PageTables + 4096, (PageTables + 8192) | 0b11);
        for (ulong i = 0; i < 512; i++)
        {
            memory.Write64(PageTables + 8192 + (i * 8), (BaselineRam + (i * 4096)) | 0x743);
        }

        if (Invalidate() is { } problem)
        {
            throw new InvalidOperationException($"baseline: {problem}");
        }
    }

    private static void Stage1(ulong[] s, uint config)
    {
        Ste.V.Set(s, 1);
        Ste.Config.Set(s, config);
        Ste.S1ContextPtr.SetPresented(s, CdTable);
    }

    private static void Stage2(ulong[] s, uint config)
    {
        Ste.V.Set(s, 1);
        Ste.Config.Set(s, config);
        Ste.S2VMID.Set(s, 1);
        Ste.S2T0SZ.Set(s, 25);
        Ste.S2SL0.Set(s, 1);
        Ste.S2PS.Set(s, 5);
        Ste.S2AA64.Set(s, 1);
        Ste.S2R.Set(s, 1);
        Ste.S2TTB.SetPresented(s, PageTables);
    }

    private static ulong[] Structure(int dwords, Action<ulong[]> fill)
    {
        var image = new ulong[dwords];
        fill(image);
        return image;
    }

    private void WriteImage(ulong pa, ulong[] image)
    {
        for (var i = image.Length - 1; i >= 0; i--)
        {
            memory.Write64(pa + ((ulong)i * 8), image[i]);
        }
    }
}
