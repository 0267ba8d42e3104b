using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Data.Datasets;
using Kindling.Tests.Data.Datasets;

namespace Kindling.Tests.Config;

/// <summary>Every recipe in configs/ loads and validates, and builds its objects where its data is on the machine.</summary>
[Collection("GlobalGenerator")]
public class ShippedRecipeTests
{
    public static TheoryData<string> Files() => new(Directory.GetFiles(ConfigsFolder, "*.yaml").Select(Path.GetFileName).Order().ToArray()!);

    static string ConfigsFolder => Path.Combine(TestData.RepoRoot()!, "configs");

    public static string PathOf(string file) => Path.Combine(ConfigsFolder, file);

    [Fact]
    public void TheFourRecipesAreShipped() =>
        Assert.Subset(Directory.GetFiles(ConfigsFolder, "*.yaml").Select(f => Path.GetFileName(f)).ToHashSet(), new HashSet<string> { "cifar100-seed.yaml", "cifar100-resnet18.yaml", "cifar10-fast.yaml", "fashion-mnist-fast.yaml" });

    [Theory]
    [MemberData(nameof(Files))]
    public void LoadsAndValidates(string file)
    {
        var recipe = Recipe.Load(PathOf(file));
        recipe.Validate();
        Assert.NotNull(recipe.ToTrainerOptions().ConfigText);
    }

    [Fact]
    public void SeedRecipeIsTheSeedsPipeline()
    {
        var r = Recipe.Load(PathOf("cifar100-seed.yaml"));
        Assert.Equal(("seed-cnn", "adamw", 1e-3, "cosine_annealing_warm_restarts", 0.1, 1.0, 256, 50),
            (r.Model.Name, r.Optimizer.Name, r.Optimizer.Lr, r.Schedule.Name, r.Loss.LabelSmoothing, r.Training.ClipGradNorm!.Value, r.Data.BatchSize, r.Training.Epochs));
        Assert.Equal((4, 4, true, true), (r.Data.NumWorkers, r.Data.PrefetchFactor!.Value, r.Data.PersistentWorkers, r.Data.PinMemory));
    }

    [FashionMnistFact]
    public void FashionMnistRecipeBuilds() => AssertBuilds(Recipe.Load(PathOf("fashion-mnist-fast.yaml")), expectHoldout: true);

    [SharedDataFact("cifar10-jpg-train.tar.gz")]
    public void Cifar10RecipeBuildsWithItsHoldout()
    {
        // The recipe names the data relative to a checkout in /work/main; point it at where the tests found it.
        var spec = "imagefolder:" + TestData.SharedData("cifar10-jpg-train.tar.gz");
        // Given mean/std skip decoding 45,000 JPEGs for statistics; the auto path is tested on Fashion-MNIST.
        var recipe = Recipe.Load(PathOf("cifar10-fast.yaml"), [$"data.spec={spec}", "data.mean=[0.49, 0.48, 0.45]", "data.std=[0.25, 0.24, 0.26]"]);
        AssertBuilds(recipe, expectHoldout: true);
    }

    [Theory]
    [InlineData("cifar100-seed.yaml")]
    [InlineData("cifar100-resnet18.yaml")]
    public void Cifar100RecipesBuildWhenTheDataIsThere(string file)
    {
        var recipe = Recipe.Load(PathOf(file));
        var path = DataSpec.Parse(recipe.Data.Spec).Path!;
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            // CIFAR-100 cannot be had on these machines (shared/data/README.md): loading and validation are tested above.
            Console.WriteLine($"skipped building {file}: {path} is not on this machine.");
            return;
        }
        AssertBuilds(recipe, expectHoldout: true);
    }

    static void AssertBuilds(Recipe recipe, bool expectHoldout)
    {
        using var run = RecipeBuilder.Build(recipe);
        Assert.Equal(run.Classes.Count, run.Recipe.Model.NumClasses);
        Assert.False(run.Recipe.Data.Mean.IsAuto);
        Assert.Equal(expectHoldout, !run.ValidatesOnTest);
        if (expectHoldout) Assert.Equal(run.Data.Train.Count, run.TrainSet.Count + run.ValidationSet!.Count);
        using var batch = run.TrainLoader.First();
        Assert.Equal(recipe.Data.BatchSize, (int)batch.Images.shape[0]);
        using var logits = run.Model.call(batch.Images[..2]);
        Assert.Equal(new long[] { 2, run.Classes.Count }, logits.shape);
        Assert.NotNull(run.ValidationLoader);
    }
}
