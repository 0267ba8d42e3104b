namespace Kindling.Data.Loading;

/// <summary>
/// A random order each epoch (PyTorch's <c>RandomSampler</c>; the loader's sampler with <c>shuffle</c>):
/// a permutation of the data set, or with <c>replacement</c> <c>num_samples</c> independent draws.
/// Seeded from (seed, epoch): epochs differ, and the same seed and epoch give the same order.
/// </summary>
public sealed class RandomSampler : ISampler
{
    readonly int dataCount;
    readonly bool replacement;
    readonly long seed;

    /// <param name="dataCount">Number of samples in the data set.</param>
    /// <param name="replacement">PyTorch's <c>replacement</c>: draw with replacement.</param>
    /// <param name="numSamples">PyTorch's <c>num_samples</c>: indices per epoch (default: the data set size).
    /// Without replacement, more than the data set size repeats whole permutations, as PyTorch does.</param>
    /// <param name="seed">Base seed (PyTorch's <c>generator</c>).</param>
    public RandomSampler(int dataCount, bool replacement = false, int? numSamples = null, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataCount);
        if (numSamples is <= 0)
            throw new ArgumentOutOfRangeException(nameof(numSamples), $"num_samples should be a positive integer; got {numSamples}.");
        this.dataCount = dataCount;
        this.replacement = replacement;
        this.seed = seed;
        Count = numSamples ?? dataCount;
    }

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public IEnumerable<int> Indices(int epoch)
    {
        if (dataCount == 0) yield break;
        var rng = SamplerSeeds.ForEpoch(seed, epoch);
        if (replacement)
        {
            for (int i = 0; i < Count; i++) yield return rng.Next(dataCount);
            yield break;
        }
        var perm = new int[dataCount];
        for (int produced = 0; produced < Count;)
        {
            Permutation(perm, rng);
            for (int i = 0; i < perm.Length && produced < Count; i++, produced++) yield return perm[i];
        }
    }

    /// <summary>Fills <paramref name="perm"/> with a uniformly random permutation of 0..n-1 (Fisher-Yates).</summary>
    internal static void Permutation(int[] perm, Random rng)
    {
        for (int i = 0; i < perm.Length; i++) perm[i] = i;
        rng.Shuffle(perm);
    }
}
