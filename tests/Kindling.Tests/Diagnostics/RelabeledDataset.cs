using Kindling.Data.Datasets;

namespace Kindling.Tests.Diagnostics;

/// <summary>A data set with other labels or another class list than its source's (for planted label mistakes the in-memory set refuses).</summary>
sealed class RelabeledDataset(IImageDataset source, Func<int, int> relabel, IReadOnlyList<string>? classes = null) : IImageDataset
{
    public string Name => source.Name + " (relabeled)";
    public int Count => source.Count;
    public IReadOnlyList<string> Classes { get; } = classes ?? source.Classes;
    public ImageShape Shape => source.Shape;
    public int GetLabel(int index) => relabel(index);

    public int CopyImage(int index, Span<byte> destination, PixelLayout layout = PixelLayout.Hwc)
    {
        source.CopyImage(index, destination, layout);
        return relabel(index);
    }
}
