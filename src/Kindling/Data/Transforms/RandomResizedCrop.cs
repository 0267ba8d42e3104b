using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// A random crop of random area and aspect ratio, resized to <c>size</c> (torchvision's <c>RandomResizedCrop</c>):
/// up to 10 tries draw an area fraction from <c>scale</c> and a log-uniform aspect ratio from <c>ratio</c>; when none
/// fits, the central crop of the clamped ratio (or the whole image) is used.
/// </summary>
public sealed class RandomResizedCrop : ISampleTransform
{
    /// <param name="size">Output height and width.</param>
    /// <param name="scale">Range of the crop's area as a fraction of the image's; default (0.08, 1).</param>
    /// <param name="ratio">Range of the crop's aspect ratio (width / height); default (3/4, 4/3).</param>
    /// <param name="interpolation">Nearest, bilinear or bicubic.</param>
    /// <param name="antialias">Antialias when downsampling (torchvision v2's default).</param>
    public RandomResizedCrop(int size, (double Min, double Max)? scale = null, (double Min, double Max)? ratio = null,
        Interpolation interpolation = Interpolation.Bilinear, bool antialias = true)
        : this((size, size), scale, ratio, interpolation, antialias) { }

    /// <param name="size">Output (height, width).</param>
    /// <param name="scale">Range of the crop's area as a fraction of the image's; default (0.08, 1).</param>
    /// <param name="ratio">Range of the crop's aspect ratio (width / height); default (3/4, 4/3).</param>
    /// <param name="interpolation">Nearest, bilinear or bicubic.</param>
    /// <param name="antialias">Antialias when downsampling (torchvision v2's default).</param>
    public RandomResizedCrop((int Height, int Width) size, (double Min, double Max)? scale = null, (double Min, double Max)? ratio = null,
        Interpolation interpolation = Interpolation.Bilinear, bool antialias = true)
    {
        if (size.Height <= 0 || size.Width <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "RandomResizedCrop: the size must be positive.");
        Size = size;
        Scale = scale ?? (0.08, 1.0);
        Ratio = ratio ?? (3.0 / 4.0, 4.0 / 3.0);
        Probability.CheckRange(Scale, nameof(scale));
        Probability.CheckRange(Ratio, nameof(ratio), double.Epsilon);
        Interpolation = interpolation;
        Antialias = antialias;
    }

    /// <summary>Output (height, width).</summary>
    public (int Height, int Width) Size { get; }

    /// <summary>Range of the crop's area fraction.</summary>
    public (double Min, double Max) Scale { get; }

    /// <summary>Range of the crop's aspect ratio.</summary>
    public (double Min, double Max) Ratio { get; }

    /// <summary>Interpolation mode.</summary>
    public Interpolation Interpolation { get; }

    /// <summary>Whether downsampling is antialiased.</summary>
    public bool Antialias { get; }

    /// <summary>torchvision's <c>RandomResizedCrop.get_params</c>: the crop (top, left, height, width).</summary>
    public static (int Top, int Left, int Height, int Width) GetParams(int height, int width, (double Min, double Max) scale,
        (double Min, double Max) ratio, Random rng)
    {
        // ratio is width / height: the box is (width, height) = (along, across).
        if (BoxSampling.Draw(height, width, scale, ratio, rng, (w, h) => 0 < w && w <= width && 0 < h && h <= height) is { } box)
            return (rng.Next(height - box.Across + 1), rng.Next(width - box.Along + 1), box.Across, box.Along);
        double inRatio = (double)width / height;
        int cw, ch;
        if (inRatio < ratio.Min) { cw = width; ch = (int)Math.Round(cw / ratio.Min); }
        else if (inRatio > ratio.Max) { ch = height; cw = (int)Math.Round(ch * ratio.Max); }
        else { cw = width; ch = height; }
        return ((height - ch) / 2, (width - cw) / 2, ch, cw);
    }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        var (_, h, w) = ImageGeometry.Dims(image, "RandomResizedCrop");
        var (top, left, ch, cw) = GetParams(h, w, Scale, Ratio, rng);
        var crop = image.narrow(1, top, ch).narrow(2, left, cw);
        return ImageGeometry.Resize(crop, Size.Height, Size.Width, Interpolation, Antialias);
    }
}
