namespace SmmuLab.Hardware.Configuration;

/// <summary>What an STE does with traffic, from STE.Config (IHI0070 5.2).</summary>
internal enum StreamConfigKind : byte
{
    /// <summary>Config 0b0xx: terminate with no event (also the kind of an invalid or ILLEGAL STE).</summary>
    Abort,

    /// <summary>Config 0b100: both stages bypass.</summary>
    Bypass,

    /// <summary>Config 0b101: stage 1 translates, stage 2 bypasses.</summary>
    Stage1,

    /// <summary>Config 0b110: stage 1 bypasses, stage 2 translates.</summary>
    Stage2,

    /// <summary>Config 0b111: both stages translate.</summary>
    Nested,
}
