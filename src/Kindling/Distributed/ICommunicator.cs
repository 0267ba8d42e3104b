using static TorchSharp.torch;

namespace Kindling.Distributed;

/// <summary>
/// A group of processes that train together (torch.distributed's process group): this process's rank, the world size,
/// and the collectives data-parallel training needs. <see cref="Mpi.MpiCommunicator"/> runs them on Open MPI;
/// <see cref="LocalCommunicator"/> is the world of one process (no library at all); another backend (NCCL on GPUs)
/// would be a third implementation. Tensors are contiguous CPU tensors of float32, float64 or int64, changed in place.
/// Every rank must call the same collectives in the same order with the same sizes: that is the caller's contract.
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This process, in [0, <see cref="Size"/>).</summary>
    int Rank { get; }

    /// <summary>How many processes train together.</summary>
    int Size { get; }

    /// <summary>A name for messages: the backend and its version.</summary>
    string Backend { get; }

    /// <summary>Waits until every rank has arrived.</summary>
    void Barrier();

    /// <summary>Overwrites <paramref name="tensor"/> on every rank with its value on <paramref name="root"/> (any dtype: its bytes are sent).</summary>
    void Broadcast(Tensor tensor, int root = 0);

    /// <summary>Combines <paramref name="tensor"/> across ranks with <paramref name="op"/>, in place on every rank.</summary>
    void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum);

    /// <summary>
    /// Starts <see cref="AllReduce"/> without waiting: the caller may pack the next buffer meanwhile, and must not touch
    /// <paramref name="tensor"/> until the returned collective has finished.
    /// </summary>
    IPendingCollective StartAllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum);

    /// <summary>
    /// Every rank's <paramref name="tensor"/> (same shape and dtype on every rank), stacked by rank: shape [Size, ...].
    /// (A MoCo queue gathers the keys of every rank's batch this way.)
    /// </summary>
    Tensor AllGather(Tensor tensor);

    /// <summary>Stops every process of the job with <paramref name="code"/> after writing <paramref name="message"/> to standard error.</summary>
    void Abort(string message, int code = 1);
}
