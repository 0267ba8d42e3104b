using static TorchSharp.torch;

namespace Kindling.Distributed;

/// <summary>The world of one process: every collective is the identity, and no communication library is loaded.</summary>
public sealed class LocalCommunicator : ICommunicator
{
    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public string Backend => "local (one process)";

    /// <inheritdoc/>
    public void Barrier() { }

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), root, "the only rank of a one-process world is 0.");
    }

    /// <inheritdoc/>
    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum) { }

    /// <inheritdoc/>
    public IPendingCollective StartAllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum) => Done.Instance;

    /// <inheritdoc/>
    public Tensor AllGather(Tensor tensor) => tensor.unsqueeze(0).clone();

    /// <inheritdoc/>
    public void Abort(string message, int code = 1)
    {
        Console.Error.WriteLine(message);
        Environment.Exit(code);
    }

    /// <inheritdoc/>
    public void Dispose() { }

    sealed class Done : IPendingCollective
    {
        public static readonly Done Instance = new();
        public bool Test() => true;
        public void Wait() { }
    }
}
