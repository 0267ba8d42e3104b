using static TorchSharp.torch;

namespace Kindling.Generative.Evaluation;

/// <summary>A Gaussian fitted to feature vectors: their mean [D] and unbiased covariance [D, D] (numpy's <c>np.cov(x, rowvar=False)</c>), in float64.</summary>
public sealed class GaussianFit : IDisposable
{
    GaussianFit(Tensor mean, Tensor covariance, long count)
    {
        Mean = mean;
        Covariance = covariance;
        Count = count;
    }

    /// <summary>The mean, [D] float64.</summary>
    public Tensor Mean { get; }

    /// <summary>The covariance with N - 1 in the denominator, [D, D] float64.</summary>
    public Tensor Covariance { get; }

    /// <summary>How many vectors were fitted.</summary>
    public long Count { get; }

    /// <summary>The fit of <paramref name="features"/> [N, D] (N >= 2), computed in float64 on the CPU.</summary>
    public static GaussianFit Of(Tensor features)
    {
        if (features.dim() != 2 || features.shape[0] < 2)
            throw new ArgumentException($"features must be [N, D] with N >= 2 to fit a covariance; got [{string.Join(", ", features.shape)}].", nameof(features));
        using var scope = NewDisposeScope();
        var x = features.to(float64).cpu();
        var mean = x.mean([0]);
        var centred = x - mean;
        var covariance = centred.t().matmul(centred) / (x.shape[0] - 1);
        return new GaussianFit(mean.MoveToOuterDisposeScope(), covariance.MoveToOuterDisposeScope(), x.shape[0]);
    }

    public void Dispose()
    {
        Mean.Dispose();
        Covariance.Dispose();
    }
}
