using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>Flips top-bottom with probability <c>p</c> (torchvision's <c>RandomVerticalFlip</c>).</summary>
public sealed class RandomVerticalFlip : ISampleTransform
{
    /// <param name="p">Probability of flipping.</param>
    public RandomVerticalFlip(double p = 0.5)
    {
        Probability.Check(p, nameof(p));
        P = p;
    }

    /// <summary>Probability of flipping.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng) => rng.NextDouble() < P ? image.flip(-2) : image;
}
