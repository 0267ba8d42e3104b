using TorchSharp;

namespace Kindling.Data.BatchMix;

/// <summary>
/// Per batch, CutMix with probability <c>switchProb</c> and mixup otherwise (timm's <c>Mixup</c> with <c>switch_prob</c>);
/// with probability <c>1 - prob</c> the batch is left unmixed (lambda 1).
/// </summary>
public sealed class MixupOrCutMix : IBatchMix
{
    /// <param name="mixupAlpha">mixup's Beta concentration.</param>
    /// <param name="cutmixAlpha">CutMix's Beta concentration.</param>
    /// <param name="switchProb">Probability of CutMix rather than mixup for a mixed batch.</param>
    /// <param name="prob">Probability of mixing a batch at all.</param>
    public MixupOrCutMix(double mixupAlpha = 0.8, double cutmixAlpha = 1.0, double switchProb = 0.5, double prob = 1.0)
    {
        if (!(switchProb >= 0 && switchProb <= 1)) throw new ArgumentOutOfRangeException(nameof(switchProb), switchProb, "MixupOrCutMix: switchProb is a probability in [0, 1].");
        if (!(prob >= 0 && prob <= 1)) throw new ArgumentOutOfRangeException(nameof(prob), prob, "MixupOrCutMix: prob is a probability in [0, 1].");
        Mixup = new Mixup(mixupAlpha);
        CutMix = new CutMix(cutmixAlpha);
        SwitchProb = switchProb;
        Prob = prob;
    }

    /// <summary>The mixup half.</summary>
    public Mixup Mixup { get; }

    /// <summary>The CutMix half.</summary>
    public CutMix CutMix { get; }

    /// <summary>Probability of CutMix for a mixed batch.</summary>
    public double SwitchProb { get; }

    /// <summary>Probability of mixing a batch.</summary>
    public double Prob { get; }

    /// <inheritdoc/>
    public MixedBatch Apply(torch.Tensor images, torch.Tensor labels, Random rng)
    {
        if (!(rng.NextDouble() < Prob)) return new MixedBatch(images, labels, labels, 1.0);
        return rng.NextDouble() < SwitchProb ? CutMix.Apply(images, labels, rng) : Mixup.Apply(images, labels, rng);
    }
}
