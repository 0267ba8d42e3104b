using static TorchSharp.torch;

namespace Kindling.Losses;

/// <summary>PyTorch's BCEWithLogitsLoss: sigmoid and binary cross-entropy in one stable step; <c>pos_weight</c> weighs positives per class.</summary>
public sealed class BinaryCrossEntropyWithLogits : ILoss
{
    readonly Tensor? posWeight;
    readonly nn.Reduction reduction;

    public BinaryCrossEntropyWithLogits(Tensor? pos_weight = null, nn.Reduction reduction = nn.Reduction.Mean)
    {
        posWeight = pos_weight;
        this.reduction = reduction;
    }

    /// <param name="logits">Any shape.</param>
    /// <param name="targets">Same shape, values in [0, 1].</param>
    public Tensor Forward(Tensor logits, Tensor targets)
    {
        if (!logits.shape.SequenceEqual(targets.shape))
            throw new ArgumentException($"BCE-with-logits needs targets shaped like the logits: got [{string.Join(",", logits.shape)}] and [{string.Join(",", targets.shape)}].");
        return nn.functional.binary_cross_entropy_with_logits(logits, targets.to(logits.dtype), reduction: reduction, pos_weights: posWeight);
    }
}
