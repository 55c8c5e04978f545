using SmmuLab.Architecture.Bits;

namespace SmmuLab.Hardware.Queues;

/// <summary>
/// What differs between the circular queues an SMMU-side block reads or writes: where its base
/// register keeps ADDR and LOG2SIZE, where PROD and CONS keep the index and wrap bit (for the largest
/// queue) and CONS keeps ERR (command queues), the size of one entry, and the largest LOG2SIZE
/// implemented (larger values written to the base register are capped to it).
/// </summary>
internal readonly record struct QueueFormat(Field Address, Field Log2Size, Field Index, Field Error, int EntryBytes, int MaxLog2Size);
