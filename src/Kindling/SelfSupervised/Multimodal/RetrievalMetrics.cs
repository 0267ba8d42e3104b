using static TorchSharp.torch;

namespace Kindling.SelfSupervised.Multimodal;

/// <summary>
/// Cross-modal retrieval scored by content: a query (an image, or a description) ranks the whole gallery of the other
/// modality by distance, and recall@K is the fraction of queries with an item of their own class among the K nearest.
/// Chance is what a random ranking gives: for a query whose class has n of the N gallery items, 1 - C(N - n, K) / C(N, K).
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>Recall@<paramref name="k"/> of queries (rows of <paramref name="distances"/> [Q, G]) against the gallery (columns).</summary>
    public static double RecallAtK(Tensor distances, Tensor queryLabels, Tensor galleryLabels, int k)
    {
        if (distances.dim() != 2 || distances.shape[0] != queryLabels.shape[0] || distances.shape[1] != galleryLabels.shape[0])
            throw new ArgumentException($"distances must be [queries, gallery] = [{queryLabels.shape[0]}, {galleryLabels.shape[0]}]; got [{string.Join(", ", distances.shape)}].");
        k = (int)Math.Min(k, distances.shape[1]);
        using var scope = NewDisposeScope();
        // Ties broken by gallery order (topk is stable enough here: distances between different embeddings rarely tie).
        var nearest = distances.topk(k, dim: 1, largest: false).indexes;
        var hit = galleryLabels.index_select(0, nearest.flatten()).view(nearest.shape).eq(queryLabels.unsqueeze(1)).any(1);
        return hit.to(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>The recall@<paramref name="k"/> a random ranking gives, averaged over the queries.</summary>
    public static double ChanceRecallAtK(IReadOnlyList<long> queryLabels, IReadOnlyList<long> galleryLabels, int k)
    {
        int n = galleryLabels.Count;
        k = Math.Min(k, n);
        var perClass = galleryLabels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        double sum = 0;
        foreach (var label in queryLabels)
        {
            int same = perClass.GetValueOrDefault(label);
            // C(N - n, K) / C(N, K) = prod_{i<K} (N - n - i) / (N - i): no hit among K drawn without replacement.
            double miss = 1;
            for (int i = 0; i < k; i++) miss *= Math.Max(0, n - same - i) / (double)(n - i);
            sum += 1 - miss;
        }
        return queryLabels.Count == 0 ? 0 : sum / queryLabels.Count;
    }
}
