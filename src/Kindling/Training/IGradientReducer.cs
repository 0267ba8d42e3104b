using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// The engine's view of data parallelism (DistributedDataParallel's job, without its autograd hooks): the same task trains
/// in <see cref="WorldSize"/> processes on different shards of the data, and the engine calls this at the points where
/// the replicas must agree. Training knows no communication library; Distributed/GradientAllReducer implements this on
/// an MPI communicator. With <see cref="TrainerOptions.GradientReducer"/> null (the default) nothing is communicated.
/// </summary>
public interface IGradientReducer
{
    /// <summary>This replica, in [0, <see cref="WorldSize"/>); replica 0 alone writes checkpoints.</summary>
    int Rank { get; }

    /// <summary>How many replicas train together; the batch each sees is the global batch divided by this.</summary>
    int WorldSize { get; }

    /// <summary>Overwrites <paramref name="tensors"/> on every replica with replica 0's values (the initial weights and buffers).</summary>
    void Broadcast(IReadOnlyList<Tensor> tensors);

    /// <summary>
    /// At an optimizer's step point, before unscaling, clipping and the non-finite guard: replaces every gradient of
    /// <paramref name="parameters"/> by its mean over the replicas, so every replica steps the same update. A parameter
    /// with no gradient here counts as zero, and gets the mean when any replica had one (none had: it stays without).
    /// </summary>
    /// <param name="parameters">The optimizer's parameters (the fp32 masters under mixed precision).</param>
    /// <param name="lossFinite">Whether this replica's losses into these parameters were finite.</param>
    /// <returns>Whether every replica's were, so a step skipped on one replica is skipped on all.</returns>
    bool AverageGradients(IReadOnlyList<Parameter> parameters, bool lossFinite);

    /// <summary>True on every replica when <paramref name="value"/> is true on every replica.</summary>
    bool AllTrue(bool value);

    /// <summary>The element-wise sums of <paramref name="values"/> over the replicas (exact counts and weighted sums for metrics).</summary>
    double[] Sum(double[] values);

    /// <summary>
    /// Every replica's <paramref name="tensor"/> (same shape and dtype everywhere) concatenated along dimension 0 in rank
    /// order, on <paramref name="tensor"/>'s device: a MoCo queue enqueues all ranks' keys this way, as the paper's
    /// concat_all_gather does. Not differentiable (the result is detached).
    /// </summary>
    Tensor AllGather(Tensor tensor);
}
