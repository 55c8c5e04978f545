namespace SmmuLab.Cli.Progress;

/// <summary>
/// Ctrl-C during a run: the first press asks the run to stop after its current step (a workload
/// after its current buffer) so the partial report is printed; a second press ends the process as
/// usual.
/// </summary>
internal sealed class InterruptSignal : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly TextWriter error;

    public InterruptSignal(TextWriter error)
    {
        this.error = error;
        Console.CancelKeyPress += OnCancel;
    }

    public CancellationToken Token => source.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        source.Dispose();
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        if (source.IsCancellationRequested)
        {
            return;
        }

        e.Cancel = true;
        error.WriteLine();
        error.WriteLine("smmulab: stopping after the current step (press Ctrl-C again to quit at once)");
        source.Cancel();
    }
}
