using TorchSharp;

namespace Kindling.Data.BatchMix;

/// <summary>
/// CutMix (Yun et al., 2019), as the seed's <c>cutmix_data</c>/<c>rand_bbox</c>: lambda ~ Beta(alpha, alpha); a box of
/// int(W·sqrt(1-lambda)) x int(H·sqrt(1-lambda)) centred uniformly, clipped to the image, is pasted from the permuted
/// batch; lambda is then corrected to <c>1 - box area / image area</c> of the clipped box. The input is not modified.
/// </summary>
public sealed class CutMix : IBatchMix
{
    /// <param name="alpha">Beta concentration; 0 disables mixing.</param>
    public CutMix(double alpha = 1.0)
    {
        BatchMixChecks.Alpha(alpha, "CutMix");
        Alpha = alpha;
    }

    /// <summary>Beta concentration.</summary>
    public double Alpha { get; }

    /// <summary>The seed's <c>rand_bbox</c>: the clipped box (x1, y1, x2, y2) for <paramref name="lambda"/>, centre drawn from <paramref name="rng"/>.</summary>
    public static (int X1, int Y1, int X2, int Y2) RandBox(int height, int width, double lambda, Random rng)
    {
        double cutRatio = Math.Sqrt(1.0 - lambda);
        int cutW = (int)(width * cutRatio), cutH = (int)(height * cutRatio);
        int cx = rng.Next(width), cy = rng.Next(height);
        return (Math.Clamp(cx - cutW / 2, 0, width), Math.Clamp(cy - cutH / 2, 0, height),
                Math.Clamp(cx + cutW / 2, 0, width), Math.Clamp(cy + cutH / 2, 0, height));
    }

    /// <inheritdoc/>
    public MixedBatch Apply(torch.Tensor images, torch.Tensor labels, Random rng)
    {
        double lambda = BatchMixChecks.Lambda(Alpha, rng);
        var perm = BatchMixChecks.Permutation(images, labels, rng, "CutMix");
        int h = (int)images.shape[2], w = (int)images.shape[3];
        var (x1, y1, x2, y2) = RandBox(h, w, lambda, rng);
        var mixed = images.clone();
        if (x2 > x1 && y2 > y1)
        {
            var source = images.index_select(0, perm).narrow(2, y1, y2 - y1).narrow(3, x1, x2 - x1);
            mixed.narrow(2, y1, y2 - y1).narrow(3, x1, x2 - x1).copy_(source);
        }
        lambda = 1.0 - (double)(x2 - x1) * (y2 - y1) / ((double)w * h);
        return new MixedBatch(mixed, labels, labels.index_select(0, perm), lambda);
    }
}
