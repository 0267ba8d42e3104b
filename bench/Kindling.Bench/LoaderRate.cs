using System.Diagnostics;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Runtime;

namespace Kindling.Bench;

/// <summary>
/// How many images per second the <see cref="DataLoader"/> delivers (read, augment, collate to
/// float NCHW) from in-memory uint8 images: to compare with <see cref="TrainingRate"/>.
/// </summary>
public static class LoaderRate
{
    /// <summary>Random uint8 images in memory, labels cycling over <paramref name="classes"/>.</summary>
    public static InMemoryImageDataset RandomImages(int count, int channels = 3, int size = 32, int classes = 100, int seed = 0)
    {
        var shape = new ImageShape(channels, size, size);
        var pixels = new byte[(long)count * shape.Size];
        new Random(seed).NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(i => i % classes).ToArray();
        return new InMemoryImageDataset($"random {count}x{shape}", pixels, labels, Enumerable.Range(0, classes).Select(c => $"class{c}").ToArray(), shape);
    }

    /// <summary>One warm-up epoch, then images per second over <paramref name="epochs"/> timed epochs (persistent workers, so thread start-up is not timed).</summary>
    public static double ImagesPerSecond(IImageDataset data, int workers, ISampleTransform transform, int batch = 128, int epochs = 1)
    {
        TorchRuntime.EnsureLoaded();
        using var loader = new DataLoader(data, new DataLoaderOptions
        {
            BatchSize = batch, Shuffle = true, Seed = 0, NumWorkers = workers, PersistentWorkers = workers > 0,
        }, transform);
        long images = 0;
        var watch = new Stopwatch();
        for (int e = 0; e < epochs + 1; e++)
        {
            if (e == 1) watch.Start();
            foreach (var b in loader)
                using (b)
                    if (e > 0) images += b.Count;
        }
        return images / watch.Elapsed.TotalSeconds;
    }
}
