using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// uint8 [0,255] to float32 [0,1] (torchvision's <c>ToTensor</c> on a [C,H,W] tensor, v2's
/// <c>ToDtype(torch.float32, scale=True)</c>). A float image passes through unchanged.
/// </summary>
public sealed class ToTensor : ISampleTransform
{
    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng) =>
        image.is_floating_point() ? image : image.to_type(torch.ScalarType.Float32).div_(255.0);
}
