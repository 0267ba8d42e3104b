namespace Kindling.Data.Datasets;

/// <summary>Conveniences over <see cref="IImageDataset"/>.</summary>
public static class ImageDatasetExtensions
{
    /// <summary>One image as a new array, with its label.</summary>
    public static (byte[] Pixels, int Label) GetImage(this IImageDataset dataset, int index, PixelLayout layout = PixelLayout.Hwc)
    {
        var buffer = new byte[dataset.Shape.Size];
        var label = dataset.CopyImage(index, buffer, layout);
        return (buffer, label);
    }

    /// <summary>All labels, in order.</summary>
    /// <exception cref="InvalidOperationException">The data set has no labels.</exception>
    public static int[] GetLabels(this IImageDataset dataset)
    {
        if (!dataset.HasLabels) throw UnlabelledDataset.NoLabels(dataset.Name);
        if (dataset is InMemoryImageDataset m) return m.Labels.ToArray();
        var labels = new int[dataset.Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = dataset.GetLabel(i);
        return labels;
    }

    /// <summary>The whole split in memory (decoding everything once); returns the data set itself when it already is.</summary>
    public static InMemoryImageDataset LoadAll(this IImageDataset dataset)
    {
        if (dataset is InMemoryImageDataset m) return m;
        long bytes = (long)dataset.Count * dataset.Shape.Size;
        if (bytes > Array.MaxLength)
            throw new InvalidOperationException($"{dataset.Name}: {dataset.Count} images of {dataset.Shape} ({bytes / (1 << 20)} MiB) do not fit in one in-memory buffer; read it sample by sample.");
        var pixels = new byte[bytes];
        var labels = new int[dataset.Count];
        int size = dataset.Shape.Size;
        Parallel.For(0, dataset.Count, i => labels[i] = dataset.CopyImage(i, pixels.AsSpan(i * size, size)));
        return dataset.HasLabels
            ? new InMemoryImageDataset(dataset.Name, pixels, labels, dataset.Classes, dataset.Shape)
            : new InMemoryImageDataset(dataset.Name, pixels, dataset.Shape);
    }

    /// <summary>
    /// The same images without their labels (<see cref="UnlabelledDataset"/>), for a task that must not see them
    /// (a GAN, a VAE, SimCLR); the data set itself when it has none already.
    /// </summary>
    public static IImageDataset WithoutLabels(this IImageDataset dataset) =>
        dataset.HasLabels ? new UnlabelledDataset(dataset) : dataset;

    /// <summary>How many samples each class has, indexed by label.</summary>
    /// <exception cref="InvalidOperationException">The data set has no labels.</exception>
    public static int[] CountPerClass(this IImageDataset dataset)
    {
        if (!dataset.HasLabels) throw UnlabelledDataset.NoLabels(dataset.Name);
        var counts = new int[dataset.Classes.Count];
        foreach (var label in dataset.GetLabels()) counts[label]++;
        return counts;
    }
}
