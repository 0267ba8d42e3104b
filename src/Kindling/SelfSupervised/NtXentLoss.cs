using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>
/// SimCLR's normalized temperature-scaled cross-entropy (NT-Xent): for each of the 2N projections of N images seen
/// twice, cross-entropy of its cosine similarities to the 2N - 1 others, divided by the temperature, with its other
/// view as the target. The mean over all 2N rows.
/// </summary>
/// <remarks>
/// The seed's NTXentLoss (seed 004, section 4.1) builds its logits as <c>cat([positives, sim_matrix])</c>, where
/// sim_matrix (self-similarities removed) still holds the positive: the positive is counted twice in every denominator.
/// This class counts it once, as SimCLR defines the loss; the test <c>NtXentTests</c> checks both: equal to a plain
/// InfoNCE written with cross-entropy, and equal to the seed's value once the positive is added a second time.
/// </remarks>
public sealed class NtXentLoss
{
    /// <param name="temperature">The softmax temperature (SimCLR: 0.5 for CIFAR-10 at batch 256..512, 0.1 for large batches).</param>
    public NtXentLoss(double temperature = 0.5)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the NT-Xent temperature must be a positive number (SimCLR uses 0.1..1).");
        Temperature = temperature;
    }

    public double Temperature { get; }

    /// <summary>
    /// The [2N, 2N] logits: cosine similarities of the rows of cat(<paramref name="zi"/>, <paramref name="zj"/>) divided by the
    /// temperature, with the diagonal (each row with itself) at minus infinity so it takes no part in the softmax.
    /// </summary>
    public Tensor Logits(Tensor zi, Tensor zj)
    {
        Check(zi, zj);
        using var scope = NewDisposeScope();
        var z = nn.functional.normalize(cat([zi, zj]), p: 2, dim: 1);
        var sim = z.matmul(z.t()) / Temperature;
        var self = eye(sim.shape[0], dtype: ScalarType.Bool, device: sim.device);
        return sim.masked_fill(self, double.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>Row r's positive: its other view (r + N for the first view, r - N for the second).</summary>
    public static Tensor Targets(long n, Device device) => cat([arange(n, 2 * n, dtype: int64, device: device), arange(0, n, dtype: int64, device: device)]);

    /// <summary>The loss of two views' projections [N, D] each (row n of both is image n); the mean over the 2N rows.</summary>
    public Tensor Forward(Tensor zi, Tensor zj)
    {
        using var scope = NewDisposeScope();
        var logits = Logits(zi, zj);
        return nn.functional.cross_entropy(logits, Targets(zi.shape[0], zi.device)).MoveToOuterDisposeScope();
    }

    static void Check(Tensor zi, Tensor zj)
    {
        if (zi.dim() != 2 || zj.dim() != 2 || !zi.shape.SequenceEqual(zj.shape))
            throw new ArgumentException($"NT-Xent takes two views' projections of the same shape [N, D]; got [{string.Join(", ", zi.shape)}] and [{string.Join(", ", zj.shape)}].");
        if (zi.shape[0] < 2)
            throw new ArgumentException($"NT-Xent needs at least 2 images in a batch (the other images are the negatives); got {zi.shape[0]}.");
    }
}
