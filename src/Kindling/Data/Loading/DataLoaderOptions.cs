using TorchSharp;

namespace Kindling.Data.Loading;

/// <summary>
/// Settings of a <see cref="DataLoader"/>, with PyTorch's <c>DataLoader</c> meanings and defaults
/// (each property names its PyTorch parameter).
/// </summary>
public sealed record DataLoaderOptions
{
    /// <summary><c>batch_size</c>: samples per batch.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary><c>shuffle</c>: a new random order each epoch (seeded by <see cref="Seed"/> and the epoch). Not with <see cref="Sampler"/>.</summary>
    public bool Shuffle { get; init; }

    /// <summary><c>sampler</c>: the order of indices; default sequential, or random with <see cref="Shuffle"/>.</summary>
    public ISampler? Sampler { get; init; }

    /// <summary><c>num_workers</c>: worker threads building batches; 0 builds them in the consuming thread.</summary>
    public int NumWorkers { get; init; }

    /// <summary><c>prefetch_factor</c>: batches each worker may have ready ahead of the consumer (PyTorch's default 2). Only with workers.</summary>
    public int? PrefetchFactor { get; init; }

    /// <summary><c>persistent_workers</c>: keep the worker threads alive across epochs instead of starting them each epoch. Only with workers.</summary>
    public bool PersistentWorkers { get; init; }

    /// <summary>
    /// <c>pin_memory</c>: allocate batches in page-locked memory so host-to-GPU copies are faster
    /// and can be asynchronous. Takes effect only when <see cref="Device"/> is CUDA and CUDA is
    /// available; on CPU pinning has no effect and is skipped (see <see cref="DataLoader.PinsMemory"/>).
    /// </summary>
    public bool PinMemory { get; init; }

    /// <summary><c>drop_last</c>: drop the last batch when it is smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }

    /// <summary>
    /// <c>generator</c>/seed: drives the shuffle and every sample's transform generator; the same
    /// seed and epoch give the same batches. Null draws a random seed when the loader is made.
    /// </summary>
    public long? Seed { get; init; }

    /// <summary>Deliver images with channels-last (NHWC) strides, same logical [N,C,H,W] shape (<c>memory_format=torch.channels_last</c>).</summary>
    public bool ChannelsLast { get; init; }

    /// <summary>Move each batch to this device as it is delivered (non-blocking when pinned); null keeps it on the CPU.</summary>
    public torch.Device? Device { get; init; }

    /// <summary>The prefetch factor in effect: <see cref="PrefetchFactor"/> or 2.</summary>
    internal int EffectivePrefetch => PrefetchFactor ?? 2;

    /// <summary>Throws with the name of the first invalid setting, as PyTorch does.</summary>
    internal void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentException($"batch_size should be a positive integer; got {BatchSize}.");
        if (NumWorkers < 0) throw new ArgumentException($"num_workers option should be non-negative; got {NumWorkers}. Use 0 to load in the consuming thread.");
        if (NumWorkers == 0 && PrefetchFactor is not null)
            throw new ArgumentException("prefetch_factor option could only be specified in multiprocessing; let num_workers > 0 to enable it.");
        if (PrefetchFactor is <= 0) throw new ArgumentException($"prefetch_factor should be a positive integer; got {PrefetchFactor}.");
        if (NumWorkers == 0 && PersistentWorkers) throw new ArgumentException("persistent_workers option needs num_workers > 0.");
        if (Shuffle && Sampler is not null) throw new ArgumentException("sampler option is mutually exclusive with shuffle: shuffle in the sampler instead.");
    }
}
