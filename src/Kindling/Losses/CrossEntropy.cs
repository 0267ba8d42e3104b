using static TorchSharp.torch;

namespace Kindling.Losses;

/// <summary>
/// Cross-entropy on logits with optional label smoothing: targets become
/// (1 - label_smoothing) one-hot + label_smoothing / K, the seeds' LabelSmoothingCrossEntropy,
/// which is exactly PyTorch's <c>label_smoothing</c>; optional class weights, PyTorch's <c>weight</c>
/// (with smoothing, the mean divides both the target term and the smoothing term by the sum of the batch's
/// target weights, as PyTorch does). Inputs that are already probabilities are refused (see
/// <see cref="ProbabilityInputGuard"/>) on the first <see cref="GuardedCalls"/> calls.
/// </summary>
public sealed class CrossEntropy : ILoss
{
    int calls;

    /// <param name="label_smoothing">Smoothing in [0, 1).</param>
    /// <param name="reduction">Mean, Sum or None (per sample).</param>
    /// <param name="weight">PyTorch's <c>weight</c>: one non-negative weight per class (e.g. <see cref="ClassWeights.Balanced"/>); null: all 1.</param>
    public CrossEntropy(double label_smoothing = 0.0, nn.Reduction reduction = nn.Reduction.Mean, IReadOnlyList<double>? weight = null)
    {
        if (label_smoothing is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(label_smoothing), label_smoothing, "label_smoothing must be in [0, 1).");
        if (weight is not null && (weight.Count == 0 || weight.Any(w => !(w >= 0) || double.IsInfinity(w))))
            throw new ArgumentException($"class weights [{string.Join(", ", weight)}] are invalid: give one finite, non-negative weight per class.", nameof(weight));
        LabelSmoothing = label_smoothing;
        Reduction = reduction;
        Weight = weight?.ToArray();
    }

    public double LabelSmoothing { get; }
    public nn.Reduction Reduction { get; }

    /// <summary>The class weights, or null (every class weighs 1).</summary>
    public IReadOnlyList<double>? Weight { get; }

    /// <summary>How many first calls are checked for probability inputs (the check syncs with the device).</summary>
    public int GuardedCalls { get; init; } = 3;

    public Tensor Forward(Tensor logits, Tensor targets)
    {
        if (calls < GuardedCalls)
        {
            calls++;
            ProbabilityInputGuard.Check(logits, "CrossEntropy");
        }
        if (Weight is null) return nn.functional.cross_entropy(logits, targets, reduction: Reduction, label_smoothing: LabelSmoothing);
        if (Weight.Count != logits.shape[^1])
            throw new ArgumentException($"CrossEntropy has {Weight.Count} class weights but the logits have {logits.shape[^1]} classes: give one weight per class.");
        // K numbers made per call on the logits' device and dtype: cheaper than caching one tensor per device.
        using var weight = tensor(Weight.ToArray(), dtype: logits.dtype, device: logits.device);
        return nn.functional.cross_entropy(logits, targets, weight, reduction: Reduction, label_smoothing: LabelSmoothing);
    }
}
