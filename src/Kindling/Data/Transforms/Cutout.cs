using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// Cutout (DeVries and Taylor, 2017): erases one <c>size</c> x <c>size</c> square whose centre is uniform over the
/// image, clipped at the borders, so near an edge less than size² is erased. It is the fixed-size special case of
/// <see cref="RandomErasing"/> (p = 1, scale = size²/(H·W) for both ends, ratio = (1, 1)) except that RandomErasing
/// keeps its box wholly inside the image while Cutout lets it fall partly outside.
/// </summary>
public sealed class Cutout : ISampleTransform
{
    readonly double[] value;

    /// <param name="size">Side of the square, in pixels.</param>
    /// <param name="value">Fill value (0 for a black square on an unnormalized image; the mean after normalization).</param>
    /// <param name="p">Probability of cutting out.</param>
    public Cutout(int size, double value = 0, double p = 1.0)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Cutout: the square's side must be positive.");
        Probability.Check(p, nameof(p));
        Size = size;
        Value = value;
        P = p;
        this.value = new[] { value };
    }

    /// <summary>Side of the square.</summary>
    public int Size { get; }

    /// <summary>Fill value.</summary>
    public double Value { get; }

    /// <summary>Probability of cutting out.</summary>
    public double P { get; }

    /// <summary>The clipped square (top, left, height, width) for a centre drawn from <paramref name="rng"/>.</summary>
    public static (int Top, int Left, int Height, int Width) GetParams(int height, int width, int size, Random rng)
    {
        int cy = rng.Next(height), cx = rng.Next(width);
        int y1 = Math.Clamp(cy - size / 2, 0, height), y2 = Math.Clamp(cy - size / 2 + size, 0, height);
        int x1 = Math.Clamp(cx - size / 2, 0, width), x2 = Math.Clamp(cx - size / 2 + size, 0, width);
        return (y1, x1, y2 - y1, x2 - x1);
    }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        if (!(rng.NextDouble() < P)) return image;
        var (_, h, w) = ImageGeometry.Dims(image, "Cutout");
        var (top, left, bh, bw) = GetParams(h, w, Size, rng);
        return ImageErase.Erase(image, top, left, bh, bw, ErasingKind.Constant, value, inplace: false, rng);
    }
}
