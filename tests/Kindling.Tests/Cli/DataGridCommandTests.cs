using Kindling.Reporting;
using Kindling.Tests.Data.Datasets;
using SkiaSharp;

namespace Kindling.Tests.Cli;

/// <summary>`kindling data --grid/--plot`: the sample grid (raw, and after a recipe's augmentation) and the label distribution.</summary>
[Collection("Console")]
public class DataGridCommandTests
{
    static readonly string Cifar = $"cifar10:{TestData.Oracle("cifar", "p2")}";

    static (int Width, int Height) Size(string path)
    {
        Assert.True(File.Exists(path), path);
        using var bitmap = SKBitmap.Decode(path);
        return (bitmap.Width, bitmap.Height);
    }

    [Fact]
    public void GridWithARecipeHasTwoPanelsAndTheLabelPlotBesideIt()
    {
        using var dir = new TempDir();
        var grid = Path.Combine(dir.Path, "out", "grid.png");
        var recipe = Path.Combine(TestData.RepoRoot()!, "configs", "cifar10-fast.yaml");
        var (code, output, error) = CliRunner.Kindling("data", "--spec", Cifar, "--grid", grid, "--config", recipe, "--count", "8");
        Assert.True(code == 0, error);
        // The fixture's 5 training images (fewer than 8), 32x32 drawn at scale 2, captioned; two panels side by side under a header.
        int panel = 5 * (64 + 2) + 2;
        Assert.Equal((2 * panel + SampleGrid.PanelGap, SampleGrid.HeaderHeight + 64 + SampleGrid.CaptionHeight + 4), Size(grid));
        var labels = Path.Combine(dir.Path, "out", "grid-labels.png");
        Assert.True(Size(labels).Width >= 900);
        Assert.Contains(labels, output);
    }

    [Fact]
    public void RawOnlyGridAndAnExplicitPlot()
    {
        using var dir = new TempDir();
        var grid = Path.Combine(dir.Path, "raw.png");
        var plot = Path.Combine(dir.Path, "labels.png");
        var (code, _, error) = CliRunner.Kindling("data", "--spec", Cifar, "--grid", grid, "--plot", plot, "--seed", "3", "--json");
        Assert.True(code == 0, error);
        Assert.Equal((5 * (64 + 2) + 2, 64 + SampleGrid.CaptionHeight + 4), Size(grid));
        Assert.True(File.Exists(plot));
        Assert.False(File.Exists(Path.Combine(dir.Path, "raw-labels.png")));
    }

    [Fact]
    public void UnlabelledPicturesGetNoCaptionsAndNoLabelPlot()
    {
        using var dir = new TempDir();
        var pictures = Path.Combine(dir.Path, "pictures");
        TinyPictures.Write(pictures, perClass: 2);
        var grid = Path.Combine(dir.Path, "grid.png");
        var (code, _, error) = CliRunner.Kindling("data", "--spec", $"images:{pictures}", "--grid", grid);
        Assert.True(code == 0, error);
        // Six 8x8 pictures at scale 8, no caption strip.
        Assert.Equal((6 * (64 + 2) + 2, 64 + 4), Size(grid));
        var (refused, _, message) = CliRunner.Kindling("data", "--spec", $"images:{pictures}", "--plot", Path.Combine(dir.Path, "p.png"));
        Assert.Equal(2, refused);
        Assert.Contains("has no labels", message);
    }

    [Fact]
    public void BadOptionsAreClearUsageErrors()
    {
        using var dir = new TempDir();
        var (code, _, error) = CliRunner.Kindling("data", "--spec", Cifar, "--grid", Path.Combine(dir.Path, "g.png"), "--count", "0");
        Assert.Equal(2, code);
        Assert.Contains("--count 0", error);
        // A regular file where the folder should be: no folder can be made there.
        var file = Path.Combine(dir.Path, "a-file");
        File.WriteAllText(file, "x");
        (code, _, error) = CliRunner.Kindling("data", "--spec", Cifar, "--grid", Path.Combine(file, "g.png"));
        Assert.Equal(2, code);
        Assert.Contains("cannot write --grid", error);
        (code, _, error) = CliRunner.Kindling("data", "--spec", Cifar, "--grid", Path.Combine(dir.Path, "g.jpg"));
        Assert.Equal(2, code);
        Assert.Contains("ending in .png", error);
        (code, _, error) = CliRunner.Kindling("data", "--spec", Cifar, "--config", "configs/cifar10-fast.yaml");
        Assert.Equal(2, code);
        Assert.Contains("add --grid", error);
        Assert.Empty(Directory.EnumerateFiles(dir.Path, "*.png"));
    }
}
