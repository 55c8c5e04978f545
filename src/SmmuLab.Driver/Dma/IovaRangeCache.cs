namespace SmmuLab.Driver.Dma;

/// <summary>
/// The range cache of one size class (Linux <c>struct iova_rcache</c>): per CPU a loaded and a
/// previous magazine under that CPU's lock, and a global depot (a stack of full magazines) under
/// the class lock. Cached frames stay allocated in the tree; only the owning allocator's lock
/// returns them. Lock order: CPU lock, then class lock, then the tree lock.
/// </summary>
internal sealed class IovaRangeCache
{
    private readonly IovaAllocator owner;
    private readonly CpuCache[] cpus;
    private readonly Lock depotLock = new();
    private readonly Stack<IovaMagazine> spareMagazines = new();
    private readonly int maxSpare;
    private readonly IDmaTimer? trimTimer;
    private IovaMagazine? depot;
    private int depotSize;

    public IovaRangeCache(IovaAllocator owner, int sizeClass, int cpuCount, IDmaClock? clock)
    {
        this.owner = owner;
        SizeClass = sizeClass;
        cpus = new CpuCache[cpuCount];
        for (var i = 0; i < cpuCount; i++)
        {
            cpus[i] = new CpuCache();
        }

        maxSpare = 2 * cpuCount;
        trimTimer = clock?.CreateTimer(TrimWork);
        Clock = clock;
    }

    /// <summary>log2 of the pages of the ranges cached here.</summary>
    public int SizeClass { get; }

    public IDmaClock? Clock { get; }

    /// <summary>Full magazines in the depot.</summary>
    public int DepotSize
    {
        get
        {
            lock (depotLock)
            {
                return depotSize;
            }
        }
    }

    /// <summary>Frames cached for <paramref name="cpu"/> (loaded + previous magazine).</summary>
    public int CachedOn(int cpu)
    {
        var c = cpus[cpu];
        lock (c.Gate)
        {
            return c.Loaded.Size + c.Prev.Size;
        }
    }

    /// <summary>
    /// A cached frame whose range ends below <paramref name="limitPfn"/> (exclusive), for the
    /// caller's CPU; 0 on a miss (<c>__iova_rcache_get</c>; the limit passed is limit + 1 − size).
    /// </summary>
    public ulong Get(int cpu, ulong limitPfn)
    {
        var c = cpus[cpu];
        lock (c.Gate)
        {
            var has = false;
            if (!c.Loaded.IsEmpty)
            {
                has = true;
            }
            else if (!c.Prev.IsEmpty)
            {
                (c.Loaded, c.Prev) = (c.Prev, c.Loaded);
                has = true;
            }
            else
            {
                lock (depotLock)
                {
                    if (depot is not null)
                    {
                        Retire(c.Loaded);
                        c.Loaded = DepotPop();
                        has = true;
                    }
                }
            }

            return has ? c.Loaded.Pop(limitPfn) : 0;
        }
    }

    /// <summary>Caches a freed frame for the caller's CPU; false when it could not (<c>__iova_rcache_insert</c>).</summary>
    public bool Insert(int cpu, ulong pfn)
    {
        var c = cpus[cpu];
        lock (c.Gate)
        {
            if (c.Loaded.IsFull)
            {
                if (!c.Prev.IsFull)
                {
                    (c.Loaded, c.Prev) = (c.Prev, c.Loaded);
                }
                else
                {
                    IovaMagazine fresh;
                    lock (depotLock)
                    {
                        fresh = spareMagazines.Count > 0 ? spareMagazines.Pop() : new IovaMagazine();
                        DepotPush(c.Loaded);
                    }

                    Interlocked.Increment(ref owner.Statistics.depotPushes);
                    ScheduleTrim();
                    c.Loaded = fresh;
                }
            }

            c.Loaded.Push(pfn);
            return true;
        }
    }

    /// <summary>Returns the frames cached for <paramref name="cpu"/> to the tree (<c>free_cpu_cached_iovas</c>, one class).</summary>
    public void FlushCpu(int cpu)
    {
        var c = cpus[cpu];
        lock (c.Gate)
        {
            owner.FreeMagazineFrames(c.Loaded);
            owner.FreeMagazineFrames(c.Prev);
        }
    }

    /// <summary>Returns every depot magazine's frames to the tree (<c>free_global_cached_iovas</c>, one class).</summary>
    public void FlushDepot()
    {
        lock (depotLock)
        {
            while (depot is not null)
            {
                var mag = DepotPop();
                owner.FreeMagazineFrames(mag);
                Retire(mag);
            }
        }
    }

    /// <summary>
    /// The delayed depot work (<c>iova_depot_work_func</c>): while the depot holds more magazines
    /// than there are CPUs, one magazine's frames go back to the tree per run, and the work is
    /// scheduled again. Returns true when it trimmed a magazine.
    /// </summary>
    public bool TrimOnce()
    {
        IovaMagazine? mag = null;
        lock (depotLock)
        {
            if (depotSize > cpus.Length)
            {
                mag = DepotPop();
            }
        }

        if (mag is null)
        {
            return false;
        }

        owner.FreeMagazineFrames(mag);
        lock (depotLock)
        {
            Retire(mag);
        }

        Interlocked.Increment(ref owner.Statistics.depotTrims);
        ScheduleTrim();
        return true;
    }

    /// <summary>Stops the delayed work (the domain is going away).</summary>
    public void StopTrim() => trimTimer?.Dispose();

    private void TrimWork() => TrimOnce();

    /// <summary>schedule_delayed_work: arms the trim unless it is already pending.</summary>
    private void ScheduleTrim()
    {
        if (trimTimer is not null && !trimTimer.IsPending)
        {
            trimTimer.ArmAt(Clock!.Now + IovaAllocator.DepotDelay);
        }
    }

    private void DepotPush(IovaMagazine mag)
    {
        mag.Next = depot;
        depot = mag;
        depotSize++;
    }

    private IovaMagazine DepotPop()
    {
        var mag = depot!;
        depot = mag.Next;
        mag.Next = null;
        depotSize--;
        return mag;
    }

    /// <summary>Keeps an emptied magazine for reuse (the kernel frees it); called under the class lock.</summary>
    private void Retire(IovaMagazine mag)
    {
        mag.Size = 0;
        if (spareMagazines.Count < maxSpare)
        {
            spareMagazines.Push(mag);
        }
    }

    private sealed class CpuCache
    {
        public readonly Lock Gate = new();
        public IovaMagazine Loaded = new();
        public IovaMagazine Prev = new();
    }
}
