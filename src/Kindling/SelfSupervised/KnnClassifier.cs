using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>
/// The weighted k-nearest-neighbour classifier of InstDisc (Wu et al. 2018) and MoCo's kNN monitor: cosine similarity of
/// a query's features to every feature of a labelled memory bank, the k most similar neighbours each voting for its
/// class with weight exp(similarity / temperature), the class with the largest sum predicted.
/// </summary>
public sealed class KnnClassifier
{
    /// <param name="k">Neighbours that vote (InstDisc/MoCo: 200); fewer when the bank is smaller.</param>
    /// <param name="temperature">Sharpness of the votes' weights (InstDisc/MoCo: 0.1).</param>
    public KnnClassifier(int k = 200, double temperature = 0.1)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "kNN needs k >= 1 neighbours.");
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the kNN temperature must be positive (InstDisc/MoCo: 0.1).");
        K = k;
        Temperature = temperature;
    }

    public int K { get; }
    public double Temperature { get; }

    /// <summary>Each query's class scores [N, classes] (the weighted votes).</summary>
    /// <param name="bank">Memory bank features [M, D], L2-normalized.</param>
    /// <param name="bankLabels">Their classes, int64 [M].</param>
    /// <param name="queries">Query features [N, D], L2-normalized.</param>
    /// <param name="classes">The number of classes.</param>
    public Tensor Scores(Tensor bank, Tensor bankLabels, Tensor queries, int classes)
    {
        if (bank.dim() != 2 || queries.dim() != 2 || bank.shape[1] != queries.shape[1])
            throw new ArgumentException($"the bank [M, D] and the queries [N, D] must have the same width; got [{string.Join(", ", bank.shape)}] and [{string.Join(", ", queries.shape)}].");
        if (bankLabels.shape[0] != bank.shape[0])
            throw new ArgumentException($"the bank has {bank.shape[0]} features but {bankLabels.shape[0]} labels.");
        using var scope = NewDisposeScope();
        int k = (int)Math.Min(K, bank.shape[0]);
        var similarity = queries.matmul(bank.t());
        var (weights, indices) = similarity.topk(k, dim: 1);
        var labels = bankLabels.index_select(0, indices.reshape(-1)).reshape(indices.shape);
        var votes = zeros([queries.shape[0], classes], dtype: weights.dtype, device: weights.device);
        votes.scatter_add_(1, labels, (weights / Temperature).exp());
        return votes.MoveToOuterDisposeScope();
    }

    /// <summary>Each query's predicted class, int64 [N]. Queries go in chunks so the [N, M] similarities stay small.</summary>
    public Tensor Predict(Tensor bank, Tensor bankLabels, Tensor queries, int classes, int chunk = 1024)
    {
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < queries.shape[0]; start += chunk)
            {
                using var scope = NewDisposeScope();
                var q = queries.narrow(0, start, Math.Min(chunk, queries.shape[0] - start));
                parts.Add(Scores(bank, bankLabels, q, classes).argmax(1).MoveToOuterDisposeScope());
            }
            return parts.Count == 0 ? empty(0, dtype: int64) : cat(parts);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    /// <summary>Top-1 accuracy of <see cref="Predict"/> against <paramref name="queryLabels"/>.</summary>
    public double Accuracy(Tensor bank, Tensor bankLabels, Tensor queries, Tensor queryLabels, int classes)
    {
        if (queries.shape[0] == 0) throw new ArgumentException("kNN accuracy needs at least one query.");
        using var predicted = Predict(bank, bankLabels, queries, classes);
        using var correct = predicted.eq(queryLabels.to(predicted.device)).sum();
        return correct.item<long>() / (double)queries.shape[0];
    }
}
