using static TorchSharp.torch;

namespace Kindling.Losses;

/// <summary>
/// Cross-entropy on logits with optional label smoothing: targets become
/// (1 - label_smoothing) one-hot + label_smoothing / K, the seeds' LabelSmoothingCrossEntropy,
/// which is exactly PyTorch's <c>label_smoothing</c>. Inputs that are already probabilities are
/// refused (see <see cref="ProbabilityInputGuard"/>) on the first <see cref="GuardedCalls"/> calls.
/// </summary>
public sealed class CrossEntropy : ILoss
{
    int calls;

    /// <param name="label_smoothing">Smoothing in [0, 1).</param>
    /// <param name="reduction">Mean, Sum or None (per sample).</param>
    public CrossEntropy(double label_smoothing = 0.0, nn.Reduction reduction = nn.Reduction.Mean)
    {
        if (label_smoothing is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(label_smoothing), label_smoothing, "label_smoothing must be in [0, 1).");
        LabelSmoothing = label_smoothing;
        Reduction = reduction;
    }

    public double LabelSmoothing { get; }
    public nn.Reduction Reduction { get; }

    /// <summary>How many first calls are checked for probability inputs (the check syncs with the device).</summary>
    public int GuardedCalls { get; init; } = 3;

    public Tensor Forward(Tensor logits, Tensor targets)
    {
        if (calls < GuardedCalls)
        {
            calls++;
            ProbabilityInputGuard.Check(logits, "CrossEntropy");
        }
        return nn.functional.cross_entropy(logits, targets, reduction: Reduction, label_smoothing: LabelSmoothing);
    }
}
