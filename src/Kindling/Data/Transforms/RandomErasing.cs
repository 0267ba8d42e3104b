using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>
/// Erases a random rectangle with probability <c>p</c> (torchvision's <c>RandomErasing</c>, Zhong et al. 2017):
/// up to 10 tries draw the area fraction uniformly from <c>scale</c> and the aspect ratio log-uniformly from
/// <c>ratio</c> (height = round(sqrt(area · ratio)), width = round(sqrt(area / ratio))); the first box strictly
/// smaller than the image is placed uniformly inside it; if none fits, the image is left as is. The value is 0,
/// a given value, one value per channel, or standard normal noise (<see cref="WithRandomValue"/>, torchvision's
/// <c>value="random"</c>). Meant for float images, after <c>ToTensor</c> (and usually after <c>Normalize</c>).
/// </summary>
public sealed class RandomErasing : ISampleTransform
{
    readonly ErasingKind kind;
    readonly double[] value;

    /// <param name="p">Probability of erasing.</param>
    /// <param name="scale">Range of the erased area as a fraction of the image; default (0.02, 0.33).</param>
    /// <param name="ratio">Range of the box's aspect ratio (height / width); default (0.3, 3.3).</param>
    /// <param name="value">The erasing value.</param>
    /// <param name="inplace">Erase in the input tensor instead of a copy.</param>
    public RandomErasing(double p = 0.5, (double Min, double Max)? scale = null, (double Min, double Max)? ratio = null, double value = 0, bool inplace = false)
        : this(p, scale, ratio, ErasingKind.Constant, new[] { value }, inplace) { }

    /// <param name="p">Probability of erasing.</param>
    /// <param name="scale">Range of the erased area as a fraction of the image; default (0.02, 0.33).</param>
    /// <param name="ratio">Range of the box's aspect ratio (height / width); default (0.3, 3.3).</param>
    /// <param name="value">One erasing value per channel (or a single value).</param>
    /// <param name="inplace">Erase in the input tensor instead of a copy.</param>
    public RandomErasing(double p, (double Min, double Max)? scale, (double Min, double Max)? ratio, IReadOnlyList<double> value, bool inplace = false)
        : this(p, scale, ratio, value.Count == 1 ? ErasingKind.Constant : ErasingKind.PerChannel, value.ToArray(), inplace)
    {
        if (value.Count == 0) throw new ArgumentException("RandomErasing: value is empty; give one value or one per channel.", nameof(value));
    }

    RandomErasing(double p, (double Min, double Max)? scale, (double Min, double Max)? ratio, ErasingKind kind, double[] value, bool inplace)
    {
        Probability.Check(p, nameof(p));
        P = p;
        Scale = scale ?? (0.02, 0.33);
        Ratio = ratio ?? (0.3, 3.3);
        Probability.CheckRange(Scale, nameof(scale));
        Probability.CheckRange(Ratio, nameof(ratio), double.Epsilon);
        this.kind = kind;
        this.value = value;
        Inplace = inplace;
    }

    /// <summary>Random erasing that fills the box with standard normal noise (torchvision's <c>value="random"</c>).</summary>
    public static RandomErasing WithRandomValue(double p = 0.5, (double Min, double Max)? scale = null, (double Min, double Max)? ratio = null, bool inplace = false) =>
        new(p, scale, ratio, ErasingKind.Random, Array.Empty<double>(), inplace);

    /// <summary>Probability of erasing.</summary>
    public double P { get; }

    /// <summary>Range of the erased area fraction.</summary>
    public (double Min, double Max) Scale { get; }

    /// <summary>Range of the box's aspect ratio (height / width).</summary>
    public (double Min, double Max) Ratio { get; }

    /// <summary>The erasing values (one, or one per channel); null for random normal values.</summary>
    public IReadOnlyList<double>? Value => kind == ErasingKind.Random ? null : value;

    /// <summary>Whether the input tensor is modified.</summary>
    public bool Inplace { get; }

    /// <summary>torchvision's <c>RandomErasing.get_params</c> without the value: the box (top, left, height, width), or null when no try fits.</summary>
    public static (int Top, int Left, int Height, int Width)? GetParams(int height, int width, (double Min, double Max) scale, (double Min, double Max) ratio, Random rng)
    {
        // ratio is height / width here: the box is (height, width) = (along, across), strictly inside the image.
        if (BoxSampling.Draw(height, width, scale, ratio, rng, (h, w) => h < height && w < width) is not { } box) return null;
        return (rng.Next(height - box.Along + 1), rng.Next(width - box.Across + 1), box.Along, box.Across);
    }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        if (!(rng.NextDouble() < P)) return image;
        var (c, h, w) = ImageGeometry.Dims(image, "RandomErasing");
        if (kind == ErasingKind.PerChannel && value.Length != c)
            throw new ArgumentException($"RandomErasing: value has {value.Length} values for an image of {c} channels; give 1 or {c}.");
        if (GetParams(h, w, Scale, Ratio, rng) is not { } box) return image;
        return ImageErase.Erase(image, box.Top, box.Left, box.Height, box.Width, kind, value, Inplace, rng);
    }
}
