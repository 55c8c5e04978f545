using System.Diagnostics;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Platform;
using SmmuLab.Driver.Tables;

namespace SmmuLab.Driver.Masters;

/// <summary>
/// Attach, set-PASID and remove-PASID. The order is Linux's: (1) prepare — everything that can
/// fail, including the new domain's invalidation bookkeeping; (2) install the new domain's
/// invalidation state; switch ATS off if it is going away; (3) write the CD and STE; (4) commit —
/// ATS on or ATC flushed, then the old domain stops invalidating for the master (and, if it was
/// the last user of its ASID/VMID on this SMMU, flushes it).
/// </summary>
public sealed partial class Master
{
    /// <summary>Attaches the RID to <paramref name="domain"/> (identity, blocked, S1, S2, nest-parent or nested).</summary>
    /// <exception cref="DomainAttachException">The domain cannot be used here; nothing changed.</exception>
    public void Attach(IommuDomain domain)
    {
        if (domain is SvaDomain)
        {
            throw new DomainAttachException($"an SVA domain is attached to a PASID, not to the RID of {Name}");
        }

        lock (Iommu.AttachLock)
        {
            var target = TargetOf(domain);
            target?.FinaliseFor(Smmu);
            if (domain is NestedDomain n && n.VSmmu.Smmu != Smmu)
            {
                throw new DomainAttachException($"vSMMU {n.VSmmu.Name} belongs to {n.VSmmu.Smmu.Name}, not to {Smmu.Name}");
            }

            var newAts = domain switch
            {
                PagingDomain => AtsSupported,
                NestedDomain nested => AtsSupported && nested.GuestWantsAts,
                _ => AtsSupported && pasids.Count > 0 && domain is IdentityDomain,
            };

            var plan = Iommu.Design.Prepare(this, 0, target, newAts, TargetOf(Domain), AtsEnabled);
            Span<ulong> cd = stackalloc ulong[Cd.Dwords];
            Span<ulong> ste = stackalloc ulong[Ste.Dwords];
            try
            {
                if (domain is PagingDomain { Kind: DomainKind.S1 } s1)
                {
                    EnsureCdTable();
                    BuildS1Cd(cd, s1);
                }

                BuildSte(ste, domain, newAts);
            }
            catch
            {
                AbortInstall(plan);
                throw;
            }

            BeginInstall(plan);
            if (domain is PagingDomain { Kind: DomainKind.S1 })
            {
                CdTable!.Write(0, cd);
                WriteSteForAll(ste);
            }
            else if (CdTable is not null && Domain is PagingDomain { Kind: DomainKind.S1 })
            {
                // The RID leaves stage 1: STE first (it stops using CD 0), then CD 0 is cleared.
                WriteSteForAll(ste);
                cd.Clear();
                CdTable.Write(0, cd);
            }
            else
            {
                WriteSteForAll(ste);
            }

            plan.Advance(AttachPhase.Published, AttachPhase.Installed);
            FinishInstall(plan);
            Domain = domain;
        }
    }

    /// <summary>Attaches the RID to the blocked domain; never fails.</summary>
    public void Detach() => Attach(BlockedDomain.Instance);

