using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>Applies a list of transforms together with probability <c>p</c> (torchvision's <c>RandomApply</c>).</summary>
public sealed class RandomApply : ISampleTransform
{
    /// <param name="transforms">Applied in order when the draw says so.</param>
    /// <param name="p">Probability of applying them.</param>
    public RandomApply(IReadOnlyList<ISampleTransform> transforms, double p = 0.5)
    {
        Probability.Check(p, nameof(p));
        Transforms = transforms;
        P = p;
    }

    /// <summary>The transforms applied together.</summary>
    public IReadOnlyList<ISampleTransform> Transforms { get; }

    /// <summary>Probability of applying them.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        if (!(rng.NextDouble() < P)) return image;
        foreach (var t in Transforms) image = t.Apply(image, rng);
        return image;
    }
}
