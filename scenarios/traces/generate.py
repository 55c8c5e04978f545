"""Writes the example traces nvme-like.trace and nic-like.trace (python3 generate.py, in this folder).

They are synthetic, written for the docs: the event formats are the kernel's (see docs/replay.md);
the workload is invented. Fixed random seeds make the output reproducible.
"""
import random

class Iova:
    """Top-down allocator with LIFO per-size reuse, like iova.c + the range cache."""
    def __init__(self, top=0x1_0000_0000):
        self.top = top
        self.free = {}
    def alloc(self, pages):
        r = 1
        while r < pages: r <<= 1
        length = r if pages < 32 else pages
        fl = self.free.get(length)
        if fl: return fl.pop()
        self.top = (self.top - length * 4096) & ~(r * 4096 - 1)
        return self.top
    def free_(self, iova, pages):
        r = 1
        while r < pages: r <<= 1
        length = r if pages < 32 else pages
        self.free.setdefault(length, []).append(iova)

def ordered(events):
    """Events of one call (same CPU, consecutive in generation order, at most 2 us apart) stay
    together: a CPU runs one call at a time. Sort by call start, then keep times monotonic."""
    groups = []
    for e in events:
        g = groups[-1] if groups else None
        if g and g[1][-1][1] == e[1] and 0 <= e[0] - g[1][-1][0] <= 2_000:
            g[1].append(e)
        else:
            groups.append((e[0], [e]))
    groups.sort(key=lambda g: g[0])
    out, last = [], 0
    for _, g in groups:
        for e in g:
            t = max(e[0], last)
            out.append((t,) + tuple(e[1:]))
            last = t
    return out

def pages_for(offset, size):
    return (offset + size + 4095) // 4096

def iommu_map(iova, pa, size):
    return "map", f"IOMMU: iova=0x{iova:016x} - 0x{iova + size:016x} paddr=0x{pa:016x} size={size}"

def iommu_unmap(iova, size):
    return "unmap", f"IOMMU: iova=0x{iova:016x} - 0x{iova + size:016x} size={size} unmapped_size={size}"

