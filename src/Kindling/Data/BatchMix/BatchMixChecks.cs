using Kindling.Data.Transforms;
using TorchSharp;

namespace Kindling.Data.BatchMix;

/// <summary>Argument checks and the shared partner permutation of the batch mixers.</summary>
internal static class BatchMixChecks
{
    public static void Alpha(double alpha, string mix)
    {
        if (!(alpha >= 0) || double.IsInfinity(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"{mix}: alpha must be finite and >= 0 (0 turns mixing off).");
    }

    /// <summary>lambda ~ Beta(alpha, alpha), or 1 (no mixing) when alpha is 0.</summary>
    public static double Lambda(double alpha, Random rng) => alpha > 0 ? rng.Beta(alpha, alpha) : 1.0;

    /// <summary>Checks the batch and returns a random permutation of it as an index tensor.</summary>
    public static torch.Tensor Permutation(torch.Tensor images, torch.Tensor labels, Random rng, string mix)
    {
        if (images.dim() != 4) throw new ArgumentException($"{mix}: expected images [N,C,H,W], got shape [{string.Join(",", images.shape)}].");
        if (labels.dim() < 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"{mix}: {images.shape[0]} images but labels of shape [{string.Join(",", labels.shape)}]; give one label per image.");
        return torch.tensor(rng.Permutation((int)images.shape[0]), device: images.device);
    }
}
