# Small bugs of the kinds developers make, in src/SmmuLab.Driver/Invalidation (docs/verification.md).
R='src/SmmuLab.Driver/Invalidation/Linux/RangeInvalidator.cs'
C='src/SmmuLab.Driver/Invalidation/InvalidationCommands.cs'
T='src/SmmuLab.Driver/Invalidation/TlbiCommands.cs'
A='src/SmmuLab.Driver/Invalidation/Linux/InvalidationArray.Operations.cs'
E='src/SmmuLab.Driver/Invalidation/Linux/InvalidationEntry.cs'
L='src/SmmuLab.Driver/Invalidation/Linux/LinuxInvalidation.cs'
S='src/SmmuLab.Driver/Invalidation/Linux/MasterInvalidationState.cs'
G='src/SmmuLab.Driver/Invalidation/LegacyInvalidation.cs'
M=[
 ('R1 fence skipped when the array has ATS', R, 'if (!invs.HasAts)', 'if (invs.HasAts)'),
 ('R2 empty-array test off by one', R, '''        if (cur >= end)
        {
            return 0;''', '''        if (cur > end)
        {
            return 0;'''),
 ('R3 unknown entries not counted', R, '                unknown++;', '                _ = unknown;'),
 ('R4 no batch boundary inside an SMMU', R, 'if (batch.Count != 0 && (next == end || EndsBatch(in inv, in invs[next])))', 'if (batch.Count != 0 && next == end)'),
 ('R5 SMMU change not a boundary', R, 'if (cur.Smmu != next.Smmu)', 'if (cur.Smmu == next.Smmu)'),
 ('R6 sync between every ATC entry', R, 'return !cur.Type.IsAts() && next.Type.IsAts();', 'return next.Type.IsAts();'),
 ('R7 nested clear condition inverted', R, 'if (!InvalidationCommands.SizeTooBig(inv.Smmu!.Features.RangeInvalidation, size, granule))', 'if (InvalidationCommands.SizeTooBig(inv.Smmu!.Features.RangeInvalidation, size, granule))'),
 ('R8 nest-parent ATC ranged', R, 'batch.Add(InvalidationCommands.AtcInv(inv.Id, 0, 0, 0));', 'batch.Add(InvalidationCommands.AtcInv(inv.Id, inv.Ssid, iova, size));'),
 ('R9 ATC entry loses its SSID', R, 'batch.Add(InvalidationCommands.AtcInv(inv.Id, inv.Ssid, iova, size));', 'batch.Add(InvalidationCommands.AtcInv(inv.Id, 0, iova, size));'),
 ('R10 EL2 whole tag as NH', R, 'Opcode.CMD_TLBI_EL2_ASID => Command.TlbiEl2Asid((ushort)inv.Id),', 'Opcode.CMD_TLBI_EL2_ASID => Command.TlbiNhAsid(0, (ushort)inv.Id),'),
 ('C1 too-big threshold > instead of >=', C, 'return size >= maxOps * granule;', 'return size > maxOps * granule;'),
 ('C2 MAX_TLBI_OPS shift off by one', C, 'var maxOps = 1UL << (BitOperations.Log2(granule) - 3);', 'var maxOps = 1UL << (BitOperations.Log2(granule) - 2);'),
 ('C3 SCALE limit >=', C, 'if (scale > CommandLayouts.TlbiRangeScaleMax)', 'if (scale >= CommandLayouts.TlbiRangeScaleMax)'),
 ('C4 wrap test < instead of <=', C, 'if (size == 0 || end <= iova)', 'if (size == 0 || end < iova)'),
 ('C5 fallback condition inverted', C, '(rangeFallback && !Expressible(iova, size, pageShift, leaf))', '(rangeFallback && Expressible(iova, size, pageShift, leaf))'),
 ('C6 ATC span off by one', C, 'var span = 64 - BitOperations.LeadingZeroCount(first ^ last);', 'var span = 63 - BitOperations.LeadingZeroCount(first ^ last);'),
 ('C7 ATC address not aligned to the span', C, '        first &= ~((1UL << span) - 1);\n', ''),
 ('C8 ATC all: SSV inverted', C, 'return Command.AtcInv(sid, ssid, ssid != 0, 0, CommandLayouts.AtcInvSizeAll);', 'return Command.AtcInv(sid, ssid, ssid == 0, 0, CommandLayouts.AtcInvSizeAll);'),
 ('T1 TG from the wrong base', T, 'tg = (uint)(pageShift - 10) / 2;', 'tg = (uint)(pageShift - 12) / 2;'),
 ('T2 TTL off by one', T, 'ttl = (uint)(4 - ((BitOperations.Log2(granule) - 3) / (pageShift - 3)));', 'ttl = (uint)(3 - ((BitOperations.Log2(granule) - 3) / (pageShift - 3)));'),
 ('T3 TTL also for non-leaf', T, 'if (leaf && granule != 0)', 'if (granule != 0)'),
 ('T4 per-granule step doubled', T, 'next = (UInt128)iova + Math.Max(granule, 1);', 'next = (UInt128)iova + (2 * Math.Max(granule, 1));'),
 ('T5 end test > instead of >=', T, 'if (next >= end)', 'if (next > end)'),
 ('T6 pages consumed without the scale', T, 'numPages -= num << scale;', 'numPages -= num;'),
 ('A1 merge does not add a user', A, 'dst.users = UsersAt(walk.I) + 1;', 'dst.users = UsersAt(walk.I);'),
 ('A2 merge forgets HasAts', A, '''            result.HasAts |= dst.Type.IsAts();
        }

        return result;''', '''        }

        return result;'''),
 ('A3 unref keeps entries at zero users live', A, '''                if (u > 0)
                {
                    Volatile.Write(ref toUnref.entries[walk.J].users, 1);''', '''                if (u >= 0)
                {
                    Volatile.Write(ref toUnref.entries[walk.J].users, 1);'''),
 ('A4 unref never uncounts cut trash', A, '        Volatile.Write(ref trashes, trashes - (num - newNum));\n', ''),
 ('A5 purge without trash', A, 'if (num == 0 || trash == 0)', 'if (num == 0 && trash == 0)'),
 ('A6 lockstep right side stalls on equal', A, '''                if (Cmp >= 0)
                {
                    J++;''', '''                if (Cmp > 0)
                {
                    J++;'''),
 ('E1 SSID compared for TLB entries', E, 'if (a.Type.IsAts() && a.Ssid != b.Ssid)', 'if (a.Ssid != b.Ssid)'),
 ('E2 SMMU order reversed', E, 'return a.SmmuOrdinal < b.SmmuOrdinal ? -1 : 1;', 'return a.SmmuOrdinal < b.SmmuOrdinal ? 1 : -1;'),
 ('L1 last-detach flush only for ASIDs', L, 'toUnref[0].Type is InvalidationType.S1Asid or InvalidationType.S2Vmid', 'toUnref[0].Type is InvalidationType.S1Asid'),
 ('L2 re-attach unrefs the published array', L, 'oldArray = ReferenceEquals(oldTarget, newTarget) ? merged : StateOf(oldTarget).Current;', 'oldArray = StateOf(oldTarget).Current;'),
 ('L3 purged array not published', L, '                StateOf(oldTarget).Replace(oldArray, purged);\n', '                _ = purged;\n'),
 ('S1 TLB entries without the page shift', S, 'var pageShift = smmu.Features.RangeInvalidation ? (uint)BitOperations.TrailingZeroCount(domain.PageSizeBitmap) : 0;', 'var pageShift = smmu.Features.RangeInvalidation ? 12u : 0;'),
 ('S2 nest-parent ATC type inverted', S, '''                Scratch.Append(domain.IsNestParent
''', '''                Scratch.Append(!domain.IsNestParent
'''),
 ('G1 legacy refuses its own SMMU', G, 'if (state.Smmu is { } owner && owner != master.Smmu)', 'if (state.Smmu is { } owner && owner == master.Smmu)'),
 ('G2 legacy ignores E2H', G, '(smmu.Features.E2H ? Command.TlbiEl2Asid(domain.Tag) : Command.TlbiNhAsid(0, domain.Tag))', 'Command.TlbiNhAsid(0, domain.Tag)'),
 ('G3 legacy ranged without RIL', G, 'var pageShift = ril ? BitOperations.TrailingZeroCount(domain.PageSizeBitmap) : 0;', 'var pageShift = BitOperations.TrailingZeroCount(domain.PageSizeBitmap);'),
 ('G4 legacy lone CMD_SYNC without ATS masters', G, 'if (batch.Count > 0)', 'if (batch.Count >= 0)'),
]
