using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// A random <c>size</c> window, after optional padding (torchvision's <c>RandomCrop</c>): the CIFAR
/// recipe is <c>new RandomCrop(32, padding: [4])</c>. Every window position is equally likely.
/// </summary>
public sealed class RandomCrop : ISampleTransform
{
    /// <param name="size">Output height and width.</param>
    /// <param name="padding">Padding first applied: one value (all sides), two (left/right, top/bottom) or four (left, top, right, bottom).</param>
    /// <param name="padIfNeeded">Pad an image smaller than <paramref name="size"/> up to it (right and bottom).</param>
    /// <param name="fill">Value of constant padding.</param>
    /// <param name="paddingMode">Constant, edge, reflect or symmetric.</param>
    public RandomCrop(int size, IReadOnlyList<int>? padding = null, bool padIfNeeded = false, double fill = 0, PaddingMode paddingMode = PaddingMode.Constant)
        : this((size, size), padding, padIfNeeded, fill, paddingMode) { }

    /// <param name="size">Output (height, width).</param>
    /// <param name="padding">Padding first applied: one value (all sides), two (left/right, top/bottom) or four (left, top, right, bottom).</param>
    /// <param name="padIfNeeded">Pad an image smaller than <paramref name="size"/> up to it (right and bottom).</param>
    /// <param name="fill">Value of constant padding.</param>
    /// <param name="paddingMode">Constant, edge, reflect or symmetric.</param>
    public RandomCrop((int Height, int Width) size, IReadOnlyList<int>? padding = null, bool padIfNeeded = false, double fill = 0, PaddingMode paddingMode = PaddingMode.Constant)
    {
        if (size.Height <= 0 || size.Width <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "RandomCrop: the size must be positive.");
        Size = size;
        Padding = padding == null ? (0, 0, 0, 0) : ImageGeometry.PaddingSides(padding);
        PadIfNeeded = padIfNeeded;
        Fill = fill;
        PaddingMode = paddingMode;
    }

    /// <summary>Output (height, width).</summary>
    public (int Height, int Width) Size { get; }

    /// <summary>Padding on each side, applied before cropping.</summary>
    public (int Left, int Top, int Right, int Bottom) Padding { get; }

    /// <summary>Whether images smaller than <see cref="Size"/> are padded up to it.</summary>
    public bool PadIfNeeded { get; }

    /// <summary>Value of constant padding.</summary>
    public double Fill { get; }

    /// <summary>How the border is filled.</summary>
    public PaddingMode PaddingMode { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        var (l, t, r, b) = Padding;
        var (_, h, w) = ImageGeometry.Dims(image, "RandomCrop");
        var (th, tw) = Size;
        if (PadIfNeeded)
        {
            r += Math.Max(0, tw - (w + l + r));
            b += Math.Max(0, th - (h + t + b));
        }
        image = ImageGeometry.Pad(image, l, t, r, b, Fill, PaddingMode);
        h += t + b;
        w += l + r;
        if (h < th || w < tw)
            throw new ArgumentException($"RandomCrop: the crop size ({th}, {tw}) is larger than the (padded) image ({h}, {w}); pad more or set padIfNeeded.");
        int i = rng.Next(h - th + 1), j = rng.Next(w - tw + 1);
        return image.narrow(1, i, th).narrow(2, j, tw);
    }
}
