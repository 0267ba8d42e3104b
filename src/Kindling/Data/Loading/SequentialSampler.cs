namespace Kindling.Data.Loading;

/// <summary>0, 1, ..., count-1 every epoch (PyTorch's <c>SequentialSampler</c>; the loader's default without shuffle).</summary>
public sealed class SequentialSampler : ISampler
{
    /// <param name="count">Number of samples in the data set.</param>
    public SequentialSampler(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count = count;
    }

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public IEnumerable<int> Indices(int epoch) => Enumerable.Range(0, Count);
}
