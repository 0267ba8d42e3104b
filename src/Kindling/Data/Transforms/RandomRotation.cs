using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// Rotates by an angle drawn uniformly from <c>degrees</c> (torchvision's <c>RandomRotation</c>; positive is
/// counter-clockwise). Pixels from outside the image take <c>fill</c>.
/// </summary>
public sealed class RandomRotation : ISampleTransform
{
    /// <param name="degrees">Angles are drawn from [-degrees, degrees].</param>
    /// <param name="interpolation">Nearest or bilinear.</param>
    /// <param name="expand">Enlarge the output to hold the whole rotated image.</param>
    /// <param name="center">Rotation centre in pixel coordinates (x, y); the image centre when null.</param>
    /// <param name="fill">Fill of the area outside the rotated image: one value or one per channel.</param>
    public RandomRotation(double degrees, Interpolation interpolation = Interpolation.Nearest, bool expand = false,
        (double X, double Y)? center = null, IReadOnlyList<double>? fill = null)
        : this((-degrees, degrees), interpolation, expand, center, fill)
    {
        if (degrees < 0) throw new ArgumentOutOfRangeException(nameof(degrees), degrees, "RandomRotation: a single degrees value must be non-negative.");
    }

    /// <param name="degrees">Angles are drawn from [min, max].</param>
    /// <param name="interpolation">Nearest or bilinear.</param>
    /// <param name="expand">Enlarge the output to hold the whole rotated image.</param>
    /// <param name="center">Rotation centre in pixel coordinates (x, y); the image centre when null.</param>
    /// <param name="fill">Fill of the area outside the rotated image: one value or one per channel.</param>
    public RandomRotation((double Min, double Max) degrees, Interpolation interpolation = Interpolation.Nearest, bool expand = false,
        (double X, double Y)? center = null, IReadOnlyList<double>? fill = null)
    {
        Probability.CheckRange(degrees, nameof(degrees), double.NegativeInfinity);
        if (interpolation == Interpolation.Bicubic) throw new ArgumentException("RandomRotation: use nearest or bilinear interpolation.");
        Degrees = degrees;
        Interpolation = interpolation;
        Expand = expand;
        Center = center;
        Fill = fill ?? new[] { 0.0 };
    }

    /// <summary>Range of angles, in degrees.</summary>
    public (double Min, double Max) Degrees { get; }

    /// <summary>Interpolation mode.</summary>
    public Interpolation Interpolation { get; }

    /// <summary>Whether the output grows to hold the rotated image.</summary>
    public bool Expand { get; }

    /// <summary>Rotation centre, or null for the image centre.</summary>
    public (double X, double Y)? Center { get; }

    /// <summary>Fill outside the rotated image.</summary>
    public IReadOnlyList<double> Fill { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        double angle = rng.Uniform(Degrees.Min, Degrees.Max);
        return ImageGeometry.Rotate(image, angle, Interpolation, Expand, Fill, Center);
    }
}
