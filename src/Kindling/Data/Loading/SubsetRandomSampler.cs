namespace Kindling.Data.Loading;

/// <summary>The given indices in a random order each epoch, without replacement (PyTorch's <c>SubsetRandomSampler</c>), e.g. a train/validation split of one data set.</summary>
public sealed class SubsetRandomSampler : ISampler
{
    readonly int[] indices;
    readonly long seed;

    /// <param name="indices">Data set indices to draw from.</param>
    /// <param name="seed">Base seed (PyTorch's <c>generator</c>).</param>
    public SubsetRandomSampler(IEnumerable<int> indices, long seed = 0)
    {
        this.indices = indices.ToArray();
        for (int i = 0; i < this.indices.Length; i++)
            if (this.indices[i] < 0) throw new ArgumentException($"index {this.indices[i]} at position {i} is negative.", nameof(indices));
        this.seed = seed;
    }

    /// <inheritdoc/>
    public int Count => indices.Length;

    /// <inheritdoc/>
    public IEnumerable<int> Indices(int epoch)
    {
        var perm = new int[indices.Length];
        RandomSampler.Permutation(perm, SamplerSeeds.ForEpoch(seed, epoch));
        foreach (var p in perm) yield return indices[p];
    }
}
