using System.Collections;
using System.Runtime.ExceptionServices;
using Kindling.Data.Datasets;
using Kindling.Data.Transforms;
using TorchSharp;

namespace Kindling.Data.Loading;

/// <summary>
/// Batches of an <see cref="IImageDataset"/>, as PyTorch's <c>DataLoader</c>: each enumeration is
/// one epoch. Samples are read, transformed (each with its own generator seeded from the seed, the
/// epoch and the sample, so results do not depend on the number of workers) and collated into one
/// float32 [N,C,H,W] block (uint8 scaled to [0,1] as <c>ToTensor</c>; one block per view with an
/// <see cref="IMultiViewTransform"/>) and int64 labels (none for an unlabelled data set), by
/// <see cref="DataLoaderOptions.NumWorkers"/> worker threads that each build whole batches, keep
/// <see cref="DataLoaderOptions.PrefetchFactor"/> batches ahead, and deliver them in order.
/// Worker threads run libtorch ops single-threaded (their own OpenMP team size only; the training
/// thread's <c>torch.get_num_threads()</c> is untouched), as PyTorch's worker processes do.
/// </summary>
/// <example><code>
/// using var loader = new DataLoader(train, new DataLoaderOptions { BatchSize = 128, Shuffle = true, NumWorkers = 2, Seed = 42 }, augment);
/// for (int epoch = 0; epoch &lt; epochs; epoch++)
///     foreach (var batch in loader)
///         using (batch) { /* batch.Images [128,3,32,32] float32, batch.Labels [128] int64 */ }
/// </code></example>
public sealed class DataLoader : IBatchSource, IDisposable
{
    readonly BatchBuilder builder;
    readonly object gate = new();
    readonly HashSet<EpochRun> live = [];
    WorkerPool? persistent;
    int epoch;
    bool disposed;

    /// <param name="dataset">The samples; read from several threads at once when there are workers.</param>
    /// <param name="options">Batch size, order, workers and the rest (PyTorch's <c>DataLoader</c> arguments).</param>
    /// <param name="transform">Applied to every sample ([C,H,W] uint8 as read); called from several workers at once, so it must keep no mutable state
    /// (draw randomness from its generator argument). Null collates the images as they are. An <see cref="IMultiViewTransform"/>
    /// (e.g. <see cref="MultiView"/>) makes each batch carry its views in <see cref="Batch.Views"/>, each view drawing from its own generator.</param>
    /// <param name="sampler">Shortcut for <see cref="DataLoaderOptions.Sampler"/>; give it in one place only.</param>
    public DataLoader(IImageDataset dataset, DataLoaderOptions options, ISampleTransform? transform = null, ISampler? sampler = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        if (sampler is not null && options.Sampler is not null && !ReferenceEquals(sampler, options.Sampler))
            throw new ArgumentException("a sampler was given both as an argument and in the options; give it in one place.", nameof(sampler));
        options = sampler is null ? options : options with { Sampler = sampler };
        options.Validate();
        Dataset = dataset;
        Transform = transform;
        Options = options = options with { Seed = options.Seed ?? Random.Shared.NextInt64() };
        long seed = options.Seed.Value;
        Sampler = options.Sampler ?? (options.Shuffle ? new RandomSampler(dataset.Count, seed: seed) : new SequentialSampler(dataset.Count));
        var device = options.Device;
        PinsMemory = options.PinMemory && device is not null && device.type == DeviceType.CUDA && torch.cuda.is_available();
        builder = new BatchBuilder(dataset, transform, seed, options.ChannelsLast, PinsMemory);
    }

    /// <summary>The data set.</summary>
    public IImageDataset Dataset { get; }

    /// <summary>Views in each batch (<see cref="Batch.Views"/>): the multi-view transform's count, else one.</summary>
    public int ViewCount => builder.ViewCount;

    /// <summary>The per-sample transform (null: images collated as read); a loader over a subset of <see cref="Dataset"/> reuses it.</summary>
    public ISampleTransform? Transform { get; }

    /// <summary>The options in effect (with the seed drawn when none was given).</summary>
    public DataLoaderOptions Options { get; }

    /// <summary>The sampler in effect: the one given, or sequential / random (with <c>shuffle</c>).</summary>
    public ISampler Sampler { get; }

    /// <summary>
    /// Whether batches are pinned: <c>pin_memory</c> with a CUDA <see cref="DataLoaderOptions.Device"/>
    /// that is available. Pinning only speeds up host-to-GPU copies, so on CPU it is skipped.
    /// </summary>
    public bool PinsMemory { get; }

