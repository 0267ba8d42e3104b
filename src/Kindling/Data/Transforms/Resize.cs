using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// Resizes (torchvision's <c>Resize</c>): to (height, width), or with one number the shorter side to it
/// keeping the aspect ratio. Antialiasing is on by default, as in torchvision v2.
/// </summary>
public sealed class Resize : ISampleTransform
{
    readonly int? shorter;

    /// <param name="size">The shorter side's new length; the longer side keeps the aspect ratio (truncated, as torchvision).</param>
    /// <param name="interpolation">Nearest, bilinear or bicubic.</param>
    /// <param name="antialias">Antialias when downsampling (bilinear and bicubic).</param>
    public Resize(int size, Interpolation interpolation = Interpolation.Bilinear, bool antialias = true)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Resize: the size must be positive.");
        shorter = size;
        Interpolation = interpolation;
        Antialias = antialias;
    }

    /// <param name="size">Output (height, width).</param>
    /// <param name="interpolation">Nearest, bilinear or bicubic.</param>
    /// <param name="antialias">Antialias when downsampling (bilinear and bicubic).</param>
    public Resize((int Height, int Width) size, Interpolation interpolation = Interpolation.Bilinear, bool antialias = true)
    {
        if (size.Height <= 0 || size.Width <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Resize: the size must be positive.");
        Size = size;
        Interpolation = interpolation;
        Antialias = antialias;
    }

    /// <summary>Output (height, width), or null when the shorter side is resized.</summary>
    public (int Height, int Width)? Size { get; }

    /// <summary>Interpolation mode.</summary>
    public Interpolation Interpolation { get; }

    /// <summary>Whether downsampling is antialiased.</summary>
    public bool Antialias { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        var (_, h, w) = ImageGeometry.Dims(image, "Resize");
        var (oh, ow) = Size ?? (h <= w ? (shorter!.Value, (int)((long)shorter.Value * w / h)) : ((int)((long)shorter!.Value * h / w), shorter.Value));
        return ImageGeometry.Resize(image, oh, ow, Interpolation, Antialias);
    }
}
