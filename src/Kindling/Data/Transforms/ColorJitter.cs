using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// Random brightness, contrast, saturation and hue, in a random order (torchvision's <c>ColorJitter</c>):
/// factors are drawn uniformly from [max(0, 1 - b), 1 + b] (likewise for contrast and saturation) and the hue
/// shift from [-hue, hue]; zero disables an adjustment. Contrast blends with the mean of the grayscale image,
/// saturation with the grayscale image, hue shifts in HSV space.
/// </summary>
public sealed class ColorJitter : ISampleTransform
{
    /// <param name="brightness">Brightness jitter b &gt;= 0.</param>
    /// <param name="contrast">Contrast jitter &gt;= 0.</param>
    /// <param name="saturation">Saturation jitter &gt;= 0.</param>
    /// <param name="hue">Hue jitter in [0, 0.5].</param>
    public ColorJitter(double brightness = 0, double contrast = 0, double saturation = 0, double hue = 0)
    {
        Brightness = FactorRange(brightness, nameof(brightness));
        Contrast = FactorRange(contrast, nameof(contrast));
        Saturation = FactorRange(saturation, nameof(saturation));
        if (!(hue >= 0 && hue <= 0.5)) throw new ArgumentOutOfRangeException(nameof(hue), hue, "ColorJitter: hue must be in [0, 0.5].");
        Hue = hue == 0 ? null : (-hue, hue);
    }

    static (double, double)? FactorRange(double value, string name)
    {
        if (!(value >= 0)) throw new ArgumentOutOfRangeException(name, value, $"ColorJitter: {name} must be non-negative.");
        return value == 0 ? null : (Math.Max(0, 1 - value), 1 + value);
    }

    /// <summary>Range of the brightness factor, or null when off.</summary>
    public (double Min, double Max)? Brightness { get; }

    /// <summary>Range of the contrast factor, or null when off.</summary>
    public (double Min, double Max)? Contrast { get; }

    /// <summary>Range of the saturation factor, or null when off.</summary>
    public (double Min, double Max)? Saturation { get; }

    /// <summary>Range of the hue shift, or null when off.</summary>
    public (double Min, double Max)? Hue { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        Span<int> order = stackalloc int[] { 0, 1, 2, 3 };
        for (int i = 3; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        double? b = Draw(Brightness), c = Draw(Contrast), s = Draw(Saturation), h = Draw(Hue);
        foreach (var op in order)
        {
            image = op switch
            {
                0 when b is { } f => ImageColor.AdjustBrightness(image, f),
                1 when c is { } f => ImageColor.AdjustContrast(image, f),
                2 when s is { } f => ImageColor.AdjustSaturation(image, f),
                3 when h is { } f => ImageColor.AdjustHue(image, f),
                _ => image,
            };
        }
        return image;

        double? Draw((double Min, double Max)? range) => range is { } r ? rng.Uniform(r.Min, r.Max) : null;
    }
}
