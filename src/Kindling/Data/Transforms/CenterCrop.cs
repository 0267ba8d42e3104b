using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>The central window (torchvision's <c>CenterCrop</c>; zero-padded when the image is smaller).</summary>
public sealed class CenterCrop : ISampleTransform
{
    /// <param name="size">Output height and width.</param>
    public CenterCrop(int size) : this((size, size)) { }

    /// <param name="size">Output (height, width).</param>
    public CenterCrop((int Height, int Width) size)
    {
        if (size.Height <= 0 || size.Width <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "CenterCrop: the size must be positive.");
        Size = size;
    }

    /// <summary>Output (height, width).</summary>
    public (int Height, int Width) Size { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng) => ImageGeometry.CenterCrop(image, Size.Height, Size.Width);
}
