namespace Kindling.Data.Datasets;

/// <summary>
/// A split held in memory as one uint8 NHWC buffer and its labels (or none): what the readers produce for
/// data sets that fit (CIFAR, the MNIST family, small image folders), and what tests build by hand.
/// </summary>
public sealed class InMemoryImageDataset : IImageDataset
{
    readonly byte[] pixels;
    readonly int[]? labels;

    /// <param name="name">What this is, for messages.</param>
    /// <param name="pixels">All images, NHWC, <c>count * shape.Size</c> bytes.</param>
    /// <param name="labels">One label per image, each in [0, classes.Count).</param>
    /// <param name="classes">Class names by label.</param>
    /// <param name="shape">Shape of every image.</param>
    public InMemoryImageDataset(string name, byte[] pixels, int[] labels, IReadOnlyList<string> classes, ImageShape shape)
    {
        if (shape.Size <= 0) throw new ArgumentException($"{name}: image shape {shape} is empty.");
        if (pixels.Length != (long)labels.Length * shape.Size)
            throw new ArgumentException($"{name}: {pixels.Length} pixel bytes for {labels.Length} images of {shape} (expected {(long)labels.Length * shape.Size}).");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes.Count)
                throw new InvalidDataException($"{name}: label {labels[i]} of sample {i} is out of range: expected 0..{classes.Count - 1} ({classes.Count} classes).");
        Name = name;
        this.pixels = pixels;
        this.labels = labels;
        Count = labels.Length;
        Classes = classes;
        Shape = shape;
    }

    /// <summary>An unlabelled split (<see cref="HasLabels"/> false, no classes): pictures without class folders, or generated images.</summary>
    /// <param name="name">What this is, for messages.</param>
    /// <param name="pixels">All images, NHWC, a whole number of <c>shape.Size</c> bytes.</param>
    /// <param name="shape">Shape of every image.</param>
    public InMemoryImageDataset(string name, byte[] pixels, ImageShape shape)
    {
        if (shape.Size <= 0) throw new ArgumentException($"{name}: image shape {shape} is empty.");
        if (pixels.Length % shape.Size != 0)
            throw new ArgumentException($"{name}: {pixels.Length} pixel bytes are not a whole number of images of {shape} ({shape.Size} bytes each).");
        Name = name;
        this.pixels = pixels;
        Count = pixels.Length / shape.Size;
        Classes = [];
        Shape = shape;
    }

    public string Name { get; }
    public int Count { get; }
    public IReadOnlyList<string> Classes { get; }
    /// <summary>False for a split made without labels (the unlabelled constructor).</summary>
    public bool HasLabels => labels is not null;
    public ImageShape Shape { get; }

    /// <summary>All images, NHWC uint8 (not a copy: do not modify).</summary>
    public ReadOnlyMemory<byte> Pixels => pixels;

    /// <summary>All labels (not a copy: do not modify).</summary>
    /// <exception cref="InvalidOperationException">The split has no labels.</exception>
    public ReadOnlyMemory<int> Labels => labels ?? throw UnlabelledDataset.NoLabels(Name);

    public int GetLabel(int index)
    {
        CheckIndex(index);
        return labels is null ? throw UnlabelledDataset.NoLabels(Name) : labels[index];
    }

    public int CopyImage(int index, Span<byte> destination, PixelLayout layout = PixelLayout.Hwc)
    {
        var source = pixels.AsSpan(CheckIndex(index) * Shape.Size, Shape.Size);
        PixelLayouts.Copy(source, PixelLayout.Hwc, destination, layout, Shape);
        return labels is null ? -1 : labels[index];
    }

    int CheckIndex(int index) => (uint)index < (uint)Count
        ? index
        : throw new ArgumentOutOfRangeException(nameof(index), $"{Name}: sample {index} does not exist (0..{Count - 1}).");
}
