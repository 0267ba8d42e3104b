using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>Converts to grayscale with probability <c>p</c>, keeping the channel count (torchvision's <c>RandomGrayscale</c>;
/// ITU-R 601-2 luma 0.2989 R + 0.587 G + 0.114 B).</summary>
public sealed class RandomGrayscale : ISampleTransform
{
    /// <param name="p">Probability of converting.</param>
    public RandomGrayscale(double p = 0.1)
    {
        Probability.Check(p, nameof(p));
        P = p;
    }

    /// <summary>Probability of converting.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        if (!(rng.NextDouble() < P)) return image;
        var (c, _, _) = ImageGeometry.Dims(image, "RandomGrayscale");
        return ImageColor.Grayscale(image, c).contiguous();
    }
}
