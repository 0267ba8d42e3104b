using Kindling.Data.Transforms;
using TorchSharp;

namespace Kindling.Tests.Data.Loading;

/// <summary>Test-only random transform: flips horizontally with probability 1/2 and adds a random offset, both from the sample's generator; returns float.</summary>
internal sealed class RandomFlipAndNoise : ISampleTransform
{
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        var x = image.to_type(torch.float32).div(255);
        if (rng.Next(2) == 1) x = x.flip(2);
        return x.add(rng.NextDouble());
    }
}
