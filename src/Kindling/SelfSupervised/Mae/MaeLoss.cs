using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised.Mae;

/// <summary>
/// MAE's reconstruction loss: the mean squared error per patch, averaged over the removed patches only (mask 1); visible
/// patches do not count, whatever is predicted for them. With normalized targets (<c>norm_pix_loss</c>) each target patch is
/// first standardised by its own mean and variance (unbiased, + 1e-6), which MAE found gives better representations.
/// </summary>
public static class MaeLoss
{
    /// <summary>The targets [N, L, p·p·C]: the images' patches, normalized per patch when <paramref name="normPix"/>.</summary>
    public static Tensor Targets(Tensor images, int patch, bool normPix)
    {
        var target = Patches.Patchify(images, patch);
        if (!normPix) return target;
        var mean = target.mean([-1], keepdim: true);
        var variance = target.var(-1, keepdim: true);
        return (target - mean) / (variance + 1e-6).sqrt();
    }

    /// <summary>The loss of <paramref name="prediction"/> [N, L, p·p·C] against <paramref name="target"/> on the patches where <paramref name="mask"/> [N, L] is 1.</summary>
    /// <exception cref="ArgumentException">The shapes do not fit.</exception>
    public static Tensor Compute(Tensor prediction, Tensor target, Tensor mask)
    {
        if (!prediction.shape.SequenceEqual(target.shape))
            throw new ArgumentException($"MAE prediction [{string.Join(", ", prediction.shape)}] and target [{string.Join(", ", target.shape)}] differ in shape.");
        if (mask.dim() != 2 || mask.shape[0] != target.shape[0] || mask.shape[1] != target.shape[1])
            throw new ArgumentException($"The MAE mask must be [N, L] = [{target.shape[0]}, {target.shape[1]}]; got [{string.Join(", ", mask.shape)}].");
        var perPatch = (prediction - target).square().mean([-1]);
        var m = mask.to(perPatch.dtype);
        // A mask ratio of 0 removes nothing; MAE's code would divide by zero. The loss is then 0 (nothing to reconstruct).
        return (perPatch * m).sum() / m.sum().clamp_min(1);
    }
}
