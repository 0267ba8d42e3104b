namespace Kindling.Data.Datasets;

/// <summary>
/// An image data set of fixed-size images (one split of it), labelled unless <see cref="HasLabels"/> says
/// otherwise. Implementations must be safe to read from several threads at once: the loader's workers call
/// <see cref="CopyImage"/> in parallel.
/// </summary>
public interface IImageDataset
{
    /// <summary>What this is, for messages and reports, e.g. "cifar10:/data/cifar-10-batches-bin (train)".</summary>
    string Name { get; }

    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Class names, indexed by label; empty for a data set without labels.</summary>
    IReadOnlyList<string> Classes { get; }

    /// <summary>
    /// Whether samples have labels. An unlabelled data set (<c>images:PATH</c>, or any data set through
    /// <see cref="ImageDatasetExtensions.WithoutLabels"/>) has no <see cref="Classes"/>, its <see cref="GetLabel"/>
    /// throws <see cref="InvalidOperationException"/> and its <see cref="CopyImage"/> returns -1. True unless an
    /// implementation says otherwise, so existing data sets keep their labels; a wrapper must pass on its source's.
    /// </summary>
    bool HasLabels => true;

    /// <summary>Shape of every image; a data set of mixed sizes resizes to make it fixed.</summary>
    ImageShape Shape { get; }

    /// <summary>The label of sample <paramref name="index"/>, without decoding its image.</summary>
    int GetLabel(int index);

    /// <summary>Copies sample <paramref name="index"/>'s pixels (uint8, <see cref="ImageShape.Size"/> bytes) in the given layout and returns its label (-1 without labels).</summary>
    int CopyImage(int index, Span<byte> destination, PixelLayout layout = PixelLayout.Hwc);
}
