using static TorchSharp.torch;

namespace Kindling.Losses;

/// <summary>The Mixup/CutMix loss: lambda * loss(pred, targets_a) + (1 - lambda) * loss(pred, targets_b).</summary>
public sealed class MixedTargetLoss
{
    readonly ILoss inner;

    public MixedTargetLoss(ILoss inner) => this.inner = inner;

    public Tensor Forward(Tensor logits, Tensor targetsA, Tensor targetsB, double lambda)
    {
        if (lambda is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be in [0, 1].");
        return inner.Forward(logits, targetsA) * lambda + inner.Forward(logits, targetsB) * (1 - lambda);
    }
}