    /// <summary>The epoch the next enumeration runs; each enumeration takes it and adds one.</summary>
    public int Epoch
    {
        get { lock (gate) return epoch; }
    }

    /// <summary>
    /// Batches of the epoch the next enumeration runs (PyTorch's <c>len(loader)</c>). The same every epoch
    /// unless the sampler's epochs differ in size (<see cref="ISampler.CountAt"/>, e.g. a curriculum).
    /// </summary>
    public int Count => CountAt(Epoch);

    int IBatchSource.BatchSize => Options.BatchSize;
    int IBatchSource.SampleCount => Dataset.Count;

    /// <summary>Batches of epoch <paramref name="epoch"/>, e.g. to sum a schedule's total steps when epochs differ in size.</summary>
    public int CountAt(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        int samples = Sampler.CountAt(epoch);
        return Options.DropLast ? samples / Options.BatchSize : (samples + Options.BatchSize - 1) / Options.BatchSize;
    }

    /// <summary>Sets the epoch the next enumeration runs (PyTorch's <c>sampler.set_epoch</c>): it fixes the order and the augmentation.</summary>
    public void SetEpoch(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        lock (gate) epoch = value;
    }

    /// <summary>Runs one epoch. Break out of it freely: disposing the enumerator stops its workers and frees undelivered batches.</summary>
    public IEnumerator<Batch> GetEnumerator()
    {
        int e;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            e = epoch++;
        }
        var batches = Plan(e);
        return Options.NumWorkers == 0 ? InThisThread(e, batches) : WithWorkers(e, batches);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The epoch's batches of indices: batch_size at a time, the last partial one kept unless drop_last.</summary>
    List<int[]> Plan(int e)
    {
        int size = Options.BatchSize;
        var batches = new List<int[]>(CountAt(e));
        var current = new List<int>(size);
        foreach (var index in Sampler.Indices(e))
        {
            if ((uint)index >= (uint)Dataset.Count)
                throw new InvalidOperationException($"sampler {Sampler.GetType().Name} gave index {index} in epoch {e}, outside {Dataset.Name} (0..{Dataset.Count - 1}).");
            current.Add(index);
            if (current.Count == size)
            {
                batches.Add([.. current]);
                current.Clear();
            }
        }
        if (current.Count > 0 && !Options.DropLast) batches.Add([.. current]);
        return batches;
    }

    IEnumerator<Batch> InThisThread(int e, List<int[]> batches)
    {
        for (int b = 0; b < batches.Count; b++)
            yield return Deliver(builder.Build(batches[b], b, b * Options.BatchSize, e, CancellationToken.None));
    }

    IEnumerator<Batch> WithWorkers(int e, List<int[]> batches)
    {
        WorkerPool pool;
        var run = new EpochRun(e, batches, Options.BatchSize, Options.NumWorkers, Options.EffectivePrefetch);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            pool = Options.PersistentWorkers ? persistent ??= NewPool() : NewPool();
            live.Add(run);
        }
        bool started = false;
        try
        {
            pool.Start(run);
            started = true;
            for (int b = 0; b < batches.Count; b++)
            {
                WorkerResult result;
                try
                {
                    result = run.Take(b);
                }
                catch (OperationCanceledException)
                {
                    throw new ObjectDisposedException(nameof(DataLoader), "the data loader was disposed during the epoch.");
                }
                if (result.Error is not null) ExceptionDispatchInfo.Capture(result.Error).Throw();
                yield return Deliver(result.Batch!);
            }
        }
        finally
        {
            lock (gate) live.Remove(run);
            // Not started (the loader was disposed meanwhile): some workers may hold the run, so only abort it.
            bool stopped = started ? run.Cancel(WorkerPool.StopWait) : AbortOnly(run);
            if (!Options.PersistentWorkers) pool.Dispose();
            if (stopped) run.Dispose();
        }
    }

    static bool AbortOnly(EpochRun run)
    {
        run.Abort();
        return false;
    }

    WorkerPool NewPool() => new(Options.NumWorkers, builder);

    Batch Deliver(Batch batch)
    {
        var device = Options.Device;
        if (device is not null && device.type != DeviceType.CPU) batch.MoveTo(device, nonBlocking: PinsMemory);
        return batch;
    }

    /// <summary>Stops the workers (persistent ones, and those of an epoch in progress) and waits for them.</summary>
    public void Dispose()
    {
        WorkerPool? pool;
        EpochRun[] running;
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            pool = persistent;
            persistent = null;
            running = [.. live];
        }
        foreach (var run in running) run.Abort();
        pool?.Dispose();
    }
}
