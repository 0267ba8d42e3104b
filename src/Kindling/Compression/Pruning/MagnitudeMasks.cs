using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Compression.Pruning;

/// <summary>
/// Pruning masks by magnitude, as <c>torch.nn.utils.prune</c> computes them: 1 keeps an entry, 0 prunes it.
/// An amount is the fraction of entries (or channels) to prune, rounded to a count as Python's
/// <c>round</c> does (half to even). Where a mask already exists, unstructured amounts apply to the entries
/// still unpruned (PyTorch's PruningContainer), so pruning 30% twice leaves 49% of the weights.
/// </summary>
public static class MagnitudeMasks
{
    /// <summary>How many of <paramref name="size"/> entries an <paramref name="amount"/> in [0, 1] prunes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The amount is not in [0, 1].</exception>
    public static long PruneCount(double amount, long size) =>
        amount is >= 0 and <= 1
            ? (long)Math.Round(amount * size, MidpointRounding.ToEven)
            : throw new ArgumentOutOfRangeException(nameof(amount), amount, "The amount to prune must be a fraction in [0, 1].");

    /// <summary>
    /// <c>prune.l1_unstructured</c>: prunes the <paramref name="amount"/> fraction of entries with the smallest
    /// absolute value (of those <paramref name="existing"/> still keeps).
    /// </summary>
    public static Tensor L1Unstructured(Tensor weight, double amount, Tensor? existing = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var flat = weight.detach().reshape(-1);
        var mask = existing is null ? ones_like(flat) : existing.reshape(-1).to(flat.dtype).clone();
        var kept = mask.nonzero().reshape(-1);
        long count = PruneCount(amount, kept.numel());
        if (count > 0)
        {
            var smallest = flat.index_select(0, kept).abs().topk((int)count, largest: false).indexes;
            mask.index_fill_(0, kept.index_select(0, smallest), 0);
        }
        return mask.reshape(weight.shape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>prune.global_unstructured</c> with L1Unstructured: the <paramref name="amount"/> fraction of all entries
    /// of all <paramref name="weights"/> together, smallest absolute values first, so layers lose different fractions.
    /// </summary>
    /// <param name="weights">The tensors pruned together.</param>
    /// <param name="amount">Fraction of all (still unpruned) entries to prune.</param>
    /// <param name="existing">Their current masks (null entries, or a null list, for none).</param>
    public static IReadOnlyList<Tensor> GlobalL1Unstructured(IReadOnlyList<Tensor> weights, double amount, IReadOnlyList<Tensor?>? existing = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var flat = cat(weights.Select(w => w.detach().reshape(-1)).ToArray());
        var masks = cat(weights.Select((w, i) => existing?[i] is Tensor m ? m.reshape(-1).to(flat.dtype) : ones(w.numel(), dtype: flat.dtype, device: w.device)).ToArray());
        var combined = L1Unstructured(flat, amount, masks);
        var result = new List<Tensor>();
        long offset = 0;
        foreach (var w in weights)
        {
            result.Add(combined.narrow(0, offset, w.numel()).reshape(w.shape).clone().MoveToOuterDisposeScope());
            offset += w.numel();
        }
        return result;
    }

    /// <summary>
    /// <c>prune.ln_structured</c>: prunes the <paramref name="amount"/> fraction of the slices along
    /// <paramref name="dim"/> (dim 0 of a convolution weight: whole filters) with the smallest L<paramref name="n"/>
    /// norm. Slices <paramref name="existing"/> already pruned count as norm 0, so repeated calls with a growing
    /// amount prune further.
    /// </summary>
    /// <param name="weight">The weight.</param>
    /// <param name="amount">Fraction of the slices to prune (of all of them, not of those left).</param>
    /// <param name="n">The norm's order: 1, 2, any p > 0, or <see cref="double.PositiveInfinity"/>.</param>
    /// <param name="dim">The dimension whose slices are pruned.</param>
    /// <param name="existing">The current mask, or null.</param>
    public static Tensor LnStructured(Tensor weight, double amount, double n = 2, int dim = 0, Tensor? existing = null)
    {
        if (!(n > 0)) throw new ArgumentOutOfRangeException(nameof(n), n, "The norm order n must be > 0 (or infinity).");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var norms = ChannelNorms(existing is null ? weight.detach() : weight.detach() * existing, n, dim);
        long size = weight.shape[dim];
        long keep = size - PruneCount(amount, size);
        var channelMask = zeros(size, dtype: weight.dtype, device: weight.device);
        if (keep > 0) channelMask.index_fill_(0, norms.topk((int)keep, largest: true).indexes, 1);
        var shape = Enumerable.Repeat(1L, (int)weight.dim()).ToArray();
        shape[dim] = size;
        var mask = channelMask.reshape(shape).expand(weight.shape).clone();
        if (existing is not null) mask.mul_(existing);
        return mask.MoveToOuterDisposeScope();
    }

    /// <summary>The L<paramref name="n"/> norm of each slice of <paramref name="weight"/> along <paramref name="dim"/>.</summary>
    public static Tensor ChannelNorms(Tensor weight, double n, int dim = 0)
    {
        var others = Enumerable.Range(0, (int)weight.dim()).Where(d => d != dim).Select(d => (long)d).ToArray();
        return linalg.vector_norm(weight, n, others);
    }
}
