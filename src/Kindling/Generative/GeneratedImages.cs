using static TorchSharp.torch;

namespace Kindling.Generative;

/// <summary>Generated images between the training batches' space and pixels.</summary>
public static class GeneratedImages
{
    /// <summary>Undoes the recipe's normalize (x * std + mean per channel) and clamps to [0, 1]: pixels for grids and for a feature network.</summary>
    public static Tensor ToPixels(Tensor images, IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        int channels = (int)images.shape[1];
        if (mean.Count != channels || std.Count != channels)
            throw new ArgumentException($"the images have {channels} channels, but the normalization has {mean.Count} means and {std.Count} stds.");
        using var m = tensor(mean.Select(v => (float)v).ToArray()).view(1, channels, 1, 1);
        using var s = tensor(std.Select(v => (float)v).ToArray()).view(1, channels, 1, 1);
        // Not `using`: the in-place ops return this very tensor, which the caller owns.
        var scaled = images.to(float32) * s;
        return scaled.add_(m).clamp_(0, 1);
    }
}
