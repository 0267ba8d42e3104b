using System.Collections.Concurrent;

namespace Kindling.Data.Loading;

/// <summary>
/// The worker threads of a <see cref="DataLoader"/>: each waits for an epoch, builds its share of
/// the batches in order, then waits for the next epoch (persistent workers) or is stopped.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    /// <summary>How long stopping waits for a worker that is inside a sample (a read or a transform cannot be interrupted).</summary>
    internal static readonly TimeSpan StopWait = TimeSpan.FromSeconds(10);

    readonly BatchBuilder builder;
    readonly Thread[] threads;
    readonly BlockingCollection<EpochRun>[] jobs;
    readonly CancellationTokenSource stop = new();
    int disposed;

    public WorkerPool(int count, BatchBuilder builder)
    {
        this.builder = builder;
        threads = new Thread[count];
        jobs = new BlockingCollection<EpochRun>[count];
        for (int w = 0; w < count; w++)
        {
            int worker = w;
            jobs[w] = new BlockingCollection<EpochRun>();
            threads[w] = new Thread(() => Loop(worker)) { IsBackground = true, Name = $"Kindling DataLoader worker {w}" };
            threads[w].Start();
        }
    }

    public int Count => threads.Length;

    /// <summary>Gives every worker the epoch.</summary>
    public void Start(EpochRun run)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        foreach (var q in jobs) q.Add(run);
    }

    void Loop(int worker)
    {
        IntraOpThreads.LimitCurrentThreadToOne();
        try
        {
            foreach (var run in jobs[worker].GetConsumingEnumerable(stop.Token))
            {
                try { RunEpoch(worker, run); }
                finally { run.WorkerDone(); }
            }
        }
        catch (OperationCanceledException) { }
    }

    void RunEpoch(int worker, EpochRun run)
    {
        for (int b = worker; b < run.Batches.Count; b += run.Workers)
        {
            if (!run.WaitTicket(worker)) return;
            WorkerResult result;
            try
            {
                result = new(builder.Build(run.Batches[b], b, b * run.BatchSize, run.Epoch, run.Token), null);
            }
            catch (OperationCanceledException) when (run.Token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                result = new(null, e);
            }
            run.Deliver(worker, result);
            if (result.Error is not null) return;
        }
    }

    /// <summary>Stops the threads (they finish the sample they are in) and waits for them.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        stop.Cancel();
        foreach (var q in jobs) q.CompleteAdding();
        var deadline = DateTime.UtcNow + StopWait;
        bool joined = true;
        foreach (var t in threads)
        {
            var left = deadline - DateTime.UtcNow;
            joined &= t.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
        if (!joined) return; // a worker stuck in a sample still uses them; they are background threads and end with it
        foreach (var q in jobs) q.Dispose();
        stop.Dispose();
    }
}