# ---------------------------------------------------------------- NVMe-like, tracefs layout, ~6.13..6.17 names
def nvme(path, seed=7):
    rnd = random.Random(seed)
    dev = "0000:01:00.0"
    iova = Iova()
    events = []  # (ns, cpu, comm, pid, flags, name, payload)
    ns = 2_731_000_000_000 + 118_000
    ncpu = 4
    fio = {c: 3311 + c for c in range(ncpu)}
    sizes = [4096] * 10 + [8192] * 3 + [16384] * 3 + [32768] * 2 + [65536] * 2 + [131072] * 2
    next_pa = 0x8_4000_0000
    def new_pa(size):
        nonlocal next_pa
        pa = next_pa + rnd.randrange(0, 0x4000) * 0x1000
        next_pa += 0x10_0000
        if next_pa > 0x9_f000_0000: next_pa = 0x8_4000_0000
        return pa & ~0xfff
    import heapq
    pending = []  # (done, seq, emit)
    seq = 0
    def complete_until(limit):
        while pending and pending[0][0] <= limit:
            _, _, emit = heapq.heappop(pending)
            emit()
    ios = 0
    while ios < 700:
        ns += rnd.randrange(2_000, 9_000)
        complete_until(ns)
        cpu = rnd.randrange(ncpu)
        t = ns
        comm, pid = "fio", fio[cpu]
        sub_flags = "....."
        if rnd.random() < 0.2:
            # multi-segment: 2..8 discontiguous 4K pages through dma_map_sg (one IOVA run)
            n = rnd.randrange(2, 9)
            phys = [new_pa(4096) for _ in range(n)]
            base = iova.alloc(n)
            for i, pa in enumerate(phys):
                t += 180
                events.append((t, cpu, comm, pid, sub_flags) + iommu_map(base + i * 4096, pa, 4096))
            t += 400
            dma = "{" + f"0x{base:x}" + "}"
            szs = "{" + f"0x{n * 4096:x}" + "}"
            pas = "{" + ",".join(f"0x{p:x}" for p in phys) + "}"
            d = "TO_DEVICE" if rnd.random() < 0.5 else "FROM_DEVICE"
            events.append((t, cpu, comm, pid, sub_flags, "dma_map_sg", f"{dev} dir={d} dma_addrs={dma} sizes={szs} phys_addrs={pas} attrs="))
            done = t + rnd.randrange(20_000, 180_000)
            def emit(done=done, cpu=cpu, base=base, n=n, d=d, pas=pas):
                # dma_unmap_sg traces before it unmaps, so its iommu unmap follows it
                events.append((done, cpu, "<idle>", 0, "d.h1.", "dma_unmap_sg", f"{dev} dir={d} phys_addrs={pas} attrs="))
                events.append((done + 650, cpu, "<idle>", 0, "d.h1.") + iommu_unmap(base, n * 4096))
                iova.free_(base, n)
            seq += 1
            heapq.heappush(pending, (done, seq, emit))
        else:
            size = rnd.choice(sizes)
            offset = 0x200 * rnd.randrange(1, 8) if (size == 4096 and rnd.random() < 0.1) else 0
            npages = pages_for(offset, size)
            pa = new_pa(npages * 4096)
            base = iova.alloc(npages)
            d = "TO_DEVICE" if rnd.random() < 0.45 else "FROM_DEVICE"
            t += 250
            events.append((t, cpu, comm, pid, sub_flags) + iommu_map(base, pa, npages * 4096))
            t += 330
            events.append((t, cpu, comm, pid, sub_flags, "dma_map_page",
                           f"{dev} dir={d} dma_addr={base + offset:x} size={size} phys_addr={pa + offset:x} attrs="))
            done = t + rnd.randrange(15_000, 150_000)
            # completion in the queue's interrupt on the submitting CPU; sometimes in the fio task
            ccomm, cpid, cfl = ("<idle>", 0, "d.h1.") if rnd.random() < 0.7 else (comm, pid, "d.h2.")
            def emit(done=done, cpu=cpu, ccomm=ccomm, cpid=cpid, cfl=cfl, base=base, npages=npages, d=d, offset=offset, size=size):
                events.append((done, cpu, ccomm, cpid, cfl) + iommu_unmap(base, npages * 4096))
                events.append((done + 540, cpu, ccomm, cpid, cfl, "dma_unmap_page", f"{dev} dir={d} dma_addr={base + offset:x} size={size} attrs="))
                iova.free_(base, npages)
            seq += 1
            heapq.heappush(pending, (done, seq, emit))
        ios += 1
    complete_until(1 << 62)
    events = ordered(events)
    with open(path, "w") as f:
        f.write("# tracer: nop\n#\n")
        f.write(f"# entries-in-buffer/entries-written: {len(events)}/{len(events)}   #P:{ncpu}\n#\n")
        f.write("#                                _-----=> irqs-off/BH-disabled\n")
        f.write("#                               / _----=> need-resched\n")
        f.write("#                              | / _---=> hardirq/softirq\n")
        f.write("#                              || / _--=> preempt-depth\n")
        f.write("#                              ||| / _-=> migrate-disable\n")
        f.write("#                              |||| /     delay\n")
        f.write("#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n")
        f.write("#              | |         |   |||||     |         |\n")
        for (t, cpu, comm, pid, fl, name, payload) in events:
            us = t // 1000
            f.write(f"{comm:>16}-{pid:<7} [{cpu:03d}] {fl} {us // 1_000_000:5d}.{us % 1_000_000:06d}: {name}: {payload}\n")
    return len(events)

