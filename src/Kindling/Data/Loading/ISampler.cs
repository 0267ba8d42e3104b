namespace Kindling.Data.Loading;

/// <summary>
/// The order in which a <see cref="DataLoader"/> visits a data set's samples in one epoch, as
/// PyTorch's <c>Sampler</c>. The extension point for new orders (curriculum, class-balanced,
/// distributed): implement this, keep it deterministic for a given epoch, and pass it as
/// <see cref="DataLoaderOptions.Sampler"/>.
/// </summary>
public interface ISampler
{
    /// <summary>Number of indices one epoch yields (PyTorch's <c>len(sampler)</c>); where epochs differ in size, see <see cref="CountAt"/>.</summary>
    int Count { get; }

    /// <summary>
    /// The data set indices of epoch <paramref name="epoch"/>, exactly <see cref="CountAt"/>(<paramref name="epoch"/>) of them.
    /// The same epoch must give the same sequence (random samplers seed from their seed and the epoch),
    /// so that runs are reproducible and <see cref="DataLoader.SetEpoch"/> works like PyTorch's <c>set_epoch</c>.
    /// </summary>
    IEnumerable<int> Indices(int epoch);

    /// <summary>
    /// Number of indices epoch <paramref name="epoch"/> yields. Most samplers yield the same number every
    /// epoch, hence the default <see cref="Count"/>; one whose epochs differ in size (a curriculum that grows
    /// its pool) overrides it, and <see cref="DataLoader.Count"/> asks this for the loader's next epoch.
    /// </summary>
    int CountAt(int epoch) => Count;
}
