namespace Kindling.Data.Loading;

/// <summary>
/// Indices 0..weights.Length-1 drawn with probability proportional to their weights (PyTorch's
/// <c>WeightedRandomSampler</c>), e.g. to balance classes: weight each sample by 1 / its class count.
/// </summary>
public sealed class WeightedRandomSampler : ISampler
{
    readonly double[] cumulative;
    readonly double[] weights;
    readonly bool replacement;
    readonly long seed;

    /// <param name="weights">One non-negative weight per sample (need not sum to 1).</param>
    /// <param name="numSamples">PyTorch's <c>num_samples</c>: indices per epoch.</param>
    /// <param name="replacement">PyTorch's <c>replacement</c> (default true, as PyTorch). Without it each index appears at most once and <paramref name="numSamples"/> may not exceed the number of positive weights.</param>
    /// <param name="seed">Base seed (PyTorch's <c>generator</c>).</param>
    public WeightedRandomSampler(IReadOnlyList<double> weights, int numSamples, bool replacement = true, long seed = 0)
    {
        if (numSamples <= 0) throw new ArgumentOutOfRangeException(nameof(numSamples), $"num_samples should be a positive integer; got {numSamples}.");
        if (weights.Count == 0) throw new ArgumentException("weights is empty: give one weight per sample.", nameof(weights));
        this.weights = weights.ToArray();
        cumulative = new double[weights.Count];
        double total = 0;
        int positive = 0;
        for (int i = 0; i < weights.Count; i++)
        {
            var w = weights[i];
            if (!(w >= 0) || double.IsInfinity(w))
                throw new ArgumentException($"weight {w} of sample {i} is invalid: weights must be finite and non-negative.", nameof(weights));
            if (w > 0) positive++;
            total += w;
            cumulative[i] = total;
        }
        if (total <= 0) throw new ArgumentException("all weights are zero: at least one sample must have a positive weight.", nameof(weights));
        if (!replacement && numSamples > positive)
            throw new ArgumentException($"cannot draw {numSamples} samples without replacement from {positive} samples with positive weight.", nameof(numSamples));
        this.replacement = replacement;
        this.seed = seed;
        Count = numSamples;
    }

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public IEnumerable<int> Indices(int epoch)
    {
        var rng = SamplerSeeds.ForEpoch(seed, epoch);
        return replacement ? WithReplacement(rng) : WithoutReplacement(rng);
    }

    IEnumerable<int> WithReplacement(Random rng)
    {
        double total = cumulative[^1];
        for (int i = 0; i < Count; i++)
        {
            yield return UpperBound(cumulative, rng.NextDouble() * total);
        }
    }

    /// <summary>The first index whose cumulative weight exceeds <paramref name="x"/>: never a zero-weight sample, since its bucket is empty.</summary>
    static int UpperBound(double[] cumulative, double x)
    {
        int lo = 0, hi = cumulative.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > x) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    IEnumerable<int> WithoutReplacement(Random rng)
    {
        // Efraimidis-Spirakis: the numSamples largest u^(1/w) are a weighted draw without replacement,
        // the same distribution as torch.multinomial(replacement=False).
        var keys = new List<(double Key, int Index)>(weights.Length);
        for (int i = 0; i < weights.Length; i++)
            if (weights[i] > 0) keys.Add((Math.Log(rng.NextDouble()) / weights[i], i));
        keys.Sort((a, b) => b.Key.CompareTo(a.Key));
        for (int i = 0; i < Count; i++) yield return keys[i].Index;
    }
}
