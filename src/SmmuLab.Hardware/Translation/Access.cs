namespace SmmuLab.Hardware.Translation;

/// <summary>What a transaction asks for: read or write, data or instruction, privileged or not.</summary>
[Flags]
public enum AccessKind : byte
{
    Read = 1,
    Write = 2,
    Instruction = 4,
    Privileged = 8,
}

/// <summary>Permissions a translation grants, as the access checks need them.</summary>
[Flags]
public enum Permissions : byte
{
    None = 0,
    ReadUnprivileged = 1,
    WriteUnprivileged = 2,
    ExecuteUnprivileged = 4,
    ReadPrivileged = 8,
    WritePrivileged = 16,
    ExecutePrivileged = 32,
    All = 63,
}

internal static class AccessChecks
{
    /// <summary>True when <paramref name="granted"/> allows <paramref name="access"/>.</summary>
    public static bool Allows(this Permissions granted, AccessKind access)
    {
        var priv = (access & AccessKind.Privileged) != 0;
        if ((access & AccessKind.Write) != 0)
        {
            return (granted & (priv ? Permissions.WritePrivileged : Permissions.WriteUnprivileged)) != 0;
        }

        if ((access & AccessKind.Instruction) != 0)
        {
            return (granted & (priv ? Permissions.ExecutePrivileged : Permissions.ExecuteUnprivileged)) != 0;
        }

        return (granted & (priv ? Permissions.ReadPrivileged : Permissions.ReadUnprivileged)) != 0;
    }

    public static bool IsWrite(this AccessKind access) => (access & AccessKind.Write) != 0;
}
