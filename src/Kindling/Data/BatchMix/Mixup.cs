using TorchSharp;

namespace Kindling.Data.BatchMix;

/// <summary>
/// mixup (Zhang et al., 2018), as the seed's <c>mixup_data</c>: lambda ~ Beta(alpha, alpha) (1 when alpha is 0),
/// a random permutation of the batch, images <c>lambda · x + (1 - lambda) · x[perm]</c>, targets y and y[perm].
/// </summary>
public sealed class Mixup : IBatchMix
{
    /// <param name="alpha">Beta concentration; 1 draws lambda uniformly, small values keep it near 0 or 1, 0 disables mixing.</param>
    public Mixup(double alpha = 1.0)
    {
        BatchMixChecks.Alpha(alpha, "Mixup");
        Alpha = alpha;
    }

    /// <summary>Beta concentration.</summary>
    public double Alpha { get; }

    /// <inheritdoc/>
    public MixedBatch Apply(torch.Tensor images, torch.Tensor labels, Random rng)
    {
        double lambda = BatchMixChecks.Lambda(Alpha, rng);
        var perm = BatchMixChecks.Permutation(images, labels, rng, "Mixup");
        if (!images.is_floating_point()) throw new ArgumentException($"Mixup: expected float images, got {images.dtype}; mix after ToTensor.");
        var mixed = lambda * images + (1 - lambda) * images.index_select(0, perm);
        return new MixedBatch(mixed, labels, labels.index_select(0, perm), lambda);
    }
}
