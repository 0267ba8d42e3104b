using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// torchvision's <c>autoaugment._apply_op</c>, and the magnitude tables of RandAugment and TrivialAugmentWide
/// (<c>_augmentation_space</c>). Ops are defined on uint8 images; on a float image Posterize and Equalize go through
/// uint8 (x·255 rounded) and back, and Solarize's threshold is divided by 255.
/// </summary>
public static class AugmentOps
{
    /// <summary>The op set, in torchvision's order (the draw picks an index into it).</summary>
    public static IReadOnlyList<AugmentOp> All { get; } = Enum.GetValues<AugmentOp>();

    /// <summary>Whether the op's magnitude gets a random sign.</summary>
    public static bool IsSigned(AugmentOp op) => op is AugmentOp.ShearX or AugmentOp.ShearY or AugmentOp.TranslateX or AugmentOp.TranslateY
        or AugmentOp.Rotate or AugmentOp.Brightness or AugmentOp.Color or AugmentOp.Contrast or AugmentOp.Sharpness;

    /// <summary>Whether the op takes a magnitude at all (Identity, AutoContrast and Equalize do not).</summary>
    public static bool HasMagnitude(AugmentOp op) => op is not (AugmentOp.Identity or AugmentOp.AutoContrast or AugmentOp.Equalize);

    /// <summary>RandAugment's magnitude of <paramref name="op"/> at bin <paramref name="bin"/> of <paramref name="bins"/>
    /// (unsigned), for an image of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public static double RandAugmentMagnitude(AugmentOp op, int bin, int bins, int height, int width) => op switch
    {
        AugmentOp.ShearX or AugmentOp.ShearY => Linspace(0, 0.3, bins, bin),
        AugmentOp.TranslateX => Linspace(0, 150.0 / 331.0 * width, bins, bin),
        AugmentOp.TranslateY => Linspace(0, 150.0 / 331.0 * height, bins, bin),
        AugmentOp.Rotate => Linspace(0, 30, bins, bin),
        AugmentOp.Brightness or AugmentOp.Color or AugmentOp.Contrast or AugmentOp.Sharpness => Linspace(0, 0.9, bins, bin),
        AugmentOp.Posterize => 8 - (int)Math.Round(bin / ((bins - 1) / 4.0)),
        AugmentOp.Solarize => Linspace(255, 0, bins, bin),
        _ => 0,
    };

    /// <summary>TrivialAugmentWide's magnitude of <paramref name="op"/> at bin <paramref name="bin"/> of <paramref name="bins"/> (unsigned).</summary>
    public static double TrivialAugmentWideMagnitude(AugmentOp op, int bin, int bins) => op switch
    {
        AugmentOp.ShearX or AugmentOp.ShearY => Linspace(0, 0.99, bins, bin),
        AugmentOp.TranslateX or AugmentOp.TranslateY => Linspace(0, 32, bins, bin),
        AugmentOp.Rotate => Linspace(0, 135, bins, bin),
        AugmentOp.Brightness or AugmentOp.Color or AugmentOp.Contrast or AugmentOp.Sharpness => Linspace(0, 0.99, bins, bin),
        AugmentOp.Posterize => 8 - (int)Math.Round(bin / ((bins - 1) / 6.0)),
        AugmentOp.Solarize => Linspace(255, 0, bins, bin),
        _ => 0,
    };

    static double Linspace(double start, double end, int steps, int i) => steps == 1 ? start : start + (end - start) * i / (steps - 1);

    /// <summary>Applies <paramref name="op"/> with a signed <paramref name="magnitude"/> (torchvision's <c>_apply_op</c>).</summary>
    /// <param name="image">[C,H,W], uint8 or float in [0,1].</param>
    /// <param name="op">The operation.</param>
    /// <param name="magnitude">Its magnitude, sign included.</param>
    /// <param name="interpolation">Interpolation of the geometric ops.</param>
    /// <param name="fill">Fill of the geometric ops; null leaves zeros.</param>
    public static torch.Tensor Apply(torch.Tensor image, AugmentOp op, double magnitude, Interpolation interpolation = Interpolation.Nearest,
        IReadOnlyList<double>? fill = null)
    {
        bool isFloat = image.is_floating_point();
        switch (op)
        {
            case AugmentOp.ShearX:
                return ImageGeometry.Affine(image, 0, 0, 0, 1, Math.Atan(magnitude) * 180 / Math.PI, 0, interpolation, fill, (0, 0));
            case AugmentOp.ShearY:
                return ImageGeometry.Affine(image, 0, 0, 0, 1, 0, Math.Atan(magnitude) * 180 / Math.PI, interpolation, fill, (0, 0));
            case AugmentOp.TranslateX:
                return ImageGeometry.Affine(image, 0, (int)magnitude, 0, 1, 0, 0, interpolation, fill);
            case AugmentOp.TranslateY:
                return ImageGeometry.Affine(image, 0, 0, (int)magnitude, 1, 0, 0, interpolation, fill);
            case AugmentOp.Rotate:
                return ImageGeometry.Rotate(image, magnitude, interpolation, false, fill);
            case AugmentOp.Brightness:
                return ImageColor.AdjustBrightness(image, 1 + magnitude);
            case AugmentOp.Color:
                return ImageColor.AdjustSaturation(image, 1 + magnitude);
            case AugmentOp.Contrast:
                return ImageColor.AdjustContrast(image, 1 + magnitude);
            case AugmentOp.Sharpness:
                return ImageColor.AdjustSharpness(image, 1 + magnitude);
            case AugmentOp.Posterize:
                return ViaUInt8(image, x => ImageColor.Posterize(x, (int)magnitude));
            case AugmentOp.Solarize:
                return ImageColor.Solarize(image, isFloat ? magnitude / 255.0 : magnitude);
            case AugmentOp.AutoContrast:
                return ImageColor.AutoContrast(image);
            case AugmentOp.Equalize:
                return ViaUInt8(image, ImageColor.Equalize);
            default:
                return image;
        }
    }

    static torch.Tensor ViaUInt8(torch.Tensor image, Func<torch.Tensor, torch.Tensor> op)
    {
        if (!image.is_floating_point()) return op(image);
        var bytes = (image * 255.0).round_().clamp_(0, 255).to_type(torch.ScalarType.Byte);
        return op(bytes).to_type(image.dtype).div_(255.0);
    }

    /// <summary>Checks a fill argument and returns it as a list (null stays null).</summary>
    internal static IReadOnlyList<double>? CheckFill(IReadOnlyList<double>? fill, string transform)
    {
        if (fill != null && fill.Count == 0) throw new ArgumentException($"{transform}: fill is empty; give one value, one per channel, or null.");
        return fill?.ToArray();
    }
}
