using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>Adds Gaussian noise N(mean, sigma²) to a float image (torchvision v2's <c>GaussianNoise</c>), clamped to [0,1] when <c>clip</c>.</summary>
public sealed class GaussianNoise : ISampleTransform
{
    /// <param name="mean">Mean of the noise.</param>
    /// <param name="sigma">Standard deviation of the noise.</param>
    /// <param name="clip">Clamp the result to [0, 1].</param>
    public GaussianNoise(double mean = 0, double sigma = 0.1, bool clip = true)
    {
        if (!(sigma >= 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "GaussianNoise: sigma must be non-negative.");
        Mean = mean;
        Sigma = sigma;
        Clip = clip;
    }

    /// <summary>Mean of the noise.</summary>
    public double Mean { get; }

    /// <summary>Standard deviation of the noise.</summary>
    public double Sigma { get; }

    /// <summary>Whether the result is clamped to [0, 1].</summary>
    public bool Clip { get; }

    /// <inheritdoc/>
    public torch.Tensor Apply(torch.Tensor image, Random rng)
    {
        if (!image.is_floating_point())
            throw new ArgumentException($"GaussianNoise: expected a float image, got {image.dtype}; put ToTensor first.");
        var noise = new float[image.numel()];
        rng.FillNormal(noise, Mean, Sigma);
        var result = image + torch.tensor(noise, image.shape, dtype: image.dtype, device: image.device);
        return Clip ? result.clamp_(0, 1) : result;
    }
}