    /// <summary>Attaches <paramref name="pasid"/> to a stage-1 paging domain or an SVA domain.</summary>
    public void SetPasid(uint pasid, IommuDomain domain)
    {
        if (PasidBits == 0 || pasid == 0 || pasid >> PasidBits != 0)
        {
            throw new DomainAttachException($"PASID {pasid} is not usable with {Name} ({PasidBits} PASID bits)");
        }

        if (domain is not (SvaDomain or PagingDomain { Kind: DomainKind.S1 }))
        {
            throw new DomainAttachException($"a PASID can only be attached to an S1 or SVA domain, not {domain.Kind}");
        }

        if (Domain is not (IdentityDomain or BlockedDomain or PagingDomain { Kind: DomainKind.S1 }))
        {
            throw new DomainAttachException($"{Name}'s RID is attached to a {Domain.Kind} domain, which cannot carry PASIDs");
        }

        lock (Iommu.AttachLock)
        {
            var target = TargetOf(domain)!;
            target.FinaliseFor(Smmu);
            var newAts = AtsSupported;
            var old = pasids.TryGetValue(pasid, out var o) ? TargetOf(o) : null;
            var plan = Iommu.Design.Prepare(this, pasid, target, newAts, old, AtsEnabled);
            Span<ulong> cd = stackalloc ulong[Cd.Dwords];
            Span<ulong> ste = stackalloc ulong[Ste.Dwords];
            try
            {
                EnsureCdTable();
                if (domain is SvaDomain sva)
                {
                    BuildSvaCd(cd, sva);
                }
                else
                {
                    BuildS1Cd(cd, (PagingDomain)domain);
                }

                pasids[pasid] = domain;
                BuildSte(ste, Domain, newAts);
            }
            catch
            {
                if (old is null)
                {
                    pasids.Remove(pasid);
                }

                AbortInstall(plan);
                throw;
            }

            BeginInstall(plan);
            CdTable!.Write(pasid, cd);
            WriteSteForAll(ste);
            plan.Advance(AttachPhase.Published, AttachPhase.Installed);
            FinishInstall(plan);
        }
    }

    /// <summary>Detaches <paramref name="pasid"/> (its CD is cleared and its ATC entries flushed).</summary>
    public void RemovePasid(uint pasid)
    {
        lock (Iommu.AttachLock)
        {
            if (!pasids.TryGetValue(pasid, out var domain))
            {
                throw new DomainAttachException($"PASID {pasid} of {Name} is not attached");
            }

            pasids.Remove(pasid);
            var newAts = Domain switch
            {
                PagingDomain => AtsSupported,
                NestedDomain nested => AtsSupported && nested.GuestWantsAts,
                _ => AtsSupported && pasids.Count > 0 && Domain is IdentityDomain,
            };
            var plan = Iommu.Design.Prepare(this, pasid, null, newAts, TargetOf(domain), AtsEnabled);
            Span<ulong> ste = stackalloc ulong[Ste.Dwords];
            BuildSte(ste, Domain, newAts);
            Span<ulong> zero = stackalloc ulong[Cd.Dwords];
            zero.Clear();
            BeginInstall(plan);
            CdTable!.Write(pasid, zero);
            WriteSteForAll(ste);
            plan.Advance(AttachPhase.Published, AttachPhase.Installed);
            FinishInstall(plan);
        }
    }

    /// <summary>A prepared attach that will not be installed: the design drops what it prepared.</summary>
    private void AbortInstall(AttachPlan plan)
    {
        Debug.Assert(Iommu.AttachLock.IsHeldByCurrentThread, "an attach is undone under the attach lock");
        Iommu.Design.Abort(plan);
        plan.Advance(AttachPhase.Prepared, AttachPhase.Aborted);
    }

    /// <summary>Step 2 of an attach, before the CD/STE writes.</summary>
    private void BeginInstall(AttachPlan plan)
    {
        Debug.Assert(Iommu.AttachLock.IsHeldByCurrentThread, "an attach is installed under the attach lock");

        // The new domain invalidates for this master before the STE/CD can make the SMMU cache
        // anything through it (publish before install).
        Iommu.Design.InstallNew(plan);
        plan.Advance(AttachPhase.Prepared, AttachPhase.Published);
        var waiter = Smmu.Platform.Waiter;
        if (plan.OldAts && !plan.NewAts)
        {
            waiter.At(OrderingPoint.AtsDisable);
            Pci!.DisableAts();
        }

        waiter.At(OrderingPoint.SteInstall);
    }

