using Kindling.Data.Datasets;

namespace Kindling.Tests.Data.Loading;

/// <summary>Small deterministic data sets for the loader tests.</summary>
internal static class TestData
{
    /// <summary><paramref name="count"/> images whose pixels are a function of (index, position), label index % classes.</summary>
    public static InMemoryImageDataset Images(int count, int channels = 3, int height = 4, int width = 5, int classes = 10, int seed = 1)
    {
        var shape = new ImageShape(channels, height, width);
        var pixels = new byte[count * shape.Size];
        new Random(seed).NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(i => i % classes).ToArray();
        var names = Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray();
        return new InMemoryImageDataset("test", pixels, labels, names, shape);
    }
}
