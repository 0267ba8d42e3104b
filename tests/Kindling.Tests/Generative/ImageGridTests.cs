using Kindling.Reporting;
using Kindling.Runtime;
using SkiaSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Generative;

/// <summary>The sample grids' layout against torchvision's make_grid and save_image's byte conversion (Oracle/make_generative_fixtures.py).</summary>
public class ImageGridTests
{
    [Theory]
    [InlineData("gray5_nrow2_pad1")]
    [InlineData("rgb7_nrow3_pad2")]
    [InlineData("gray3_nrow8_pad2")]
    [InlineData("single")]
    public void MakeGridAndItsBytesAreTorchvisions(string name)
    {
        TorchRuntime.EnsureLoaded();
        var f = OracleFixtures.Json("generative/generative.json").RootElement.GetProperty("grid").GetProperty(name);
        var images = JsonTensors.Of(f.GetProperty("images")).to(float32);
        int nrow = f.GetProperty("nrow").GetInt32(), padding = f.GetProperty("padding").GetInt32();
        var grid = ImageGrid.Make(images, nrow, padding);
        Assert.Equal(f.GetProperty("grid_shape").EnumerateArray().Select(e => e.GetInt64()), grid.shape);
        Assert.True(allclose(grid, JsonTensors.Of(f.GetProperty("grid")).to(float32), 0, 1e-7));
        var bytes = ImageGrid.ToBytes(grid, out _, out _, out _);
        Assert.Equal(f.GetProperty("bytes_hwc").EnumerateArray().Select(e => (byte)e.GetInt32()), bytes);
    }

    [Fact]
    public void SaveWritesThePngOfTheGridScaledByNearestNeighbour()
    {
        TorchRuntime.EnsureLoaded();
        using var dir = new TempDir();
        var images = rand(5, 1, 3, 4);
        var path = ImageGrid.Save(images, Path.Combine(dir.Path, "grid.png"), nrow: 2, padding: 1, scale: 3);
        using var bitmap = SKBitmap.Decode(path);
        var grid = ImageGrid.Make(images, 2, 1);
        var bytes = ImageGrid.ToBytes(grid, out int h, out int w, out _);
        Assert.Equal((w * 3, h * 3), (bitmap.Width, bitmap.Height));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                Assert.Equal(bytes[(y * w + x) * 3], bitmap.GetPixel(x * 3 + 2, y * 3 + 1).Red);
        Assert.Throws<ArgumentException>(() => ImageGrid.Make(rand(3, 4, 4), 2, 1));
    }
}
