using Kindling.Config;
using Kindling.Data.Datasets;
using Kindling.Tests.Cli;

namespace Kindling.Tests.Config;

/// <summary>data.resize: a folder of mixed picture sizes loads from a recipe, and the mixed-size error points to the key.</summary>
public class DataResizeTests
{
    [Fact]
    public void MixedSizesNeedDataResizeAndLoadWithIt()
    {
        using var tmp = new TempDir();
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 3, side: 8);
        TinyPictures.Write(Path.Combine(tmp.Path, "big"), 1, side: 12);
        File.Move(Path.Combine(tmp.Path, "big", "red", "000.png"), Path.Combine(pictures, "red", "big.png"));

        var plain = Recipe.Parse($"data:\n  spec: imagefolder:{pictures}\n");
        var e = Assert.Throws<InvalidDataException>(() => DataSpec.Parse(plain.Data.Spec).Open(plain.Data.WithResize(null)));
        Assert.Contains("data.resize: [", e.Message);

        var resized = Recipe.Parse($"data:\n  spec: imagefolder:{pictures}\n", ["data.resize=[8, 8]"]);
        var data = DataSpec.Parse(resized.Data.Spec).Open(resized.Data.WithResize(null));
        Assert.Equal(new ImageShape(3, 8, 8), data.Train.Shape);
        Assert.Equal(10, data.Train.Count);
        Assert.Equal([8, 8], Recipe.Parse(resized.ToYaml()).Data.Resize);

        var bad = Assert.Throws<RecipeException>(() => Recipe.Parse("", ["data.resize=[8, 8, 3]"]));
        Assert.Contains(bad.Errors, l => l.StartsWith("data.resize:", StringComparison.Ordinal));
    }
}
