using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised.Mae;

/// <summary>
/// MAE's per-sample random masking by argsort (He et al. 2021; seed 004 4.3): each sample's L tokens are shuffled by sorting
/// uniform noise, the first K = floor(L (1 - ratio)) are kept, and the argsort of the shuffle is the order that undoes it.
/// Every sample gets its own mask, with exactly K kept tokens, and no loop over the batch.
/// </summary>
public static class RandomMasking
{
    /// <summary>How many of <paramref name="tokens"/> are kept at <paramref name="ratio"/>: floor(L (1 - ratio)), as MAE's int().</summary>
    /// <exception cref="ArgumentException">The ratio is outside [0, 1) or keeps no token.</exception>
    public static int KeepCount(long tokens, double ratio)
    {
        if (!(ratio >= 0 && ratio < 1)) throw new ArgumentException($"The mask ratio must be in [0, 1); got {ratio}.");
        // A small tolerance so 16 * (1 - 0.75) is 4, not 3.9999999 truncated to 3.
        int keep = (int)Math.Floor(tokens * (1 - ratio) + 1e-9);
        if (keep < 1) throw new ArgumentException($"A mask ratio of {ratio} keeps no patch of {tokens}; lower it or use smaller patches.");
        return keep;
    }

    /// <summary>Masks <paramref name="tokens"/> [N, L, D] with the shuffle that sorts <paramref name="noise"/> [N, L] (uniform draws).</summary>
    public static MaskedTokens Apply(Tensor tokens, double ratio, Tensor noise)
    {
        long n = tokens.shape[0], length = tokens.shape[1], dim = tokens.shape[2];
        if (noise.dim() != 2 || noise.shape[0] != n || noise.shape[1] != length)
            throw new ArgumentException($"The masking noise must be [N, L] = [{n}, {length}]; got [{string.Join(", ", noise.shape)}].");
        int keep = KeepCount(length, ratio);
        // Ascending noise: small is kept, large is removed.
        var idsShuffle = noise.argsort(1);
        var idsRestore = idsShuffle.argsort(1);
        var idsKeep = idsShuffle.narrow(1, 0, keep);
        var kept = tokens.gather(1, idsKeep.unsqueeze(-1).expand(n, keep, dim));
        // 0 kept, 1 removed, in shuffled order; unshuffled to the original positions.
        var mask = torch.ones(n, length, dtype: tokens.dtype, device: tokens.device);
        mask.narrow(1, 0, keep).zero_();
        mask = mask.gather(1, idsRestore);
        return new MaskedTokens(kept, mask, idsRestore, idsKeep);
    }
}
