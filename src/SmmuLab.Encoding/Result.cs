namespace SmmuLab.Encoding;

/// <summary>
/// The outcome of parsing, encoding or decoding: a value, or a one-line message naming what was
/// wrong with the input (the command line prints it on stderr and exits with status 2).
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
