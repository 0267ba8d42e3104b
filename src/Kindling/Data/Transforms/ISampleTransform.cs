using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// A per-sample transform with PyTorch/torchvision semantics. Input is one image as a [C,H,W]
/// tensor, uint8 (as read) or float in [0,1] (after <c>ToTensor</c>); random transforms draw from
/// the <c>rng</c> argument, the sample's own generator, so every sample gets its own draws and the
/// same seed gives the same output whatever thread runs it. Transforms may allocate freely: the
/// caller runs them inside a dispose scope and keeps only the final tensor.
/// </summary>
public interface ISampleTransform
{
    torch.Tensor Apply(torch.Tensor image, Random rng);
}