    /// <summary>Step 4 of an attach, after the CD/STE writes.</summary>
    private void FinishInstall(AttachPlan plan)
    {
        Debug.Assert(Iommu.AttachLock.IsHeldByCurrentThread, "an attach is committed under the attach lock");
        Smmu.Platform.Waiter.At(OrderingPoint.SteInstalled);
        if (plan.NewAts && !plan.OldAts)
        {
            // Enabling ATS: flush the whole ATC first (an invalidation of PASID 0 covers it).
            InvalidateAtc(0);
            Pci!.EnableAts(Smmu.Features.SmallestPageShift);
        }
        else if (plan.NewAts)
        {
            InvalidateAtc(plan.Ssid);
        }
        else if (plan.OldAts)
        {
            InvalidateAtc(0);
        }

        AtsEnabled = plan.NewAts;
        plan.Advance(AttachPhase.Installed, AttachPhase.AtsUpdated);

        // The old domain stops invalidating for this master only after the STE/CD no longer
        // points at it (unref after install).
        Iommu.Design.Commit(plan);
        Debug.Assert(plan.Phase is >= AttachPhase.Unreffed and < AttachPhase.Aborted, $"the design's commit left the attach at {plan.Phase}");
    }

    /// <summary>CMD_ATC_INV of everything cached for <paramref name="ssid"/> on every StreamID, then CMD_SYNC.</summary>
    private void InvalidateAtc(uint ssid)
    {
        Span<Command> cmds = StreamIds.Count <= 16 ? stackalloc Command[StreamIds.Count] : new Command[StreamIds.Count];
        for (var i = 0; i < StreamIds.Count; i++)
        {
            cmds[i] = InvalidationCommands.AtcInv(StreamIds[i], ssid, 0, 0);
        }

        Smmu.IssueWithSync(cmds);
    }

    private void BuildSte(Span<ulong> ste, IommuDomain rid, bool ats)
    {
        var f = Smmu.EntryFeatures;
        var usesCdTable = pasids.Count > 0 || rid is PagingDomain { Kind: DomainKind.S1 };
        switch (rid)
        {
            case PagingDomain { Kind: DomainKind.S1 }:
                SteBuilder.MakeCdTable(ste, f, CdTable!.Config, S1Dss.Ssid0, ats, stallEnabled: false);
                break;
            case PagingDomain s2:
                SteBuilder.MakeS2Domain(ste, f, Stage2Of(s2), ats, stallEnabled: false);
                break;
            case NestedDomain nested:
                SteBuilder.MakeNestedDomain(ste, f, Stage2Of(nested.VSmmu.Parent), nested.GuestSte, ats, stallEnabled: false);
                break;
            case IdentityDomain when usesCdTable:
                SteBuilder.MakeCdTable(ste, f, CdTable!.Config, S1Dss.Bypass, ats, stallEnabled: false);
                break;
            case IdentityDomain:
                SteBuilder.MakeBypass(ste, f);
                break;
            case BlockedDomain when usesCdTable:
                SteBuilder.MakeCdTable(ste, f, CdTable!.Config, S1Dss.Terminate, ats, stallEnabled: false);
                break;
            default:
                SteBuilder.MakeAbort(ste);
                break;
        }
    }

    private void BuildS1Cd(Span<ulong> cd, PagingDomain domain)
    {
        var c = domain.PageTable.Stage1Control;
        var s1 = new Stage1Config(c.Ttbr, new TcrConfig(c.T0SZ, c.TG0, c.IRGN0, c.ORGN0, c.SH0, c.IPS), c.Mair, domain.Tag);
        CdBuilder.MakeS1(cd, Smmu.EntryFeatures, s1, stallEnabled: false);
    }

    private void BuildSvaCd(Span<ulong> cd, SvaDomain sva)
    {
        var c = sva.Mm.Table.Stage1Control;
        CdBuilder.MakeSva(cd, Smmu.EntryFeatures, new SvaCdConfig(sva.Tag, c.Mair, c.IPS, c.T0SZ, c.TG0), sva.Mm.Pgd, stallEnabled: false);
    }

    private static Stage2Config Stage2Of(PagingDomain domain)
    {
        var c = domain.PageTable.Stage2Control;
        return new Stage2Config(c.Vttbr, domain.Tag, new VtcrConfig(c.T0SZ, c.SL0, c.IRGN, c.ORGN, c.SH, c.TG, c.PS));
    }
}
