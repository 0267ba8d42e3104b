namespace Kindling.Data.Loading;

/// <summary>
/// Curriculum learning: each epoch draws from the easiest part of the data set, a part that grows
/// by a <see cref="CurriculumPacing"/> until it is the whole data set. Samples are ranked by a
/// difficulty score (higher is harder; ties by index, so the ranking is stable), e.g. from
/// <see cref="DifficultyScores"/>; the epoch's pool is shuffled, seeded from (seed, epoch).
/// Epochs differ in size: <see cref="CountAt"/> gives each one, and <see cref="DataLoader.Count"/> uses it.
/// </summary>
/// <example><code>
/// var scores = DifficultyScores.Entropy(teacher, train, normalize);
/// var sampler = new CurriculumSampler(train.Count, scores, totalEpochs: 30, minSamples: 128, seed: 42);
/// using var loader = new DataLoader(train, new DataLoaderOptions { BatchSize = 128, Seed = 42 }, augment, sampler);
/// </code></example>
public sealed class CurriculumSampler : ISampler
{
    readonly int[] easiestFirst;
    readonly long seed;
    int epoch;

    /// <param name="dataCount">Number of samples in the data set; <paramref name="difficulty"/> has one score for each.</param>
    /// <param name="difficulty">Difficulty of each sample, higher is harder; no NaN.</param>
    /// <param name="totalEpochs">Epochs of training, over which <paramref name="pacing"/> runs.</param>
    /// <param name="pacing">How the pool grows; default linear from 0.2 to all data at 0.8 of training.</param>
    /// <param name="minSamples">Smallest pool (at least 1); pass the batch size so that every epoch has a full batch.</param>
    /// <param name="seed">Base seed of the per-epoch shuffle.</param>
    public CurriculumSampler(int dataCount, IReadOnlyList<double> difficulty, int totalEpochs, CurriculumPacing? pacing = null, int minSamples = 1, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataCount);
        ArgumentNullException.ThrowIfNull(difficulty);
        if (difficulty.Count != dataCount)
            throw new ArgumentException($"there are {difficulty.Count} difficulty scores for a data set of {dataCount} samples; give one score per sample.", nameof(difficulty));
        for (int i = 0; i < difficulty.Count; i++)
            if (double.IsNaN(difficulty[i]))
                throw new ArgumentException($"difficulty score of sample {i} is NaN; scores must be numbers (infinity ranks as the hardest).", nameof(difficulty));
        if (totalEpochs <= 0) throw new ArgumentOutOfRangeException(nameof(totalEpochs), totalEpochs, "total_epochs must be positive.");
        if (minSamples <= 0) throw new ArgumentOutOfRangeException(nameof(minSamples), minSamples, "min_samples must be at least 1 (e.g. the batch size).");
        Pacing = pacing ?? new CurriculumPacing();
        Pacing.Validate();
        TotalEpochs = totalEpochs;
        MinSamples = minSamples;
        this.seed = seed;
        easiestFirst = new int[dataCount];
        for (int i = 0; i < dataCount; i++) easiestFirst[i] = i;
        // Array.Sort is not stable, so the index decides ties explicitly.
        easiestFirst.AsSpan().Sort((a, b) => difficulty[a] != difficulty[b] ? difficulty[a].CompareTo(difficulty[b]) : a.CompareTo(b));
    }

    /// <summary>The pacing function.</summary>
    public CurriculumPacing Pacing { get; }

    /// <summary>Epochs of training the pacing runs over.</summary>
    public int TotalEpochs { get; }

    /// <summary>Smallest pool, however small the pacing fraction.</summary>
    public int MinSamples { get; }

    /// <summary>The epoch <see cref="Count"/> describes, set by <see cref="SetEpoch"/> (PyTorch's <c>set_epoch</c>); 0 at first.</summary>
    public int Epoch => Volatile.Read(ref epoch);

    /// <summary>Pool size of <see cref="Epoch"/>. A <see cref="DataLoader"/> does not need <see cref="SetEpoch"/>: it asks <see cref="CountAt"/> for its own epoch.</summary>
    public int Count => CountAt(Epoch);

    /// <summary>Sets the epoch <see cref="Count"/> describes, for code that reads <c>len(sampler)</c> as PyTorch's curriculum loops do.</summary>
    public void SetEpoch(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        Volatile.Write(ref epoch, value);
    }

    /// <summary>
    /// Pool size of epoch <paramref name="epoch"/>: <c>floor(N * fraction)</c> as the seed, at least
    /// <see cref="MinSamples"/> and at most N; epochs past <see cref="TotalEpochs"/> use all data.
    /// </summary>
    public int CountAt(int epoch) => PoolSize(easiestFirst.Length, Pacing, epoch, TotalEpochs, MinSamples);

    /// <summary>
    /// The pool of epoch <paramref name="epoch"/> for a data set of <paramref name="dataCount"/>: what <see cref="CountAt"/> gives, known
    /// without the scores (a schedule is traced from it before training).
    /// </summary>
    public static int PoolSize(int dataCount, CurriculumPacing pacing, int epoch, int totalEpochs, int minSamples)
    {
        // The tolerance keeps an exact product (0.6 * 10) from flooring to one less after rounding.
        int size = (int)Math.Floor(dataCount * pacing.Fraction(epoch, totalEpochs) + 1e-6);
        return Math.Clamp(size, Math.Min(minSamples, dataCount), dataCount);
    }

    /// <summary>The data set indices ranked easiest first (ties by index).</summary>
    public IReadOnlyList<int> Ranking => easiestFirst;

    /// <inheritdoc/>
    public IEnumerable<int> Indices(int epoch)
    {
        var pool = easiestFirst[..CountAt(epoch)];
        SamplerSeeds.ForEpoch(seed, epoch).Shuffle(pool);
        return pool;
    }
}
