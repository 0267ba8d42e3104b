using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Config.Sections;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;

namespace Kindling.Tests.Config;

/// <summary>
/// The recipe keys for PyTorch options that were out of reach: loss.class_weight (balanced or a list), data.sampler
/// (weighted), training.clip_grad_norm_type (inf included) and optimizer.initial_accumulator_value.
/// </summary>
public class RecipeImbalanceAndClippingKeysTests
{
    /// <summary>An imbalanced set: 6 images of class 0, 3 of class 1, 1 of class 2.</summary>
    static InMemoryImageDataset Imbalanced()
    {
        int[] labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2];
        return new InMemoryImageDataset("imbalanced", new byte[labels.Length * 4], labels, ["a", "b", "c"], new ImageShape(1, 2, 2));
    }

    [Fact]
    public void TheKeysBindRoundTripAndReachTheOptions()
    {
        var recipe = Recipe.Parse("""
            data: {sampler: weighted}
            loss: {class_weight: balanced, label_smoothing: 0.1}
            optimizer: {name: adagrad, lr: 0.1, initial_accumulator_value: 0.5}
            training: {clip_grad_norm: 1.0, clip_grad_norm_type: inf}
            """);
        var yaml = recipe.ToYaml();
        Assert.Contains("class_weight: balanced\n", yaml.Replace("\r\n", "\n"));
        Assert.Contains("clip_grad_norm_type: inf\n", yaml.Replace("\r\n", "\n"));
        var again = Recipe.Parse(yaml);
        Assert.Equal(yaml, again.ToYaml());
        Assert.True(again.Loss.ClassWeight!.IsBalanced);
        Assert.Equal("weighted", again.Data.Sampler);
        Assert.Equal(double.PositiveInfinity, again.ToTrainerOptions().ClipGradNormType);
        Assert.Equal(0.5, again.Optimizer.ToOptions().InitialAccumulatorValue);

        var listed = Recipe.Parse("loss: {class_weight: [1, 2.5, 0.5]}\ntraining: {clip_grad_norm_type: 1}");
        Assert.Equal([1, 2.5, 0.5], listed.Loss.ClassWeight!.Values);
        Assert.Equal(listed.Loss, Recipe.Parse(listed.ToYaml()).Loss);
        Assert.Equal(1, listed.ToTrainerOptions().ClipGradNormType);
        Assert.Equal(2, Recipe.Parse("training: {}").ToTrainerOptions().ClipGradNormType);
    }

    [Theory]
    [InlineData("loss: {class_weight: even}", "loss.class_weight")]
    [InlineData("loss: {class_weight: [1, -2]}", "loss.class_weight")]
    [InlineData("data: {sampler: weigted}", "data.sampler")]
    [InlineData("training: {clip_grad_norm_type: 0}", "training.clip_grad_norm_type")]
    [InlineData("optimizer: {initial_accumulator_value: -1}", "optimizer.initial_accumulator_value")]
    public void BadValuesAreRefusedNamingTheKey(string yaml, string key)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Recipe.Parse(yaml).Validate());
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void BalancedWeightsComeFromTheTrainingSplit()
    {
        Assert.Equal([10.0 / 18, 10.0 / 9, 10.0 / 3], TaskCatalog.ClassWeightsOf(ClassWeightValues.Balanced, Imbalanced()));
        Assert.Equal([1.0, 2.0, 3.0], TaskCatalog.ClassWeightsOf(ClassWeightValues.Of(1, 2, 3), null));
        Assert.Null(TaskCatalog.ClassWeightsOf(null, Imbalanced()));
    }

    [Fact]
    public void TheWeightedSamplerDrawsEveryClassAboutEquallyOften()
    {
        var train = Imbalanced();
        Assert.Null(RecipeBuilder.TrainSampler(new DataRecipe(), train, 1, 1));
        var sampler = RecipeBuilder.TrainSampler(new DataRecipe { Sampler = "weighted" }, train, 1, 1);
        Assert.IsType<WeightedRandomSampler>(sampler);
        Assert.Equal(train.Count, sampler!.Count);
        var counts = new int[3];
        for (int epoch = 0; epoch < 300; epoch++)
            foreach (var i in sampler.Indices(epoch)) counts[train.GetLabel(i)]++;
        // 3000 draws, a third per class expected (the data holds 60%, 30%, 10%).
        Assert.All(counts, c => Assert.InRange(c, 900, 1100));
    }
}
