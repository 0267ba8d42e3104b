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
    public void Cifar100RecipesBuildOnASmallArchiveInTheOfficialLayout(string file)
    {
        // CIFAR-100 cannot be had on these machines (shared/data/README.md), so the recipe is built on a small
        // cifar-100-binary folder: 4 images of each of the 100 classes, 1 per class held out (stratified), which
        // leaves 300 training images, more than either recipe's batch, so a full first batch is drawn.
        using var t = new TempDir();
        var dir = WriteSmallCifar100Binary(t.Path, perClass: 4, test: 20);
        var recipe = Recipe.Load(PathOf(file), [$"data.spec=cifar100:{dir}", "data.validation.holdout=100"]);
        using var run = RecipeBuilder.Build(recipe);
        Assert.Equal(100, run.Classes.Count);
        Assert.Equal("fine00", run.Classes[0]);
        Assert.Equal(100, run.Recipe.Model.NumClasses);
        Assert.Equal((400, 20), (run.Data.Train.Count, run.Data.Test!.Count));
        Assert.Equal((300, 100), (run.TrainSet.Count, run.ValidationSet!.Count));
        // Stratified: the holdout takes one image of every class.
        Assert.Equal(Enumerable.Range(0, 100), run.ValidationSet.GetLabels().Order());
        AssertBuilds(recipe, expectHoldout: true);
    }

    /// <summary>The official cifar-100-binary layout: records of (coarse, fine, 3072 CHW pixels), fine label i % 100.</summary>
    static string WriteSmallCifar100Binary(string root, int perClass, int test)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, "cifar-100-binary")).FullName;
        var random = new Random(0);
        byte[] Records(int count)
        {
            var bytes = new byte[count * 3074];
            random.NextBytes(bytes);
            for (int i = 0; i < count; i++)
                (bytes[i * 3074], bytes[i * 3074 + 1]) = ((byte)(i % 100 / 5), (byte)(i % 100));
            return bytes;
        }
        File.WriteAllBytes(Path.Combine(dir, "train.bin"), Records(100 * perClass));
        File.WriteAllBytes(Path.Combine(dir, "test.bin"), Records(test));
        File.WriteAllLines(Path.Combine(dir, "fine_label_names.txt"), Enumerable.Range(0, 100).Select(i => $"fine{i:D2}"));
        File.WriteAllLines(Path.Combine(dir, "coarse_label_names.txt"), Enumerable.Range(0, 20).Select(i => $"coarse{i:D2}"));
        return dir;
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
        using var logits = run.Model!.call(batch.Images[..2]);
        Assert.Equal(new long[] { 2, run.Classes.Count }, logits.shape);
        Assert.NotNull(run.ValidationLoader);
    }
}
