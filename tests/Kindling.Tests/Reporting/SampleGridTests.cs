using Kindling.Data.Datasets;
using Kindling.Data.Transforms;
using Kindling.Reporting;
using SkiaSharp;

namespace Kindling.Tests.Reporting;

public class SampleGridTests
{
    // Image g's pixel (y, x): distinct per image and position, so a misplaced copy shows.
    static byte Pixel(int g, int y, int x) => (byte)((g * 29 + y * 7 + x * 3) % 256);

    static InMemoryImageDataset Gray(int count, int classes, bool labelled = true)
    {
        var shape = new ImageShape(1, 28, 28);
        var pixels = new byte[count * shape.Size];
        for (int g = 0; g < count; g++)
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    pixels[g * shape.Size + y * 28 + x] = Pixel(g, y, x);
        return labelled
            ? new InMemoryImageDataset("gray", pixels, [.. Enumerable.Range(0, count).Select(i => i % classes)], [.. Enumerable.Range(0, classes).Select(c => $"class{c}")], shape)
            : new InMemoryImageDataset("gray", pixels, shape);
    }

    static SKBitmap Load(string path)
    {
        Assert.True(File.Exists(path), path);
        return SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path} is not a PNG");
    }

    [Fact]
    public void UnlabelledEightImagesAreMakeGridsLayout()
    {
        using var dir = new TempDir();
        var data = Gray(8, 1, labelled: false);
        var path = SampleGrid.Save(data, Path.Combine(dir.Path, "grid.png"), new SampleGridOptions { Count = 8, Scale = 1 });
        using var bitmap = Load(path);
        // make_grid(8 images of 28x28, nrow=8, padding=2): 8 * (28 + 2) + 2 wide, 28 + 2 + 2 high.
        Assert.Equal((242, 32), (bitmap.Width, bitmap.Height));
        Assert.Equal(SKColors.Black, bitmap.GetPixel(0, 0));
        // Without labels the pick is in index order: image g's top-left corner is at (2 + 30 g, 2).
        for (int g = 0; g < 8; g++)
        {
            Assert.Equal(Pixel(g, 0, 0), bitmap.GetPixel(2 + 30 * g, 2).Red);
            Assert.Equal(Pixel(g, 27, 13), bitmap.GetPixel(2 + 30 * g + 13, 2 + 27).Green);
        }
    }

    [Fact]
    public void LabelledCellsHaveACaptionStripAndTheAutoScale()
    {
        using var dir = new TempDir();
        var data = Gray(16, 4);
        using (var bitmap = Load(SampleGrid.Save(data, Path.Combine(dir.Path, "one.png"), new SampleGridOptions { Count = 8, Scale = 1 })))
            Assert.Equal((242, 2 + 28 + SampleGrid.CaptionHeight + 2), (bitmap.Width, bitmap.Height));
        // Auto scale: the smallest integer making a 28-pixel side at least 64 is 3; 12 images in rows of 8 are two rows.
        using (var bitmap = Load(SampleGrid.Save(data, Path.Combine(dir.Path, "auto.png"), new SampleGridOptions { Count = 12 })))
            Assert.Equal((8 * (84 + 2) + 2, 2 * (84 + SampleGrid.CaptionHeight + 2) + 2), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void TheAugmentedPanelUndoesTheNormalization()
    {
        using var dir = new TempDir();
        var data = Gray(16, 4);
        double[] mean = [0.3], std = [0.2];
        var augment = new Compose(new ToTensor(), new Normalize(mean, std));
        var (foundMean, foundStd) = SampleGrid.Normalization(augment);
        Assert.Equal(mean, foundMean);
        Assert.Equal(std, foundStd);
        var path = SampleGrid.Save(data, Path.Combine(dir.Path, "two.png"), new SampleGridOptions { Count = 8, Scale = 1, Augment = augment, Mean = mean, Std = std });
        using var bitmap = Load(path);
        int panel = 242, cellH = 28 + SampleGrid.CaptionHeight;
        Assert.Equal((2 * panel + SampleGrid.PanelGap, SampleGrid.HeaderHeight + cellH + 4), (bitmap.Width, bitmap.Height));
        // Normalize then un-normalize is the identity (up to rounding): the right panel repeats the left.
        for (int x = 2; x < panel - 2; x += 5)
            for (int y = 2; y < 30; y += 3)
            {
                var left = bitmap.GetPixel(x, SampleGrid.HeaderHeight + y).Red;
                var right = bitmap.GetPixel(panel + SampleGrid.PanelGap + x, SampleGrid.HeaderHeight + y).Red;
                Assert.True(Math.Abs(left - right) <= 1, $"({x}, {y}): raw {left}, augmented {right}");
            }
    }

    [Fact]
    public void TheSameSeedDrawsTheSameAugmentedGrid()
    {
        using var dir = new TempDir();
        var data = Gray(16, 4);
        var augment = new Compose(new RandomCrop(28, padding: [4]), new RandomHorizontalFlip(0.5));
        byte[] Draw(int seed, string name) =>
            File.ReadAllBytes(SampleGrid.Save(data, Path.Combine(dir.Path, name), new SampleGridOptions { Count = 8, Seed = seed, Augment = augment }));
        Assert.Equal(Draw(1, "a.png"), Draw(1, "b.png"));
        Assert.NotEqual(Draw(1, "a.png"), Draw(2, "c.png"));
    }

    [Fact]
    public void ThePickIsStratifiedAndSeeded()
    {
        var four = Gray(16, 4);
        var pick = SampleGrid.Pick(four, 8, seed: 5);
        Assert.Equal(pick, SampleGrid.Pick(four, 8, seed: 5));
        Assert.All(Enumerable.Range(0, 4), c => Assert.Equal(2, pick.Count(i => four.GetLabel(i) == c)));
        Assert.Equal(pick.OrderBy(four.GetLabel).ThenBy(i => i), pick);
        Assert.NotEqual(pick, SampleGrid.Pick(four, 8, seed: 6));
        // Many classes, few samples: 32 different classes, not the first 32 only in general.
        var hundred = Gray(300, 100);
        var wide = SampleGrid.Pick(hundred, 32, seed: 0);
        Assert.Equal(32, wide.Select(hundred.GetLabel).Distinct().Count());
        Assert.Equal(16, SampleGrid.Pick(four, 100, seed: 0).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleGrid.Pick(four, 0, seed: 0));
    }

    [Fact]
    public void TheLabelPlotIsWrittenWithTheImbalanceRatio()
    {
        using var dir = new TempDir();
        Assert.Equal(4.0, LabelDistributionPlot.ImbalanceRatio([10, 5, 20]));
        Assert.Equal(double.PositiveInfinity, LabelDistributionPlot.ImbalanceRatio([3, 0]));
        var path = LabelDistributionPlot.Save(Gray(16, 4), Gray(8, 4), Path.Combine(dir.Path, "labels.png"));
        using var bitmap = Load(path);
        Assert.True(bitmap.Width >= 900 && bitmap.Height >= 500, $"{bitmap.Width}x{bitmap.Height}");
    }
}
