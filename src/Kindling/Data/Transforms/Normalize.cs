using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>Per-channel <c>(x - mean) / std</c> on a float image (torchvision's <c>Normalize</c>).</summary>
public sealed class Normalize : ISampleTransform
{
    readonly torch.Tensor mean, std;

    /// <param name="mean">One mean per channel.</param>
    /// <param name="std">One standard deviation per channel, none zero.</param>
    /// <param name="inplace">Normalize the input tensor itself instead of a copy.</param>
    public Normalize(IReadOnlyList<double> mean, IReadOnlyList<double> std, bool inplace = false)
    {
        if (mean.Count == 0 || mean.Count != std.Count)
            throw new ArgumentException($"Normalize: mean has {mean.Count} values and std {std.Count}; give one of each per channel.");
        if (std.Any(s => s == 0)) throw new ArgumentException($"Normalize: std [{string.Join(", ", std)}] has a zero, which would divide by zero.");
        Mean = mean.ToArray();
        Std = std.ToArray();
        Inplace = inplace;
        this.mean = torch.tensor(Mean.Select(v => (float)v).ToArray()).view(-1, 1, 1).DetachFromDisposeScope();
        this.std = torch.tensor(Std.Select(v => (float)v).ToArray()).view(-1, 1, 1).DetachFromDisposeScope();
    }

    /// <summary>Per-channel means.</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>Per-channel standard deviations.</summary>
    public IReadOnlyList<double> Std { get; }

    /// <summary>Whether the input tensor is modified.</summary>
    public bool Inplace { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        var (c, _, _) = ImageGeometry.Dims(image, "Normalize");
        if (c != Mean.Count)
            throw new ArgumentException($"Normalize: the image has {c} channels but mean/std have {Mean.Count} values; give one per channel.");
        if (!image.is_floating_point())
            throw new ArgumentException($"Normalize: expected a float image, got {image.dtype}; put ToTensor before Normalize.");
        var m = mean.to(image.dtype, image.device);
        var s = std.to(image.dtype, image.device);
        return Inplace ? image.sub_(m).div_(s) : (image - m).div_(s);
    }
}
