using static TorchSharp.torch;

namespace Kindling.Metrics;

/// <summary>Fraction of samples whose true class is among the k highest logits, accumulated over batches.</summary>
public sealed class TopKAccuracy
{
    long hits, total;

    public TopKAccuracy(int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be >= 1.");
        K = k;
    }

    public int K { get; }

    public void Update(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        int k = (int)Math.Min(K, logits.shape[1]);
        var top = logits.topk(k, dim: 1).indexes;
        hits += top.eq(targets.to(int64).unsqueeze(1)).any(1).sum().item<long>();
        total += targets.shape[0];
    }

    /// <summary>Samples counted and those with the true class in the top k (to sum across data-parallel replicas).</summary>
    public (long Hits, long Total) Counts => (hits, total);

    /// <summary>Adds counts measured elsewhere (another replica's shard).</summary>
    public void AddCounts(long moreHits, long moreTotal)
    {
        hits += moreHits;
        total += moreTotal;
    }

    public double Value => total == 0 ? 0 : (double)hits / total;
}
