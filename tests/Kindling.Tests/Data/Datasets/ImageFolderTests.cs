using Kindling.Data.Datasets;
using SkiaSharp;

namespace Kindling.Tests.Data.Datasets;

public class ImageFolderTests
{
    internal static (byte R, byte G, byte B) Color(int n, int y, int x) => ((byte)(n * 40 + x * 20), (byte)(200 - y * 30 - n), (byte)(x * y * 9 + n * 3));

    /// <summary>Writes picture n (width x height) with <see cref="Color"/>'s pixels.</summary>
    internal static string WritePicture(string path, int n, int width = 3, int height = 2, SKEncodedImageFormat format = SKEncodedImageFormat.Png, bool gray = false)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = Color(n, y, x);
                bitmap.SetPixel(x, y, gray ? new SKColor(r, r, r) : new SKColor(r, g, b));
            }
        using var data = bitmap.Encode(format, 95);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    /// <summary>
    /// Classes "b" (pictures 0, 1), "a" (2), "C" (3): ordinal order is C, a, b. In "b", torchvision's walk takes
    /// the folder's own files before its subfolder's, though "sub/1.png" sorts before "z.png" as a path.
    /// </summary>
    static string WriteFolder(string root)
    {
        WritePicture(Path.Combine(root, "b", "z.png"), 0);
        WritePicture(Path.Combine(root, "b", "sub", "1.png"), 1);
        WritePicture(Path.Combine(root, "a", "2.PNG"), 2);
        WritePicture(Path.Combine(root, "C", "3.png"), 3);
        File.WriteAllText(Path.Combine(root, "a", "notes.txt"), "not a picture, not a picture extension: ignored");
        return root;
    }

    static void AssertFolder(InMemoryImageDataset d)
    {
        Assert.Equal(["C", "a", "b"], d.Classes);
        Assert.Equal(new ImageShape(3, 2, 3), d.Shape);
        Assert.Equal([0, 1, 2, 2], d.GetLabels());
        int[] pictureOf = [3, 2, 0, 1];
        for (int i = 0; i < 4; i++)
        {
            var pixels = d.GetImage(i).Pixels;
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 3; x++)
                {
                    var (r, g, b) = Color(pictureOf[i], y, x);
                    Assert.Equal([r, g, b], pixels[((y * 3 + x) * 3)..((y * 3 + x) * 3 + 3)]);
                }
        }
    }

    [Fact]
    public void PngFolderKeepsExactPixelsAndSortsClassesByOrdinalName()
    {
        using var t = new TempDir();
        AssertFolder(ImageFolder.Load(WriteFolder(t.Sub("root"))));
    }

    [Fact]
    public void ArchiveOfAFolderReadsTheSame()
    {
        using var t = new TempDir();
        var archive = TestData.TarGz(WriteFolder(t.Sub("root")), Path.Combine(t.Path, "pictures.tar.gz"));
        var d = ImageFolder.Load(archive);
        AssertFolder(d);
        Assert.Contains("pictures.tar.gz", d.Name);
    }

    [Fact]
    public void GrayscaleUsesPilLumaWeights()
    {
        using var t = new TempDir();
        WritePicture(Path.Combine(t.Path, "x", "0.png"), 4);
        var d = ImageFolder.Load(t.Path, new ImageFolderOptions { Color = ImageColorMode.Grayscale });
        Assert.Equal(new ImageShape(1, 2, 3), d.Shape);
        var pixels = d.GetImage(0).Pixels;
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
            {
                var (r, g, b) = Color(4, y, x);
                Assert.Equal(Math.Round((r * 299 + g * 587 + b * 114) / 1000.0), pixels[y * 3 + x], 1.0);
            }
    }

    [Fact]
    public void AutoColorIsOneChannelOnlyWhenEveryPictureIsGray()
    {
        using var t = new TempDir();
        WritePicture(Path.Combine(t.Path, "x", "0.png"), 1, gray: true);
        WritePicture(Path.Combine(t.Path, "y", "1.png"), 2, gray: true);
        var auto = new ImageFolderOptions { Color = ImageColorMode.Auto };
        var d = ImageFolder.Load(t.Path, auto);
        Assert.Equal(1, d.Shape.Channels);
        Assert.Equal(Color(2, 1, 2).R, d.GetImage(1).Pixels[5]);
        Assert.Equal(3, ImageFolder.Load(t.Path).Shape.Channels); // RGB by default
        WritePicture(Path.Combine(t.Path, "y", "2.png"), 3);
        Assert.Equal(3, ImageFolder.Load(t.Path, auto).Shape.Channels);
    }

    static void WriteFlat(string path, int width, int height, SKColor color, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        using var data = bitmap.Encode(format, 95);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void JpegAndWebpDecodeInRgbOrder()
    {
        using var t = new TempDir();
        WriteFlat(Path.Combine(t.Path, "x", "0.jpg"), 16, 16, new SKColor(60, 140, 220), SKEncodedImageFormat.Jpeg);
        WriteFlat(Path.Combine(t.Path, "x", "1.webp"), 16, 16, new SKColor(200, 30, 90), SKEncodedImageFormat.Webp);
        var d = ImageFolder.Load(t.Path);
        Assert.Equal(new ImageShape(3, 16, 16), d.Shape);
        foreach (var (i, rgb) in new[] { (0, new[] { 60, 140, 220 }), (1, new[] { 200, 30, 90 }) })
        {
            var pixels = d.GetImage(i).Pixels;
            for (int p = 0; p < 256; p++)
                for (int c = 0; c < 3; c++)
                    Assert.InRange(pixels[3 * p + c], rgb[c] - 3, rgb[c] + 3);
        }
    }

    [Fact]
    public void MixedSizesNeedAResizeAndTheErrorNamesTheFile()
    {
        using var t = new TempDir();
        WritePicture(Path.Combine(t.Path, "a", "0.png"), 0, 3, 2);
        var odd = WritePicture(Path.Combine(t.Path, "b", "1.png"), 1, 8, 6);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(t.Path));
        Assert.Contains(odd, e.Message);
        Assert.Contains("8x6", e.Message);
        Assert.Contains("resize", e.Message);

        var d = ImageFolder.Load(t.Path, new ImageFolderOptions { ResizeHeight = 4, ResizeWidth = 5 });
        Assert.Equal(new ImageShape(3, 4, 5), d.Shape);
    }

    [Fact]
    public void ResizeKeepsAFlatColor()
    {
        using var t = new TempDir();
        WriteFlat(Path.Combine(t.Path, "x", "flat.png"), 20, 10, new SKColor(10, 120, 230), SKEncodedImageFormat.Png);
        foreach (var (h, w) in new[] { (5, 7), (30, 40) })
        {
            var pixels = ImageFolder.Load(t.Path, new ImageFolderOptions { ResizeHeight = h, ResizeWidth = w }).GetImage(0).Pixels;
            Assert.Equal(h * w * 3, pixels.Length);
            for (int p = 0; p < h * w; p++)
            {
                Assert.InRange(pixels[3 * p], 9, 11);
                Assert.InRange(pixels[3 * p + 1], 119, 121);
                Assert.InRange(pixels[3 * p + 2], 229, 231);
            }
        }
    }

    [Fact]
    public void ShrinkingAveragesInsteadOfPickingPixels()
    {
        // A one-pixel checkerboard shrunk 8x: an antialiased resize gives mid-gray; point sampling would give 0 or 255.
        using var t = new TempDir();
        using (var bitmap = new SKBitmap(64, 64))
        {
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 64; x++)
                    bitmap.SetPixel(x, y, (x + y) % 2 == 0 ? SKColors.Black : SKColors.White);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            Directory.CreateDirectory(Path.Combine(t.Path, "x"));
            File.WriteAllBytes(Path.Combine(t.Path, "x", "checker.png"), data.ToArray());
        }
        var pixels = ImageFolder.Load(t.Path, new ImageFolderOptions { ResizeHeight = 8, ResizeWidth = 8, Color = ImageColorMode.Grayscale }).GetImage(0).Pixels;
        Assert.All(pixels, v => Assert.InRange(v, 96, 160));
    }

    [Fact]
    public void CorruptPicturesAreSkippedWithOneWarningOrFailWhenStrict()
    {
        using var t = new TempDir();
        WriteFolder(t.Path);
        var broken = Path.Combine(t.Path, "b", "broken.png");
        File.WriteAllText(broken, "this is not a PNG");
        var truncated = Path.Combine(t.Path, "a", "truncated.jpg");
        File.WriteAllBytes(truncated, [0xFF, 0xD8, 0xFF]);
        var warnings = new List<string>();
        var d = ImageFolder.Load(t.Path, new ImageFolderOptions { Warning = warnings.Add });
        AssertFolder(d);
        var warning = Assert.Single(warnings);
        Assert.Contains("2 file(s)", warning);
        Assert.Contains(broken, warning);
        Assert.Contains(truncated, warning);

        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(t.Path, new ImageFolderOptions { Strict = true, MaxDegreeOfParallelism = 1 }));
        Assert.Contains(truncated, e.Message); // the first in order: class "a" before "b"
    }

    [Fact]
    public void EmptyClassFolderIsAnError()
    {
        using var t = new TempDir();
        WriteFolder(t.Path);
        var empty = t.Sub("d");
        File.WriteAllText(Path.Combine(empty, "readme.txt"), "no pictures");
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(t.Path));
        Assert.Contains(empty, e.Message);
        Assert.Contains("no pictures", e.Message);

        var archive = TestData.TarGz(t.Path, Path.Combine(Path.GetTempPath(), $"kindling-empty-{Guid.NewGuid():N}.tar.gz"));
        try
        {
            var ea = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(archive));
            Assert.Contains("/d", ea.Message);
        }
        finally { File.Delete(archive); }
    }

    [Fact]
    public void MissingPathIsAnError()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Load("/nonexistent/pictures"));
        Assert.Contains("/nonexistent/pictures", e.Message);
        Assert.Contains("root/<class>", e.Message);
    }

    [SharedDataFact("cifar10-jpg-train.tar.gz")]
    public void SharedCifar10JpegArchiveHoldsTheWholeTrainingSplit()
    {
        var d = ImageFolder.Load(TestData.SharedData("cifar10-jpg-train.tar.gz")!);
        Assert.Equal(50000, d.Count);
        Assert.Equal(["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"], d.Classes);
        Assert.All(d.CountPerClass(), n => Assert.Equal(5000, n));
        Assert.Equal(new ImageShape(3, 32, 32), d.Shape);
        // Lossy JPEG of CIFAR-10: the known means (0.4914, 0.4822, 0.4465) to within the re-encoding's error.
        var s = ChannelStatistics.Compute(d);
        Assert.Equal(0.4914, s.Mean[0], 0.005);
        Assert.Equal(0.4822, s.Mean[1], 0.005);
        Assert.Equal(0.4465, s.Mean[2], 0.005);
    }
}
