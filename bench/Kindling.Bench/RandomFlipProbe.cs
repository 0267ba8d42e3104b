using Kindling.Data.Transforms;
using TorchSharp;

namespace Kindling.Bench;

/// <summary>A horizontal flip with probability 1/2, the cheapest realistic augmentation, for loader benchmarks.</summary>
internal sealed class RandomFlipProbe : ISampleTransform
{
    public torch.Tensor Apply(torch.Tensor image, Random rng) => rng.Next(2) == 0 ? image : image.flip(2);
}
