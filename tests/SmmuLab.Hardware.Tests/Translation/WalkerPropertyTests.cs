using CsCheck;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Translation;

/// <summary>Random page tables against a list of mapped blocks, all granules, both stages.</summary>
public sealed class WalkerPropertyTests
{
    private static readonly Granule[] Granules = [Granule.Size4K, Granule.Size16K, Granule.Size64K];

    [Fact]
    public void Walker_output_equals_the_reference_map() =>
        Gen.Select(Gen.Int[0, 2], Gen.Bool, Gen.Int[0, int.MaxValue]).Sample(t =>
        {
            var (gi, stage2, seed) = t;
            Check(Granules[gi], stage2, seed);
        }, iter: 150);

    private static void Check(Granule g, bool stage2, int seed)
    {
        var rng = new Random(seed);
        int inputBits, startLevel;
        if (stage2)
        {
            int n;
            do
            {
                inputBits = rng.Next(25, 49);
            }
            while (!TranslationWalker.TryGetStage2StartLevel(g, 64 - inputBits, (uint)rng.Next(0, 3), out startLevel, out n));
        }
        else
        {
            do
            {
                inputBits = rng.Next(25, 49);
            }
            while (!TranslationWalker.TryGetStage1StartLevel(g, inputBits, out startLevel));
        }

        var memory = new SparsePhysicalMemory();
        var b = new PageTableBuilder(memory, g, inputBits, startLevel, 0x10_0000_0000);
        var p = b.Parameters();
        var inputMask = (1UL << inputBits) - 1;
        var mappings = new List<(ulong Base, int Shift, int Level, ulong Oa)>();
        var count = rng.Next(1, 40);
        for (var i = 0; i < count; i++)
        {
            var levels = Enumerable.Range(startLevel, 4 - startLevel).Where(l => l == 3 || g.BlockAllowed(l)).ToArray();
            var level = levels[rng.Next(levels.Length)];
            var shift = g.LevelShift(level);
            var ia = mappings.Count > 0 && rng.Next(3) == 0
                ? mappings[rng.Next(mappings.Count)].Base ^ ((ulong)rng.NextInt64() & ((1UL << Math.Min(shift + 10, inputBits)) - 1))
                : (ulong)rng.NextInt64();
            ia &= inputMask & ~((1UL << shift) - 1);
            if (mappings.Any(m => ia < m.Base + (1UL << m.Shift) && m.Base < ia + (1UL << shift)))
            {
                continue;
            }

            var oa = (ulong)rng.NextInt64(0, 1L << 47) & ~((1UL << shift) - 1);
            b.Map(ia, oa, level, stage2 ? PageTableBuilder.LeafS2 : PageTableBuilder.LeafS1);
            mappings.Add((ia, shift, level, oa));
        }

        var plain = new TranslationWalker(memory);
        var cached = new TranslationWalker(memory, new WalkCache(16));
        var ctx = stage2 ? TranslationContext.Stage2Only(1) : TranslationContext.Stage1Nh(1, 2);
        var queries = mappings.Select(m => m.Base + ((ulong)rng.NextInt64() & ((1UL << m.Shift) - 1)))
            .Concat(Enumerable.Range(0, 20).Select(_ => (ulong)rng.NextInt64() & inputMask))
            .ToList();
        foreach (var va in queries)
        {
            var r = stage2 ? plain.WalkStage2(p, va, AccessKind.Read, FaultClass.IN) : plain.WalkStage1(p, va, AccessKind.Read);
            var steps = plain.LastWalkSteps;
            var rc = stage2
                ? cached.WalkStage2(p, va, AccessKind.Read, FaultClass.IN, 1)
                : cached.WalkStage1(p, va, AccessKind.Read, null, ctx);
            Assert.Equal(r, rc);
            Assert.True(cached.LastWalkSteps <= steps);

            var hit = mappings.FindIndex(m => va >= m.Base && va - m.Base < (1UL << m.Shift));
            if (hit < 0)
            {
                Assert.False(r.Ok, $"0x{va:x} is unmapped but translated: {r}");
                Assert.Equal(EventId.F_TRANSLATION, r.Fault);
                Assert.Equal(stage2, r.FaultIsStage2);
                continue;
            }

            var m = mappings[hit];
            Assert.True(r.Ok, $"{g} ias={inputBits} start={startLevel} 0x{va:x}: {r}");
            Assert.Equal(m.Oa + (va - m.Base), r.OutputAddress);
            Assert.Equal(m.Shift, r.BlockShift);
            Assert.Equal(m.Level, r.Level);
            Assert.Equal(m.Level - startLevel + 1, steps);
        }
    }
}
