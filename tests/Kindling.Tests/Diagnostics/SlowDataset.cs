using Kindling.Data.Datasets;

namespace Kindling.Tests.Diagnostics;

/// <summary>A data set that sleeps on every image read: a loader too slow for the model.</summary>
sealed class SlowDataset(IImageDataset source, int milliseconds) : IImageDataset
{
    public string Name => source.Name + " (slow)";
    public int Count => source.Count;
    public IReadOnlyList<string> Classes => source.Classes;
    public ImageShape Shape => source.Shape;
    public int GetLabel(int index) => source.GetLabel(index);

    public int CopyImage(int index, Span<byte> destination, PixelLayout layout = PixelLayout.Hwc)
    {
        Thread.Sleep(milliseconds);
        return source.CopyImage(index, destination, layout);
    }
}
