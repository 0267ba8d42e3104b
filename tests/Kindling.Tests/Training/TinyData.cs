using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;

namespace Kindling.Tests.Training;

/// <summary>A small learnable data set: class c has a bright band at row band c, plus noise.</summary>
static class TinyData
{
    public static InMemoryImageDataset Bands(int count, int classes = 3, int size = 8, int seed = 1)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * size * size];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = i % classes;
            labels[i] = c;
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    pixels[i * size * size + y * size + x] = (byte)(rng.Next(0, 60) + (y == 1 + 2 * c ? 150 : 0));
        }
        return new InMemoryImageDataset("bands", pixels, labels, Enumerable.Range(0, classes).Select(c => $"band{c}").ToArray(), new ImageShape(1, size, size));
    }

    public static DataLoader Loader(IImageDataset data, int batch, bool shuffle = false, ISampleTransform? transform = null, long seed = 5) =>
        new(data, new DataLoaderOptions { BatchSize = batch, Shuffle = shuffle, Seed = seed }, transform);
}
