using Kindling.Data.Transforms;
using TorchSharp;

namespace Kindling.Tests.Data.Loading;

/// <summary>Test-only transform from a lambda.</summary>
internal sealed class TransformOf(Func<torch.Tensor, Random, torch.Tensor> apply) : ISampleTransform
{
    public torch.Tensor Apply(torch.Tensor image, Random rng) => apply(image, rng);
}
