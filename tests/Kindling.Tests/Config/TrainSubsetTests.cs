using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Data.Datasets;
using Kindling.Tests.Data.Loading;

namespace Kindling.Tests.Config;

/// <summary>data.train_subset: a stratified subset of the training part, the holdout and test split untouched.</summary>
public class TrainSubsetTests
{
    static readonly DataSplits Data = new("test", TestData.Images(200, classes: 4), TestData.Images(40, classes: 4, seed: 2), ["c0", "c1", "c2", "c3"]);

    static string Image(IImageDataset d, int i)
    {
        var bytes = new byte[d.Shape.Size];
        d.CopyImage(i, bytes);
        return Convert.ToBase64String(bytes);
    }

    [Fact]
    public void TheSubsetIsStratifiedAndTakenAfterTheHoldout()
    {
        var (train, validation, test) = RecipeBuilder.Split(Recipe.Parse("data:\n  train_subset: 40\n  validation:\n    holdout: 20\n"), Data);
        Assert.Equal(40, train.Count);
        Assert.Equal(20, validation!.Count);
        Assert.Same(Data.Test, test);
        Assert.All(train.GetLabels().GroupBy(l => l), g => Assert.Equal(10, g.Count()));
        // Nothing held out for validation is trained on.
        var held = Enumerable.Range(0, validation.Count).Select(i => Image(validation, i)).ToHashSet();
        Assert.DoesNotContain(Enumerable.Range(0, train.Count), i => held.Contains(Image(train, i)));

        var (all, onTest, _) = RecipeBuilder.Split(Recipe.Parse("data:\n  train_subset: 1000\n"), Data);
        Assert.Same(Data.Train, all);
        Assert.Same(Data.Test, onTest);
        Assert.Contains("data.train_subset", Assert.Throws<RecipeException>(() => Recipe.Parse("data:\n  train_subset: 0\n")).Message);
    }
}
