using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>Applies transforms in order (torchvision's <c>Compose</c>); each draws from the same sample generator.</summary>
public sealed class Compose : ISampleTransform
{
    /// <param name="transforms">The transforms, first applied first.</param>
    public Compose(params ISampleTransform[] transforms) => Transforms = transforms;

    /// <summary>The transforms, in order.</summary>
    public IReadOnlyList<ISampleTransform> Transforms { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        foreach (var t in Transforms) image = t.Apply(image, rng);
        return image;
    }
}
