using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>
/// InfoNCE with a queue of negatives, as MoCo computes it: for each query, its positive key's similarity first and the
/// similarities to every key in the queue after, divided by the temperature, and cross-entropy with target 0.
/// Queries, keys and queue rows are expected L2-normalized (dot products are cosine similarities).
/// </summary>
public sealed class InfoNceLoss
{
    /// <param name="temperature">The softmax temperature (MoCo v1 0.07, MoCo v2 0.2).</param>
    public InfoNceLoss(double temperature = 0.2)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the InfoNCE temperature must be a positive number (MoCo uses 0.07..0.2).");
        Temperature = temperature;
    }

    public double Temperature { get; }

    /// <summary>The [N, 1 + K] logits: column 0 q_n . k_n, columns 1..K q_n . queue_k, all divided by the temperature.</summary>
    /// <param name="q">Queries [N, D] (with gradient).</param>
    /// <param name="k">Positive keys [N, D] (no gradient: the momentum encoder's).</param>
    /// <param name="queue">Negatives [K, D], one key per row.</param>
    public Tensor Logits(Tensor q, Tensor k, Tensor queue)
    {
        if (q.dim() != 2 || !q.shape.SequenceEqual(k.shape))
            throw new ArgumentException($"InfoNCE takes queries and keys of the same shape [N, D]; got [{string.Join(", ", q.shape)}] and [{string.Join(", ", k.shape)}].");
        if (queue.dim() != 2 || queue.shape[1] != q.shape[1])
            throw new ArgumentException($"the queue must be [K, {q.shape[1]}] (one negative per row, as wide as the queries); got [{string.Join(", ", queue.shape)}].");
        using var scope = NewDisposeScope();
        var positive = (q * k.detach()).sum(1, keepdim: true);
        var negative = q.matmul(queue.detach().t());
        return (cat([positive, negative], 1) / Temperature).MoveToOuterDisposeScope();
    }

    /// <summary>The mean loss over the N queries.</summary>
    public Tensor Forward(Tensor q, Tensor k, Tensor queue)
    {
        using var scope = NewDisposeScope();
        var logits = Logits(q, k, queue);
        var targets = zeros(logits.shape[0], dtype: int64, device: logits.device);
        return nn.functional.cross_entropy(logits, targets).MoveToOuterDisposeScope();
    }
}
