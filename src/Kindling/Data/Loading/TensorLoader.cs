using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Data.Loading;

/// <summary>
/// Batches of tensors already in memory (PyTorch's TensorDataset in a DataLoader): rows of <see cref="Inputs"/> [N, ...]
/// with their <see cref="Labels"/> [N] when given, in order or shuffled by (seed, epoch) so a resumed run sees the same
/// order. For data that are not pictures (points of a 2-D mixture, features cached from a frozen encoder).
/// </summary>
public sealed class TensorLoader : IBatchSource, IDisposable
{
    int epoch;

    /// <param name="inputs">The samples, one per row; copied, so the caller keeps its tensor.</param>
    /// <param name="labels">int64 [N] labels, or null for unlabelled data.</param>
    /// <param name="batchSize">Rows per batch.</param>
    /// <param name="shuffle">A new order every epoch, drawn from (seed, epoch).</param>
    /// <param name="seed">The order's seed.</param>
    /// <param name="dropLast">Leave out a last, smaller batch.</param>
    public TensorLoader(Tensor inputs, Tensor? labels = null, int batchSize = 64, bool shuffle = false, long seed = 0, bool dropLast = false)
    {
        if (inputs.dim() < 1 || inputs.shape[0] == 0) throw new ArgumentException("inputs must have at least one row.", nameof(inputs));
        if (labels is not null && (labels.dim() != 1 || labels.shape[0] != inputs.shape[0]))
            throw new ArgumentException($"labels must be [N] with N = {inputs.shape[0]} (the rows of inputs); they are [{string.Join(",", labels.shape)}].", nameof(labels));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be >= 1.");
        Inputs = inputs.detach().clone().DetachFromDisposeScope();
        Labels = labels?.detach().to(int64).clone().DetachFromDisposeScope();
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
    }

    public Tensor Inputs { get; }
    public Tensor? Labels { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public long Seed { get; }
    public bool DropLast { get; }
    public int SampleCount => (int)Inputs.shape[0];
    public int Count => DropLast ? SampleCount / BatchSize : (SampleCount + BatchSize - 1) / BatchSize;

    public void SetEpoch(int value) => epoch = value;

    public IEnumerator<Batch> GetEnumerator()
    {
        var order = Enumerable.Range(0, SampleCount).ToArray();
        if (Shuffle) Seeding.For(Seed, "tensor-loader", epoch).Shuffle(order);
        for (int b = 0; b < Count; b++)
        {
            var indices = order.AsSpan(b * BatchSize, Math.Min(BatchSize, SampleCount - b * BatchSize)).ToArray();
            using var index = tensor(indices.Select(i => (long)i).ToArray());
            var rows = Inputs.index_select(0, index).DetachFromDisposeScope();
            var labels = Labels?.index_select(0, index).DetachFromDisposeScope();
            yield return new Batch([rows], labels, labels is null ? "this TensorLoader was given no labels." : null, indices, b);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        Inputs.Dispose();
        Labels?.Dispose();
    }
}
