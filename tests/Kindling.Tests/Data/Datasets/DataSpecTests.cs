using Kindling.Data.Datasets;

namespace Kindling.Tests.Data.Datasets;

public class DataSpecTests
{
    [Theory]
    [InlineData("cifar10:/d/c10", "cifar10", "/d/c10")]
    [InlineData("CIFAR100-coarse:/d/x.tar.gz", "cifar100-coarse", "/d/x.tar.gz")]
    [InlineData("fashion-mnist", "fashion-mnist", null)]
    [InlineData("mnist:", "mnist", null)]
    [InlineData("imagefolder:C:/data:odd", "imagefolder", "C:/data:odd")]
    public void ParsesKindAndPath(string text, string kind, string? path)
    {
        var spec = DataSpec.Parse(text);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(path, spec.Path);
    }

    [Fact]
    public void UnknownKindListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => DataSpec.Parse("svhn:/data"));
        Assert.Contains("'svhn'", e.Message);
        foreach (var kind in DataSpec.Kinds) Assert.Contains(kind, e.Message);
    }

    [Fact]
    public void ImageFolderNeedsAPath()
    {
        var e = Assert.Throws<ArgumentException>(() => DataSpec.Parse("imagefolder"));
        Assert.Contains("imagefolder:PATH", e.Message);
    }

    [Fact]
    public void OpensEachKindFromItsPath()
    {
        var c100 = DataSpec.Parse($"cifar100-coarse:{TestData.Oracle("cifar", "p2")}").Open();
        Assert.Equal(20, c100.Classes.Count);
        Assert.Equal(2, c100.Test!.Count);
        var c10 = DataSpec.Parse($"cifar10:{TestData.Oracle("cifar", "p4", "cifar-10-batches-py")}").Open();
        Assert.Equal(5, c10.Train.Count);
        Assert.StartsWith("cifar10:", c10.Name);
    }

    [Fact]
    public void MissingPathsSayWhereAndHow()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => DataSpec.Parse("mnist:/nonexistent/mnist").Open());
        Assert.Contains("/nonexistent/mnist", e.Message);
        Assert.Contains("download", e.Message);
        using var t = new TempDir();
        var cached = Assert.Throws<DirectoryNotFoundException>(() => DataSpec.Parse("kmnist").Open(new DataOpenOptions { CacheDirectory = t.Path }));
        Assert.Contains(Path.Combine(t.Path, "kmnist"), cached.Message);
        Assert.Contains("kmnist:PATH", cached.Message);
    }

    [Fact]
    public void ImageFolderWarningsReachTheLog()
    {
        using var t = new TempDir();
        File.WriteAllText(Path.Combine(t.Sub("a"), "x.png"), "broken");
        using (var bitmap = new SkiaSharp.SKBitmap(2, 2))
        using (var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100))
            File.WriteAllBytes(Path.Combine(t.Path, "a", "y.png"), data.ToArray());
        var log = new List<string>();
        var d = DataSpec.Parse($"imagefolder:{t.Path}").Open(new DataOpenOptions { Log = log.Add });
        Assert.Null(d.Test);
        Assert.Equal(1, d.Train.Count);
        Assert.Contains("x.png", Assert.Single(log));
    }
}
