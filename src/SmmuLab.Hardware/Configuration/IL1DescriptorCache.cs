namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// Where the table walkers look up and store intermediate descriptors (L1STD, L1CD). A struct
/// implementation passed by reference keeps the walk free of allocations and indirection.
/// </summary>
internal interface IL1DescriptorCache
{
    /// <summary>An L1STD, keyed by the SPLIT in use and its index in the level-1 table.</summary>
    bool TryGetL1Std(int split, uint l1Index, out ulong descriptor);

    void AddL1Std(int split, uint l1Index, ulong descriptor);

    /// <summary>An L1CD, keyed by StreamID, the leaf-table size (log2 CDs: 6 or 10) and its L1 index.</summary>
    bool TryGetL1Cd(uint streamId, int leafBits, uint l1Index, out ulong descriptor);

    void AddL1Cd(uint streamId, int leafBits, uint l1Index, ulong descriptor);
}

/// <summary>No intermediate caching: every walk reads the level-1 descriptors from memory.</summary>
internal struct NoL1DescriptorCache : IL1DescriptorCache
{
    public readonly bool TryGetL1Std(int split, uint l1Index, out ulong descriptor)
    {
        descriptor = 0;
        return false;
    }

    public readonly void AddL1Std(int split, uint l1Index, ulong descriptor)
    {
    }

    public readonly bool TryGetL1Cd(uint streamId, int leafBits, uint l1Index, out ulong descriptor)
    {
        descriptor = 0;
        return false;
    }

    public readonly void AddL1Cd(uint streamId, int leafBits, uint l1Index, ulong descriptor)
    {
    }
}
