using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// TrivialAugment Wide (Müller and Hutter, 2021), as torchvision's <c>TrivialAugmentWide</c>: one op drawn uniformly
/// from the 14 of <see cref="AugmentOp"/>, at a magnitude bin drawn uniformly from <c>numMagnitudeBins</c>, with a random
/// sign for the signed ops. Wide ranges: shear 0..0.99, translate 0..32 px, rotate 0..135°,
/// brightness/color/contrast/sharpness 0..0.99, posterize 8..2 bits, solarize 255..0. Expects uint8 images, as torchvision.
/// </summary>
public sealed class TrivialAugmentWide : ISampleTransform
{
    /// <param name="numMagnitudeBins">Number of magnitude bins.</param>
    /// <param name="interpolation">Interpolation of the geometric ops (nearest or bilinear).</param>
    /// <param name="fill">Fill of the geometric ops: one value or one per channel; null leaves zeros.</param>
    public TrivialAugmentWide(int numMagnitudeBins = 31, Interpolation interpolation = Interpolation.Nearest, IReadOnlyList<double>? fill = null)
    {
        if (numMagnitudeBins < 2) throw new ArgumentOutOfRangeException(nameof(numMagnitudeBins), numMagnitudeBins, "TrivialAugmentWide: need at least 2 magnitude bins.");
        NumMagnitudeBins = numMagnitudeBins;
        Interpolation = interpolation;
        Fill = AugmentOps.CheckFill(fill, "TrivialAugmentWide");
    }

    /// <summary>Number of magnitude bins.</summary>
    public int NumMagnitudeBins { get; }

    /// <summary>Interpolation of the geometric ops.</summary>
    public Interpolation Interpolation { get; }

    /// <summary>Fill of the geometric ops, or null for zeros.</summary>
    public IReadOnlyList<double>? Fill { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        ImageGeometry.Dims(image, "TrivialAugmentWide");
        var op = AugmentOps.All[rng.Next(AugmentOps.All.Count)];
        double m = AugmentOps.HasMagnitude(op) ? AugmentOps.TrivialAugmentWideMagnitude(op, rng.Next(NumMagnitudeBins), NumMagnitudeBins) : 0;
        if (AugmentOps.IsSigned(op) && rng.Next(2) == 1) m = -m;
        return AugmentOps.Apply(image, op, m, Interpolation, Fill);
    }
}
