using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>
/// MoCo's shuffling BatchNorm for one process. With BatchNorm over the whole batch, a query and its key share batch
/// statistics, which leak which key belongs to which query (the "cheating" MoCo describes: the pretext task is solved
/// through the statistics, not the images). MoCo's fix runs each GPU's sub-batch through BatchNorm separately and
/// shuffles the keys across GPUs, so a key is normalized with other samples than its query. Here the GPUs are groups:
/// the batch is split into G equal groups, each run through the network on its own (its own BatchNorm statistics), the
/// queries in their order and the keys in a random permutation, unshuffled afterwards.
/// </summary>
/// <remarks>
/// The alternative, one forward with statistics computed per group by a custom BatchNorm (ghost BatchNorm), would need
/// every registry model's norm layers replaced; G forwards of N / G images need nothing from the model and give exactly
/// the multi-GPU semantics (each group updates the running statistics, as each GPU does its own copy). The cost is smaller
/// batches per forward.
/// </remarks>
public static class ShuffleBn
{
    /// <summary>Checks that <paramref name="batch"/> images split into <paramref name="groups"/> equal groups of at least 2 (BatchNorm needs 2).</summary>
    /// <exception cref="InvalidOperationException">They do not.</exception>
    public static void Check(long batch, int groups)
    {
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "shuffle-BN needs at least one group.");
        if (groups == 1) return;
        if (batch % groups != 0 || batch / groups < 2)
            throw new InvalidOperationException($"a batch of {batch} images does not split into {groups} shuffle-BN groups of at least 2 equal images: " +
                $"use a batch size that is a multiple of {groups} (at least {2 * groups}) with data.drop_last: true, or change moco.shuffle_bn_groups.");
    }

    /// <summary><paramref name="network"/> over <paramref name="images"/> in <paramref name="groups"/> consecutive groups, outputs concatenated in order.</summary>
    public static Tensor Grouped(Func<Tensor, Tensor> network, Tensor images, int groups)
    {
        if (groups == 1) return network(images);
        using var scope = NewDisposeScope();
        var chunks = images.chunk(groups, 0).Select(network).ToArray();
        return cat(chunks).MoveToOuterDisposeScope();
    }

    /// <summary>A random permutation of 0..n-1 drawn from <paramref name="rng"/> (Fisher-Yates), as int64.</summary>
    public static Tensor Permutation(long n, Random rng)
    {
        var p = new long[n];
        for (long i = 0; i < n; i++) p[i] = i;
        for (long i = n - 1; i > 0; i--)
        {
            long j = rng.NextInt64(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return tensor(p);
    }

    /// <summary>
    /// <paramref name="network"/> over <paramref name="images"/> shuffled by <paramref name="permutation"/>, in groups, with the
    /// outputs put back in the images' order: row n of the result belongs to image n.
    /// </summary>
    public static Tensor Shuffled(Func<Tensor, Tensor> network, Tensor images, int groups, Tensor permutation)
    {
        using var scope = NewDisposeScope();
        var perm = permutation.to(images.device);
        var output = Grouped(network, images.index_select(0, perm), groups);
        return output.index_select(0, perm.argsort()).MoveToOuterDisposeScope();
    }
}
