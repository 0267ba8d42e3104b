using Kindling.Compression.Pruning;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Compression.Channels;

/// <summary>
/// Structured pruning by channel groups (<see cref="ChannelTopology"/>): <see cref="Mask"/> zeroes the weakest
/// channels (PyTorch's <c>ln_structured(n, dim=0)</c> on each convolution; the summed filter norms for a residual
/// stream) and, beyond PyTorch, the matching BatchNorm scale and shift, so a pruned channel outputs exactly 0;
/// <see cref="Shrink"/> then removes those channels for real, giving a smaller dense model with the same outputs.
/// </summary>
public static class ChannelPruning
{
    /// <summary>
    /// Masks the <paramref name="amount"/> fraction of each group's channels with the smallest L<paramref name="n"/>
    /// filter norm (channels already masked have norm 0 and go first) and returns the kept channels per group.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="pruned">The masks to add to (hooks and training callback).</param>
    /// <param name="groups">The model's channel groups.</param>
    /// <param name="amount">Fraction of every group's channels to prune (of all of them).</param>
    /// <param name="n">The norm's order.</param>
    public static IReadOnlyList<long[]> Mask(nn.Module model, PrunedModel pruned, IReadOnlyList<ChannelGroup> groups, double amount, double n = 2)
    {
        var kept = new List<long[]>();
        using var scope = NewDisposeScope();
        foreach (var group in groups)
        {
            var convs = group.Producers.Select(p => (Conv2d)ModuleSurgery.Get(model, p.Conv)).ToList();
            var importance = convs.Select(c => MagnitudeMasks.ChannelNorms(c.weight.detach(), n, 0)).Aggregate((a, b) => a + b);
            long size = importance.shape[0];
            long keep = size - MagnitudeMasks.PruneCount(amount, size);
            if (keep < 1) throw new ArgumentOutOfRangeException(nameof(amount), amount, $"Pruning {amount:P0} of {size} channels would leave none.");
            var indices = importance.topk((int)keep, largest: true).indexes.sort().Values;
            var channelMask = zeros(size, dtype: float32, device: importance.device).index_fill_(0, indices, 1);
            foreach (var (producer, conv) in group.Producers.Zip(convs))
            {
                pruned.Apply(producer.Conv + ".weight", channelMask.reshape(-1, 1, 1, 1).expand(conv.weight.shape));
                if (conv.bias is not null) pruned.Apply(producer.Conv + ".bias", channelMask);
                if (producer.Norm is not null && ModuleSurgery.Get(model, producer.Norm) is BatchNorm { affine: true })
                {
                    pruned.Apply(producer.Norm + ".weight", channelMask);
                    pruned.Apply(producer.Norm + ".bias", channelMask);
                }
            }
            kept.Add(indices.data<long>().ToArray());
        }
        return kept;
    }

