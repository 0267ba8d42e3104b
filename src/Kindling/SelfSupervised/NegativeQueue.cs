using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised;

/// <summary>
/// MoCo's queue of negative keys: a fixed [K, D] buffer and the pointer to its oldest row. Enqueueing a batch of keys
/// overwrites the oldest rows and wraps around at the end, so the queue always holds the K most recent keys and its
/// memory never grows. The buffer starts as random unit vectors (MoCo's <c>normalize(randn(dim, K))</c>).
/// </summary>
public sealed class NegativeQueue : IDisposable
{
    Tensor keys;

    /// <param name="size">K, the number of negatives kept.</param>
    /// <param name="dim">D, the width of a key.</param>
    /// <param name="generator">Draws the initial random keys (null: the global generator).</param>
    public NegativeQueue(int size, int dim, Generator? generator = null)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "the queue must hold at least one key.");
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), dim, "a key must have at least one feature.");
        using var scope = NewDisposeScope();
        keys = nn.functional.normalize(randn([size, dim], generator: generator), p: 2, dim: 1).MoveToOuterDisposeScope();
    }

    /// <summary>K.</summary>
    public int Size => (int)keys.shape[0];

    /// <summary>The buffer [K, D], one key per row (not a copy: detach or clone before changing it).</summary>
    public Tensor Keys => keys;

    /// <summary>The row the next key goes to (the oldest one).</summary>
    public int Pointer { get; private set; }

    /// <summary>Writes <paramref name="batch"/> [N, D] (N &lt;= K) over the oldest rows, wrapping around, and advances the pointer.</summary>
    /// <exception cref="ArgumentException">The batch is wider than the queue's keys, or holds more keys than the queue.</exception>
    public void Enqueue(Tensor batch)
    {
        if (batch.dim() != 2 || batch.shape[1] != keys.shape[1])
            throw new ArgumentException($"keys must be [N, {keys.shape[1]}]; got [{string.Join(", ", batch.shape)}].");
        int n = (int)batch.shape[0];
        if (n > Size)
            throw new ArgumentException($"a batch of {n} keys does not fit a queue of {Size}: the queue must hold at least one batch (make the queue larger or the batch smaller).");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var source = batch.detach().to(keys.dtype).to(keys.device);
        int first = Math.Min(n, Size - Pointer);
        keys.narrow(0, Pointer, first).copy_(source.narrow(0, 0, first));
        if (first < n) keys.narrow(0, 0, n - first).copy_(source.narrow(0, first, n - first));
        Pointer = (Pointer + n) % Size;
    }

    /// <summary>Moves the buffer to <paramref name="device"/>.</summary>
    public void To(Device device)
    {
        if (keys.device == device) return;
        keys = keys.to(device, disposeAfter: true);
    }

    /// <summary>Restores a saved buffer and pointer (from a checkpoint).</summary>
    /// <exception cref="InvalidDataException">The saved queue has another shape or an out-of-range pointer.</exception>
    public void Load(Tensor saved, int pointer)
    {
        if (!saved.shape.SequenceEqual(keys.shape))
            throw new InvalidDataException($"the checkpoint's queue is [{string.Join(", ", saved.shape)}] but this task's is [{string.Join(", ", keys.shape)}]: moco.queue or moco.projection_dim differ.");
        if (pointer < 0 || pointer >= Size)
            throw new InvalidDataException($"the checkpoint's queue pointer {pointer} is outside [0, {Size}).");
        using var noGrad = no_grad();
        keys.copy_(saved);
        Pointer = pointer;
    }

    public void Dispose() => keys.Dispose();
}
