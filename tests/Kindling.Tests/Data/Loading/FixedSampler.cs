using Kindling.Data.Loading;

namespace Kindling.Tests.Data.Loading;

/// <summary>Test-only sampler: the same given indices every epoch.</summary>
internal sealed class FixedSampler(int[] indices) : ISampler
{
    public int Count => indices.Length;
    public IEnumerable<int> Indices(int epoch) => indices;
}