    /// <summary>
    /// Removes every channel not in <paramref name="keep"/> (per group, in the order of <paramref name="groups"/>):
    /// filters of the producers, channels of their BatchNorms, input channels (or the flattened features) of the
    /// consumers. The modules are replaced in place by smaller ones holding the kept weights.
    /// </summary>
    /// <exception cref="ArgumentException">Counts do not match, or a channel index is out of range.</exception>
    public static void Shrink(nn.Module model, IReadOnlyList<ChannelGroup> groups, IReadOnlyList<long[]> keep)
    {
        if (groups.Count != keep.Count) throw new ArgumentException($"{groups.Count} channel groups but {keep.Count} kept-channel lists.", nameof(keep));
        var outKeep = new Dictionary<string, long[]>();
        var inKeep = new Dictionary<string, long[]>();
        for (int g = 0; g < groups.Count; g++)
        {
            var first = (Conv2d)ModuleSurgery.Get(model, groups[g].Producers[0].Conv);
            long size = first.out_channels;
            if (keep[g].Length == 0 || keep[g].Any(c => c < 0 || c >= size) || keep[g].Distinct().Count() != keep[g].Length)
                throw new ArgumentException($"Kept channels of the group of '{groups[g].Producers[0].Conv}' must be distinct indices in [0, {size}).", nameof(keep));
            if (keep[g].Length == size) continue;
            foreach (var p in groups[g].Producers)
            {
                outKeep[p.Conv] = keep[g];
                if (p.Norm is not null) outKeep[p.Norm] = keep[g];
            }
            foreach (var c in groups[g].Consumers)
                inKeep[c.Layer] = keep[g].SelectMany(ch => Enumerable.Range(0, c.FeaturesPerChannel).Select(i => ch * c.FeaturesPerChannel + i)).ToArray();
        }
        foreach (var path in outKeep.Keys.Union(inKeep.Keys).ToList())
        {
            using var scope = NewDisposeScope();
            var module = ModuleSurgery.Get(model, path);
            var rows = outKeep.GetValueOrDefault(path);
            var cols = inKeep.GetValueOrDefault(path);
            nn.Module<Tensor, Tensor> smaller = module switch
            {
                Conv2d c => SmallerConv(c, rows, cols),
                Linear l when rows is null => SmallerLinear(l, cols!),
                BatchNorm2d bn => SmallerNorm(bn, rows!),
                _ => throw new NotSupportedException($"'{path}' ({module.GetType().Name}) cannot be shrunk."),
            };
            smaller.train(module.training);
            ModuleSurgery.Replace(model, path, smaller).Dispose();
        }
    }

    static Tensor Select(Tensor t, int dim, long[]? indices) =>
        indices is null ? t : t.index_select(dim, tensor(indices, device: t.device));

    static Conv2d SmallerConv(Conv2d c, long[]? rows, long[]? cols)
    {
        if (c.groups != 1) throw new NotSupportedException("Grouped (depthwise) convolutions cannot be shrunk.");
        using var _ = no_grad();
        var w = Select(Select(c.weight.detach(), 0, rows), 1, cols);
        var b = c.bias is null ? null : Select(c.bias.detach(), 0, rows);
        var padding = c.padding ?? throw new NotSupportedException("Convolutions with 'same'/'valid' padding cannot be shrunk.");
        var conv = nn.Conv2d(w.shape[1], w.shape[0], (c.kernel_size[0], c.kernel_size[1]), stride: (c.stride[0], c.stride[1]),
            padding: (padding[0], padding[1]), dilation: (c.dilation[0], c.dilation[1]), padding_mode: c.padding_mode, bias: b is not null,
            device: w.device, dtype: w.dtype);
        conv.weight.copy_(w);
        conv.bias?.copy_(b!);
        return conv;
    }

    static Linear SmallerLinear(Linear l, long[] cols)
    {
        using var _ = no_grad();
        var w = Select(l.weight.detach(), 1, cols);
        var linear = nn.Linear(w.shape[1], w.shape[0], hasBias: l.bias is not null, device: w.device, dtype: w.dtype);
        linear.weight.copy_(w);
        linear.bias?.copy_(l.bias!);
        return linear;
    }

    static BatchNorm2d SmallerNorm(BatchNorm2d bn, long[] rows)
    {
        using var _ = no_grad();
        var device = bn.running_mean?.device ?? bn.weight?.device ?? CPU;
        var norm = nn.BatchNorm2d(rows.Length, eps: bn.eps, momentum: bn.momentum ?? 0.1, affine: bn.affine, track_running_stats: bn.track_running_stats, device: device);
        if (bn.affine)
        {
            norm.weight!.copy_(Select(bn.weight!.detach(), 0, rows));
            norm.bias!.copy_(Select(bn.bias!.detach(), 0, rows));
        }
        if (bn.running_mean is not null)
        {
            norm.running_mean!.copy_(Select(bn.running_mean, 0, rows));
            norm.running_var!.copy_(Select(bn.running_var!, 0, rows));
            norm.num_batches_tracked!.copy_(bn.num_batches_tracked!);
        }
        return norm;
    }
}
