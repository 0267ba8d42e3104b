using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>Gaussian blur with sigma drawn uniformly from <c>sigma</c> (torchvision's <c>GaussianBlur</c>; reflect padding).</summary>
public sealed class GaussianBlur : ISampleTransform
{
    /// <param name="kernelSize">Kernel width and height, odd and positive.</param>
    /// <param name="sigma">Range of the standard deviation; default (0.1, 2.0).</param>
    public GaussianBlur(int kernelSize, (double Min, double Max)? sigma = null) : this((kernelSize, kernelSize), sigma) { }

    /// <param name="kernelSize">Kernel (width, height) as torchvision orders it, each odd and positive.</param>
    /// <param name="sigma">Range of the standard deviation; default (0.1, 2.0).</param>
    public GaussianBlur((int X, int Y) kernelSize, (double Min, double Max)? sigma = null)
    {
        if (kernelSize.X <= 0 || kernelSize.Y <= 0 || kernelSize.X % 2 == 0 || kernelSize.Y % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "GaussianBlur: kernel sizes must be odd and positive.");
        KernelSize = kernelSize;
        Sigma = sigma ?? (0.1, 2.0);
        if (!(Sigma.Min > 0 && Sigma.Min <= Sigma.Max))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "GaussianBlur: sigma must be (min, max) with 0 < min <= max.");
    }

    /// <summary>Kernel (width, height).</summary>
    public (int X, int Y) KernelSize { get; }

    /// <summary>Range of sigma.</summary>
    public (double Min, double Max) Sigma { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        double s = rng.Uniform(Sigma.Min, Sigma.Max);
        return ImageColor.GaussianBlur(image, KernelSize.X, KernelSize.Y, s, s);
    }
}
