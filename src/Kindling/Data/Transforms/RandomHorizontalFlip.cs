using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>Flips left-right with probability <c>p</c> (torchvision's <c>RandomHorizontalFlip</c>).</summary>
public sealed class RandomHorizontalFlip : ISampleTransform
{
    /// <param name="p">Probability of flipping.</param>
    public RandomHorizontalFlip(double p = 0.5)
    {
        Probability.Check(p, nameof(p));
        P = p;
    }

    /// <summary>Probability of flipping.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng) => rng.NextDouble() < P ? image.flip(-1) : image;
}
