using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using SmmuLab.Replay.Events;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// The events of a <see cref="TraceParser"/> one at a time, either parsed on the caller's thread
/// or, with <c>parseAhead</c>, on a thread of its own that fills batches of slots ahead of the
/// caller: parsing then overlaps the replay on a second core. The sequence is the same either way.
/// Memory is bounded (<see cref="Batches"/> batches of <see cref="BatchSize"/> reused slots) and
/// nothing is allocated per event. A read error of the parsing thread is thrown to the caller
/// after the events read before it.
/// </summary>
internal sealed class TraceEventReader : IDisposable
{
    public const int BatchSize = 256;
    public const int Batches = 4;

    private readonly TraceParser parser;
    private readonly TraceEventSlot own = new();
    private readonly BlockingCollection<Batch>? full;
    private readonly BlockingCollection<Batch>? free;
    private readonly CancellationTokenSource? stop;
    private readonly Thread? thread;
    private Batch? current;
    private int index;
    private bool ended;

    public TraceEventReader(TraceParser parser, bool parseAhead)
    {
        ArgumentNullException.ThrowIfNull(parser);
        this.parser = parser;
        if (!parseAhead)
        {
            return;
        }

        full = new BlockingCollection<Batch>(new ConcurrentQueue<Batch>(), Batches);
        free = new BlockingCollection<Batch>(new ConcurrentQueue<Batch>(), Batches);
        for (var i = 0; i < Batches; i++)
        {
            free.Add(new Batch());
        }

        stop = new CancellationTokenSource();
        thread = new Thread(Produce) { IsBackground = true, Name = "smmulab trace parser" };
        thread.Start();
    }

    /// <summary>The parser's diagnostics: complete once <see cref="TryReadNext"/> has returned false.</summary>
    public Diagnostics.TraceDiagnostics Diagnostics => parser.Diagnostics;

    /// <summary>The header's CPU count as of the first event (see <see cref="TraceParser.CpuCountAtFirstEvent"/>); read once an event has been returned.</summary>
    public int? CpuCountAtFirstEvent => parser.CpuCountAtFirstEvent;

    /// <summary>
    /// The next event; false at the end of the input. The slot is valid until the next call.
    /// </summary>
    /// <exception cref="IOException">Reading the input failed (after the events read before).</exception>
    public bool TryReadNext(out TraceEventSlot slot)
    {
        if (full is null)
        {
            slot = own;
            return parser.TryReadNext(own);
        }

        while (true)
        {
            if (current is { } batch)
            {
                if (index < batch.Count)
                {
                    slot = batch.Slots[index++];
                    return true;
                }

                if (batch.End)
                {
                    slot = own;
                    if (batch.Error is { } error)
                    {
                        batch.Error = null;
                        error.Throw();
                    }

                    return false;
                }

                free!.Add(batch);
                current = null;
            }

            if (ended)
            {
                slot = own;
                return false;
            }

            current = full.Take();
            index = 0;
            ended = current.End;
        }
    }

    public void Dispose()
    {
        if (stop is null)
        {
            return;
        }

        stop.Cancel();
        thread!.Join();
        stop.Dispose();
        full!.Dispose();
        free!.Dispose();
    }

    /// <summary>The parsing thread: fills free batches until the input ends, fails, or the reader is disposed.</summary>
    private void Produce()
    {
        var token = stop!.Token;
        try
        {
            while (true)
            {
                var batch = free!.Take(token);
                batch.Count = 0;
                try
                {
                    while (batch.Count < BatchSize && !batch.End)
                    {
                        if (parser.TryReadNext(batch.Slots[batch.Count]))
                        {
                            batch.Count++;
                        }
                        else
                        {
                            batch.End = true;
                        }
                    }
                }
                catch (Exception e)
                {
                    batch.Error = ExceptionDispatchInfo.Capture(e);
                    batch.End = true;
                }

                full!.Add(batch, token);
                if (batch.End)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed before the end of the input: the caller stopped reading.
        }
    }

    private sealed class Batch
    {
        public TraceEventSlot[] Slots { get; } = CreateSlots();

        public int Count { get; set; }

        public bool End { get; set; }

        public ExceptionDispatchInfo? Error { get; set; }

        private static TraceEventSlot[] CreateSlots()
        {
            var slots = new TraceEventSlot[BatchSize];
            for (var i = 0; i < slots.Length; i++)
            {
                slots[i] = new TraceEventSlot();
            }

            return slots;
        }
    }
}
