namespace SmmuLab.Cli.Encoding;

/// <summary>
/// The outcome of parsing, encoding or decoding: a value, or a one-line message naming what was
/// wrong with the input. The command line prints the message on stderr and exits with
/// <see cref="ExitCodes.BadInput"/>.
/// </summary>
public readonly record struct Result<T>
{
    private Result(T value, string? error)
    {
        Value = value;
        Error = error;
    }

    /// <summary>The value; <c>default</c> when <see cref="IsSuccess"/> is false.</summary>
    public T Value { get; }

    /// <summary>Why the input was refused, or null.</summary>
    public string? Error { get; }

    public bool IsSuccess => Error is null;

    public static Result<T> Ok(T value) => new(value, null);

    public static Result<T> Fail(string error) => new(default!, error);

    public Result<TOut> Map<TOut>(Func<T, TOut> map) => IsSuccess ? Result<TOut>.Ok(map(Value)) : Result<TOut>.Fail(Error!);

    public override string ToString() => IsSuccess ? $"Ok({Value})" : $"Fail({Error})";
}

/// <summary>Process exit codes of <c>smmulab</c>.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The input was refused: unknown name, value out of range, bad hex, wrong word count.</summary>
    public const int BadInput = 2;

    /// <summary>A scenario ran but a step failed: an <c>expect</c> not met, or the machine refused a step.</summary>
    public const int Failed = 1;
}