# ---------------------------------------------------------------- NIC-like, trace-cmd report layout, >= 6.18 names
def nic(path, seed=11):
    rnd = random.Random(seed)
    dev = "ff0a0000.ethernet"
    iova = Iova()
    events = []
    ns = 914_200_000_000 + 37_000
    ncpu = 4
    rx_attrs = "SKIP_CPU_SYNC|WEAK_ORDERING"
    next_pa = 0x1_2000_0000
    def new_page():
        nonlocal next_pa
        pa = next_pa + rnd.randrange(0, 0x800) * 0x1000
        next_pa += 0x4_0000
        if next_pa > 0x1_f000_0000: next_pa = 0x1_2000_0000
        return pa
    # ring allocation by "ip link set up"
    t = ns
    for ring in ("rx", "tx"):
        size = 16384
        base = iova.alloc(4)
        pa = 0x1_0c00_0000 + (0x4000 if ring == "tx" else 0)
        t += 9_000
        events.append((t, 0, "ip", 812, "map", f"IOMMU: iova=0x{base:016x} - 0x{base + size:016x} paddr=0x{pa:016x} size={size}"))
        t += 1_200
        virt = rnd.getrandbits(32)
        events.append((t, 0, "ip", 812, "dma_alloc", f"{dev} dir=BIDIRECTIONAL dma_addr={base:x} size={size} virt_addr={virt:016x} flags=GFP_KERNEL attrs="))
    # initial rx fill: 256 pages
    rx = []  # (iova, pa)
    for i in range(256):
        pa = new_page()
        base = iova.alloc(1)
        t += 700
        events.append((t, 0, "ip", 812) + iommu_map(base, pa, 4096))
        t += 260
        events.append((t, 0, "ip", 812, "dma_map_phys", f"{dev} dir=FROM_DEVICE dma_addr={base:x} size=4096 phys_addr={pa:x} attrs={rx_attrs}"))
        rx.append((base, pa))
    ns = t + 2_000_000
    rx_i = 0
    packets = 0
    import heapq
    pending = []
    seq = 0
    def complete_until(limit):
        while pending and pending[0][0] <= limit:
            _, _, emit = heapq.heappop(pending)
            emit()
    while len(events) < 3400:
        ns += rnd.randrange(3_000, 12_000)
        complete_until(ns)
        cpu = rnd.randrange(ncpu)
        if rnd.random() < 0.62:
            # NAPI rx in softirq: burst of 1..4 packets
            comm, pid = ("<idle>", 0) if rnd.random() < 0.6 else (f"ksoftirqd/{cpu}", 14 + cpu * 6)
            t = ns
            for _ in range(rnd.randrange(1, 5)):
                base, pa = rx[rx_i]
                length = rnd.choice([66, 66, 1514, 1514, 1514, 590, 1090])
                t += 300
                events.append((t, cpu, comm, pid, "dma_sync_single_for_cpu", f"{dev} dir=FROM_DEVICE dma_addr={base:x} size={length}"))
                t += 900
                events.append((t, cpu, comm, pid) + iommu_unmap(base, 4096))
                t += 420
                events.append((t, cpu, comm, pid, "dma_unmap_phys", f"{dev} dir=FROM_DEVICE dma_addr={base:x} size=4096 attrs={rx_attrs}"))
                iova.free_(base, 1)
                # refill the slot
                npa = new_page()
                nb = iova.alloc(1)
                t += 800
                events.append((t, cpu, comm, pid) + iommu_map(nb, npa, 4096))
                t += 260
                events.append((t, cpu, comm, pid, "dma_map_phys", f"{dev} dir=FROM_DEVICE dma_addr={nb:x} size=4096 phys_addr={npa:x} attrs={rx_attrs}"))
                rx[rx_i] = (nb, npa)
                rx_i = (rx_i + 1) % len(rx)
                packets += 1
            ns = t
        else:
            # tx from iperf3, completion in softirq on the same CPU
            length = rnd.choice([1514, 1514, 1514, 66, 2962])
            offset = rnd.randrange(0, 0x1000 // 64) * 64 + 0x40
            npages = pages_for(offset, length)
            pa = new_page()
            base = iova.alloc(npages)
            t = ns
            pid = 2201 + (cpu % 2)
            t += 500
            events.append((t, cpu, "iperf3", pid) + iommu_map(base, pa, npages * 4096))
            t += 310
            events.append((t, cpu, "iperf3", pid, "dma_map_phys", f"{dev} dir=TO_DEVICE dma_addr={base + offset:x} size={length} phys_addr={pa + offset:x} attrs="))
            done = t + rnd.randrange(25_000, 90_000)
            def emit(done=done, cpu=cpu, base=base, npages=npages, offset=offset, length=length):
                events.append((done, cpu, "<idle>", 0) + iommu_unmap(base, npages * 4096))
                events.append((done + 380, cpu, "<idle>", 0, "dma_unmap_phys", f"{dev} dir=TO_DEVICE dma_addr={base + offset:x} size={length} attrs="))
                iova.free_(base, npages)
            seq += 1
            heapq.heappush(pending, (done, seq, emit))
    complete_until(1 << 62)
    events = ordered(events)
    # ring buffer overflow on CPU 2 in the middle: drop a run of its events
    mid = len(events) // 2
    dropped = [i for i in range(mid, min(len(events), mid + 60)) if events[i][1] == 2]
    marker_at = max(dropped) + 1 if dropped else None
    keep = [e for i, e in enumerate(events) if i not in set(dropped)]
    with open(path, "w") as f:
        f.write("version = 6\n")
        f.write(f"cpus={ncpu}\n")
        written_marker = False
        for i, (t, cpu, comm, pid, name, payload) in enumerate(events):
            if i in dropped:
                continue
            if marker_at is not None and not written_marker and i >= marker_at and cpu == 2:
                f.write(f"CPU:2 [{len(dropped)} EVENTS DROPPED]\n")
                written_marker = True
            us = t // 1000
            ts = f"{us // 1_000_000}.{us % 1_000_000:06d}"
            pad = " " * max(0, 20 - len(name))
            f.write(f"{comm:>16}-{pid:<5} [{cpu:03d}] {ts:>12}: {name}: {pad}{payload}\n")
    return len(keep), len(dropped)

print("nvme", nvme("/work/wt-traceparse/scenarios/traces/nvme-like.trace"))
print("nic", nic("/work/wt-traceparse/scenarios/traces/nic-like.trace"))
