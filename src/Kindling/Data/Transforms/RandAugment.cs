using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// RandAugment (Cubuk et al., 2019), as torchvision's <c>RandAugment</c>: <c>numOps</c> times, an op drawn uniformly
/// from the 14 of <see cref="AugmentOp"/> is applied at bin <c>magnitude</c> of <c>numMagnitudeBins</c>, with a random
/// sign for the signed ops. Ranges: shear 0..0.3, translate 0..150/331 of the image side, rotate 0..30°,
/// brightness/color/contrast/sharpness 0..0.9, posterize 8..4 bits, solarize 255..0. Expects uint8 images, as torchvision.
/// </summary>
public sealed class RandAugment : ISampleTransform
{
    /// <param name="numOps">Number of ops applied in sequence.</param>
    /// <param name="magnitude">Magnitude bin, in [0, numMagnitudeBins).</param>
    /// <param name="numMagnitudeBins">Number of magnitude bins.</param>
    /// <param name="interpolation">Interpolation of the geometric ops (nearest or bilinear).</param>
    /// <param name="fill">Fill of the geometric ops: one value or one per channel; null leaves zeros.</param>
    public RandAugment(int numOps = 2, int magnitude = 9, int numMagnitudeBins = 31, Interpolation interpolation = Interpolation.Nearest,
        IReadOnlyList<double>? fill = null)
    {
        if (numOps < 0) throw new ArgumentOutOfRangeException(nameof(numOps), numOps, "RandAugment: numOps must be non-negative.");
        if (numMagnitudeBins < 2) throw new ArgumentOutOfRangeException(nameof(numMagnitudeBins), numMagnitudeBins, "RandAugment: need at least 2 magnitude bins.");
        if (magnitude < 0 || magnitude >= numMagnitudeBins)
            throw new ArgumentOutOfRangeException(nameof(magnitude), magnitude, $"RandAugment: magnitude is a bin index in [0, {numMagnitudeBins - 1}].");
        NumOps = numOps;
        Magnitude = magnitude;
        NumMagnitudeBins = numMagnitudeBins;
        Interpolation = interpolation;
        Fill = AugmentOps.CheckFill(fill, "RandAugment");
    }

    /// <summary>Number of ops per image.</summary>
    public int NumOps { get; }

    /// <summary>Magnitude bin.</summary>
    public int Magnitude { get; }

    /// <summary>Number of magnitude bins.</summary>
    public int NumMagnitudeBins { get; }

    /// <summary>Interpolation of the geometric ops.</summary>
    public Interpolation Interpolation { get; }

    /// <summary>Fill of the geometric ops, or null for zeros.</summary>
    public IReadOnlyList<double>? Fill { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        var (_, h, w) = ImageGeometry.Dims(image, "RandAugment");
        for (int i = 0; i < NumOps; i++)
        {
            var op = AugmentOps.All[rng.Next(AugmentOps.All.Count)];
            double m = AugmentOps.RandAugmentMagnitude(op, Magnitude, NumMagnitudeBins, h, w);
            if (AugmentOps.IsSigned(op) && rng.Next(2) == 1) m = -m;
            image = AugmentOps.Apply(image, op, m, Interpolation, Fill);
        }
        return image;
    }
}
