using System.Collections.Concurrent;

namespace Kindling.Data.Loading;

/// <summary>
/// One epoch's work shared between the workers and the consumer. Batch b is built by worker
/// b % n (round robin, as PyTorch assigns them) and handed over through that worker's queue, so the
/// consumer takes batches in order. As in PyTorch, at most n * prefetch batches are started but not
/// yet taken: worker w may start a batch only with a ticket from its semaphore, and taking batch b
/// gives worker b % n the ticket for batch b + n * prefetch.
/// </summary>
internal sealed class EpochRun : IDisposable
{
    readonly BlockingCollection<WorkerResult>[] ready;
    readonly SemaphoreSlim[] tickets;
    readonly CountdownEvent running;
    readonly CancellationTokenSource cancel = new();

    public EpochRun(int epoch, IReadOnlyList<int[]> batches, int batchSize, int workers, int prefetch)
    {
        Epoch = epoch;
        Batches = batches;
        BatchSize = batchSize;
        ready = new BlockingCollection<WorkerResult>[workers];
        tickets = new SemaphoreSlim[workers];
        for (int w = 0; w < workers; w++)
        {
            ready[w] = new BlockingCollection<WorkerResult>();
            tickets[w] = new SemaphoreSlim(prefetch);
        }
        running = new CountdownEvent(workers);
    }

    public int Epoch { get; }
    public IReadOnlyList<int[]> Batches { get; }
    public int BatchSize { get; }
    public int Workers => ready.Length;
    public CancellationToken Token => cancel.Token;

    /// <summary>Worker side: waits until its next batch may be started; false when the epoch was cancelled.</summary>
    public bool WaitTicket(int worker)
    {
        try
        {
            tickets[worker].Wait(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Worker side: hands over a result.</summary>
    public void Deliver(int worker, WorkerResult result)
    {
        if (cancel.IsCancellationRequested) result.Batch?.Dispose(); // nobody will take it
        else ready[worker].Add(result);
    }

    /// <summary>Worker side: this worker is done with the epoch (finished, failed or cancelled).</summary>
    public void WorkerDone() => running.Signal();

    /// <summary>Consumer side: the result of batch <paramref name="b"/>, waiting for it; throws <see cref="OperationCanceledException"/> when the run was cancelled.</summary>
    public WorkerResult Take(int b)
    {
        var result = ready[b % Workers].Take(cancel.Token);
        tickets[b % Workers].Release();
        return result;
    }

    /// <summary>Any thread: asks the workers and a waiting consumer to stop (the consumer's <see cref="Cancel"/> cleans up).</summary>
    public void Abort()
    {
        try { cancel.Cancel(); }
        catch (ObjectDisposedException) { } // the consumer finished the run meanwhile
    }

    /// <summary>
    /// Consumer side: stops the workers, waits until they have left the epoch, and frees batches nobody
    /// took. False when a worker is still inside a sample after <paramref name="wait"/>: then the run
    /// must not be disposed (the worker frees what it builds once it sees the cancellation).
    /// </summary>
    public bool Cancel(TimeSpan wait)
    {
        cancel.Cancel();
        bool stopped = running.Wait(wait);
        foreach (var q in ready)
            while (q.TryTake(out var r)) r.Batch?.Dispose();
        return stopped;
    }

    public void Dispose()
    {
        foreach (var q in ready) q.Dispose();
        foreach (var t in tickets) t.Dispose();
        running.Dispose();
        cancel.Dispose();
    }
}
