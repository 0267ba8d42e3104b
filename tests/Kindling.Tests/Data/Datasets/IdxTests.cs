using System.Buffers.Binary;
using System.IO.Compression;
using Kindling.Data.Datasets;

namespace Kindling.Tests.Data.Datasets;

public class IdxTests
{
    static byte[] Header(int magic, params int[] dims)
    {
        var h = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(h, magic);
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4 + 4 * d), dims[d]);
        return h;
    }

    static void Write(string path, byte[] bytes, bool gzip)
    {
        if (!gzip) { File.WriteAllBytes(path, bytes); return; }
        using var gz = new GZipStream(File.Create(path + ".gz"), CompressionLevel.Fastest);
        gz.Write(bytes);
    }

    static byte Pixel(int n, int y, int x) => (byte)(n * 50 + y * 4 + x);

    /// <summary>An MNIST-layout folder: 3 train and 2 test images of 5x4 (rows x columns).</summary>
    static void WriteSet(string dir, bool gzip, int[]? trainLabels = null)
    {
        foreach (var (prefix, count, first) in new[] { ("train", 3, 0), ("t10k", 2, 3) })
        {
            var pixels = new List<byte>(Header(Idx.ImagesMagic, count, 5, 4));
            for (int n = 0; n < count; n++)
                for (int y = 0; y < 5; y++)
                    for (int x = 0; x < 4; x++)
                        pixels.Add(Pixel(first + n, y, x));
            Write(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"), [.. pixels], gzip);
            var labels = prefix == "train" ? trainLabels ?? [9, 0, 5] : [3, 8];
            Write(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"), [.. Header(Idx.LabelsMagic, count), .. labels.Select(l => (byte)l)], gzip);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesAndLabelsGzippedOrNot(bool gzip)
    {
        using var t = new TempDir();
        WriteSet(t.Path, gzip);
        var d = Mnist.Open(MnistVariant.Kmnist, t.Path);
        Assert.Equal(new ImageShape(1, 5, 4), d.Train.Shape);
        Assert.Equal(["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"], d.Classes);
        Assert.Equal([9, 0, 5], d.Train.GetLabels());
        Assert.Equal([3, 8], d.Test!.GetLabels());
        for (int n = 0; n < 2; n++)
        {
            var image = d.Test!.GetImage(n).Pixels;
            for (int y = 0; y < 5; y++)
                for (int x = 0; x < 4; x++)
                    Assert.Equal(Pixel(3 + n, y, x), image[y * 4 + x]);
        }
    }

    [Fact]
    public void FindsTorchvisionRawLayout()
    {
        using var t = new TempDir();
        WriteSet(t.Sub("MNIST", "raw"), gzip: true);
        var d = Mnist.Open(MnistVariant.Mnist, t.Path);
        Assert.Equal(3, d.Train.Count);
        Assert.Equal("9 - nine", d.Classes[d.Train.GetLabel(0)]);
    }

    [Fact]
    public void WrongMagicNamesTheFileAndTheExpectedMagic()
    {
        using var t = new TempDir();
        var path = Path.Combine(t.Path, "x-idx3-ubyte");
        File.WriteAllBytes(path, [.. Header(0x00000D03, 1, 2, 2), 1, 2, 3, 4]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x00000803", e.Message);
        Assert.Contains("0x00000d03", e.Message);
    }

    [Fact]
    public void SwappedFilesAreCalledOut()
    {
        using var t = new TempDir();
        var path = Path.Combine(t.Path, "labels");
        File.WriteAllBytes(path, [.. Header(Idx.LabelsMagic, 2), 1, 2]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains("swapped", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LengthThatDisagreesWithTheDimensionsIsAnError(bool gzip)
    {
        using var t = new TempDir();
        var path = Path.Combine(t.Path, "train-images-idx3-ubyte");
        Write(path, [.. Header(Idx.ImagesMagic, 2, 3, 3), .. new byte[17]], gzip);
        var file = gzip ? path + ".gz" : path;
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(file));
        Assert.Contains(file, e.Message);
        Assert.Contains("2 x 3 x 3", e.Message);
        Assert.Contains("18 bytes", e.Message);
        Assert.Contains("17", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsAnError()
    {
        using var t = new TempDir();
        WriteSet(t.Path, gzip: false, trainLabels: [1, 10, 2]);
        var e = Assert.Throws<InvalidDataException>(() => Mnist.Open(MnistVariant.Mnist, t.Path));
        Assert.Contains("train-labels-idx1-ubyte", e.Message);
        Assert.Contains("label 10", e.Message);
    }

    [Fact]
    public void MissingFolderSaysWhereItLookedAndHowToGetTheData()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => Mnist.Open(MnistVariant.FashionMnist, "/nonexistent/fm"));
        Assert.Contains("/nonexistent/fm", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [FashionMnistFact]
    public void DebianFashionMnistHasTheKnownCountsAndStatistics()
    {
        var d = Mnist.Open(MnistVariant.FashionMnist);
        Assert.Equal(60000, d.Train.Count);
        Assert.Equal(10000, d.Test!.Count);
        Assert.Equal(new ImageShape(1, 28, 28), d.Train.Shape);
        Assert.Equal("Ankle boot", d.Classes[9]);
        Assert.All(d.Train.CountPerClass(), n => Assert.Equal(6000, n));
        var s = ChannelStatistics.Compute(d.Train);
        Assert.Equal(0.2860, s.Mean[0], 1e-3);
        Assert.Equal(0.3530, s.Std[0], 1e-3);
    }
}
