namespace Kindling.Data.Loading;

/// <summary>
/// This replica's share of the data set for data-parallel training (PyTorch's <c>DistributedSampler</c>):
/// every replica shuffles with the same (seed, epoch), pads the order by repeating its start so that
/// it divides evenly (or with <c>drop_last</c> cuts the tail), and takes every
/// <c>num_replicas</c>-th index from position <c>rank</c>. Call <see cref="DataLoader.SetEpoch"/> (or
/// let the loader count epochs) so that each epoch shuffles differently.
/// </summary>
public sealed class DistributedSampler : ISampler
{
    readonly int dataCount;
    readonly int numReplicas;
    readonly int rank;
    readonly bool shuffle;
    readonly long seed;
    readonly int totalSize;

    /// <param name="dataCount">Number of samples in the data set.</param>
    /// <param name="numReplicas">PyTorch's <c>num_replicas</c>: the world size.</param>
    /// <param name="rank">PyTorch's <c>rank</c>: this replica, in [0, numReplicas).</param>
    /// <param name="shuffle">Shuffle each epoch (PyTorch's default true).</param>
    /// <param name="seed">Base seed; must be the same on every replica.</param>
    /// <param name="dropLast">Cut the tail so that it divides evenly, instead of padding.</param>
    public DistributedSampler(int dataCount, int numReplicas, int rank, bool shuffle = true, long seed = 0, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataCount);
        if (numReplicas <= 0) throw new ArgumentOutOfRangeException(nameof(numReplicas), $"num_replicas must be positive; got {numReplicas}.");
        if (rank < 0 || rank >= numReplicas)
            throw new ArgumentOutOfRangeException(nameof(rank), $"Invalid rank {rank}, rank should be in the interval [0, {numReplicas - 1}].");
        this.dataCount = dataCount;
        this.numReplicas = numReplicas;
        this.rank = rank;
        this.shuffle = shuffle;
        this.seed = seed;
        Count = dropLast && dataCount % numReplicas != 0
            ? (int)Math.Ceiling((dataCount - numReplicas) / (double)numReplicas)
            : (dataCount + numReplicas - 1) / numReplicas;
        totalSize = Count * numReplicas;
    }

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public IEnumerable<int> Indices(int epoch)
    {
        if (dataCount == 0) yield break;
        var order = new int[dataCount];
        if (shuffle) RandomSampler.Permutation(order, SamplerSeeds.ForEpoch(seed, epoch));
        else for (int i = 0; i < order.Length; i++) order[i] = i;
        // Padded (repeating from the start, as often as needed) or cut to totalSize, then strided by rank.
        for (int position = rank; position < totalSize; position += numReplicas)
            yield return order[position % dataCount];
    }
}
