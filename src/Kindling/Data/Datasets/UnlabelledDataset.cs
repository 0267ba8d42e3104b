namespace Kindling.Data.Datasets;

/// <summary>
/// Another data set seen without its labels (<see cref="ImageDatasetExtensions.WithoutLabels"/>): the same
/// images in the same order, no classes, <see cref="GetLabel"/> throwing. For generative and self-supervised
/// training on a labelled set, where a label reaching the model would be a bug.
/// </summary>
public sealed class UnlabelledDataset : IImageDataset
{
    /// <param name="source">The data set whose images this presents.</param>
    /// <param name="name">What this is; defaults to the source's name marked unlabelled.</param>
    public UnlabelledDataset(IImageDataset source, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
        Name = name ?? $"{source.Name} (unlabelled)";
    }

    /// <summary>The data set the images come from.</summary>
    public IImageDataset Source { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public int Count => Source.Count;

    /// <summary>Empty: an unlabelled data set has no classes.</summary>
    public IReadOnlyList<string> Classes => [];

    /// <summary>False.</summary>
    public bool HasLabels => false;

    /// <inheritdoc/>
    public ImageShape Shape => Source.Shape;

    /// <summary>Throws: there are no labels.</summary>
    public int GetLabel(int index) => throw NoLabels(Name);

    /// <summary>Copies the source's pixels and returns -1 (no label).</summary>
    public int CopyImage(int index, Span<byte> destination, PixelLayout layout = PixelLayout.Hwc)
    {
        Source.CopyImage(index, destination, layout);
        return -1;
    }

    /// <summary>What every place that wants a label from an unlabelled data set says: which data set, and what gives labels.</summary>
    internal static string NoLabelsMessage(string name) =>
        $"{name} has no labels (an unlabelled data set: images:PATH, or one marked WithoutLabels()), so its batches carry images only. " +
        "Labels come from a labelled data set: imagefolder:PATH with one subfolder of pictures per class, or cifar10, cifar100, mnist, kmnist, fashion-mnist.";

    /// <summary>The exception for a label asked of an unlabelled data set.</summary>
    internal static InvalidOperationException NoLabels(string name) => new(NoLabelsMessage(name));
}
