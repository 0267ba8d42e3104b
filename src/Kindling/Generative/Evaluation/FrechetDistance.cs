using static TorchSharp.torch;

namespace Kindling.Generative.Evaluation;

/// <summary>
/// The Frechet distance between two Gaussians, d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2)): FID when the
/// Gaussians are fitted to a feature network's features of real and generated images (Heusel et al. 2017).
/// </summary>
/// <remarks>
/// tr((S1 S2)^(1/2)) is computed in float64 from the symmetric form: with R = S1^(1/2) (from <c>linalg.eigh</c>),
/// S1 S2 = R (R S2 R) R^-1 is similar to R S2 R, which is symmetric positive semi-definite, so the trace of the root is the
/// sum of the square roots of R S2 R's eigenvalues (negative round-off clipped to 0). This avoids scipy's
/// <c>sqrtm</c> of a non-symmetric product and its complex round-off, and gives the same number (checked against scipy).
/// </remarks>
public static class FrechetDistance
{
    /// <summary>The distance between two fits of the same width.</summary>
    public static double Between(GaussianFit a, GaussianFit b)
    {
        if (a.Mean.shape[0] != b.Mean.shape[0])
            throw new ArgumentException($"the fits have {a.Mean.shape[0]} and {b.Mean.shape[0]} features: they must come from the same feature network.");
        using var scope = NewDisposeScope();
        var difference = (a.Mean - b.Mean).square().sum().item<double>();
        var root = SymmetricSqrt(a.Covariance);
        var product = root.matmul(b.Covariance).matmul(root);
        product = (product + product.t()) / 2;   // exactly symmetric for eigh
        var traceRoot = linalg.eigvalsh(product).clamp_min(0).sqrt().sum().item<double>();
        return difference + a.Covariance.trace().item<double>() + b.Covariance.trace().item<double>() - 2 * traceRoot;
    }

    /// <summary>The Frechet distance between Gaussians fitted to two feature sets [N1, D] and [N2, D].</summary>
    public static double Between(Tensor featuresA, Tensor featuresB)
    {
        using var a = GaussianFit.Of(featuresA);
        using var b = GaussianFit.Of(featuresB);
        return Between(a, b);
    }

    /// <summary>The positive semi-definite square root of a symmetric matrix (eigenvalues below 0 from round-off clipped).</summary>
    public static Tensor SymmetricSqrt(Tensor symmetric)
    {
        using var scope = NewDisposeScope();
        var (values, vectors) = linalg.eigh((symmetric + symmetric.t()) / 2);
        var root = vectors.matmul(diag(values.clamp_min(0).sqrt())).matmul(vectors.t());
        return root.MoveToOuterDisposeScope();
    }
}
