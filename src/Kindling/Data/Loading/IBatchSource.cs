namespace Kindling.Data.Loading;

/// <summary>
/// What the training engine reads batches from: a fixed number of batches per epoch, reshuffled by epoch. The
/// <see cref="DataLoader"/> (images through transforms, worker threads) and <see cref="TensorLoader"/> (tensors already
/// in memory: points, cached features) are two; the consumer disposes each batch it is given.
/// </summary>
public interface IBatchSource : IEnumerable<Batch>
{
    /// <summary>Batches in the current epoch.</summary>
    int Count { get; }

    /// <summary>Batches in epoch <paramref name="epoch"/> (0-based): <see cref="Count"/> for every epoch unless the sampler's epochs differ in size (a curriculum).</summary>
    int CountAt(int epoch) => Count;

    /// <summary>Samples per batch (the last may hold fewer).</summary>
    int BatchSize { get; }

    /// <summary>Samples in the data.</summary>
    int SampleCount { get; }

    /// <summary>Chooses the epoch whose order (and augmentation) the next enumeration gives, 0-based.</summary>
    void SetEpoch(int epoch);
}
