namespace Kindling.Data.Datasets;

/// <summary>A view of some samples of another data set, by index (torch.utils.data.Subset).</summary>
public sealed class SubsetDataset : IImageDataset
{
    readonly int[] indices;

    /// <param name="source">The data set to take samples from.</param>
    /// <param name="indices">Indices into <paramref name="source"/>, in the order this subset presents them.</param>
    /// <param name="name">What this is; defaults to the source's name with the subset size.</param>
    public SubsetDataset(IImageDataset source, IEnumerable<int> indices, string? name = null)
    {
        Source = source;
        this.indices = indices.ToArray();
        foreach (var i in this.indices)
            if ((uint)i >= (uint)source.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"{source.Name}: subset index {i} does not exist (0..{source.Count - 1}).");
        Name = name ?? $"{source.Name} [{this.indices.Length} of {source.Count}]";
    }

    /// <summary>The data set the samples come from.</summary>
    public IImageDataset Source { get; }

    /// <summary>Indices into <see cref="Source"/> (not a copy: do not modify).</summary>
    public ReadOnlyMemory<int> Indices => indices;

    public string Name { get; }
    public int Count => indices.Length;
    public IReadOnlyList<string> Classes => Source.Classes;
    /// <summary>The source's: a subset of an unlabelled set has no labels either.</summary>
    public bool HasLabels => Source.HasLabels;
    public ImageShape Shape => Source.Shape;

    public int GetLabel(int index) => Source.GetLabel(indices[CheckIndex(index)]);

    public int CopyImage(int index, Span<byte> destination, PixelLayout layout = PixelLayout.Hwc) =>
        Source.CopyImage(indices[CheckIndex(index)], destination, layout);

    int CheckIndex(int index) => (uint)index < (uint)indices.Length
        ? index
        : throw new ArgumentOutOfRangeException(nameof(index), $"{Name}: sample {index} does not exist (0..{indices.Length - 1}).");
}
