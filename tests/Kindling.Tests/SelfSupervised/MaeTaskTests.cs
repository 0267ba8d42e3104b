using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Data.Transforms;
using Kindling.Optim;
using Kindling.Reporting;
using Kindling.Runtime;
using Kindling.SelfSupervised;
using Kindling.SelfSupervised.Mae;
using Kindling.Tests.Cli;
using Kindling.Tests.Training.Tasks;
using Kindling.Training;
using Kindling.Tests.Training;
using static TorchSharp.torch;

namespace Kindling.Tests.SelfSupervised;

/// <summary>MAE as a task: trains from a recipe with its picture in the report, comes back from its checkpoint with its encoder, resumes exactly.</summary>
[Collection("GlobalGenerator")]
public class MaeTaskTests
{
    static string Yaml(TempDir tmp, string mae, int epochs = 2)
    {
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 8);
        return TinyPictures.Recipe(pictures, epochs, holdout: 6)
            + $"\n  threads: 1\nlogging:\n  tensorboard: false\ntask: mae\nmae:\n{mae}";
    }

    const string Small = "  patch_size: 2\n  embed_dim: 16\n  depth: 1\n  heads: 2\n  decoder_dim: 8\n  decoder_depth: 1\n  decoder_heads: 2\n";

    [Fact]
    public void TrainsFromARecipeDrawsItsReconstructionAndComesBackWithItsEncoder()
    {
        using var tmp = new TempDir();
        var folder = RunFolder.Create(Path.Combine(tmp.Path, "run"));
        using var training = RecipeTraining.Open(Recipe.Parse(Yaml(tmp, Small)), folder);
        Assert.IsType<MaeTask>(training.Run.Task);
        var result = training.Fit();
        training.Finish(result);
        Assert.Equal("val_loss", training.Run.TrainerOptions.Monitor);
        Assert.True(File.Exists(Path.Combine(folder.PlotsDir, ReconstructionPreviewCallback.FileName)));
        Assert.Contains("![reconstruction](plots/reconstruction.png)", File.ReadAllText(folder.ReportPath));

        var (recipe, task) = CheckpointTask.Load(Path.Combine(folder.CheckpointsDir, "last.ckpt"), "mae");
        using (task)
        {
            Assert.Equal(2, recipe.Mae.PatchSize);
            var encoder = Assert.IsAssignableFrom<IPretrainedEncoder>(task);
            var trained = training.Run.Task.Network.state_dict();
            foreach (var (name, tensor) in task.Network.state_dict())
                Assert.True(tensor.equal(trained[name]).all().item<bool>(), name);
            encoder.Encoder.eval();
            using var features = encoder.Encoder.call(randn(4, 3, 8, 8));
            Assert.Equal([4, encoder.FeatureCount], features.shape);
        }
    }

    [Fact]
    public void TheProbesRandomEncoderIsTheMaeEncoderAtTheRunsInitialWeights()
    {
        using var tmp = new TempDir();
        var yaml = Yaml(tmp, Small, epochs: 1);
        // The weights the run starts from: a run opened and not trained.
        var untrainedFolder = RunFolder.Create(Path.Combine(tmp.Path, "untrained"));
        using var untrained = RecipeTraining.Open(Recipe.Parse(yaml), untrainedFolder);
        var start = ((IPretrainedEncoder)untrained.Run.Task).Encoder.state_dict();
        var folder = RunFolder.Create(Path.Combine(tmp.Path, "run"));
        using (var training = RecipeTraining.Open(Recipe.Parse(yaml), folder))
            training.Finish(training.Fit());
        var checkpoint = Path.Combine(folder.CheckpointsDir, "last.ckpt");

        var (recipe, task) = CheckpointTask.Load(checkpoint, "mae");
        using (task)
        using (var initial = CheckpointTask.Initial(recipe))
        {
            // The same architecture (the ViT encoder's names and shapes, not the registry model that the recipe's model section
            // names by default), at the run's initial weights, which training moved.
            var random = ((IPretrainedEncoder)initial).Encoder.state_dict();
            var trained = ((IPretrainedEncoder)task).Encoder.state_dict();
            Assert.Equal(start.Keys.Order(), random.Keys.Order());
            foreach (var (name, tensor) in random)
                Assert.True(tensor.equal(start[name]).all().item<bool>(), name);
            Assert.Contains(random, p => !p.Value.equal(trained[p.Key]).all().item<bool>());
        }
        var report = EncoderProbe.Run(new EncoderProbe.Options(checkpoint) { K = 3, Linear = new LinearProbeOptions { Epochs = 2, Threads = 1 } });
        Assert.Equal(("mae", nameof(MaeEncoder), 16L), (report.Task, report.Model, report.Features));
        Assert.NotNull(report.Random.Knn);
        Assert.NotNull(report.Random.Linear);
    }

    [Fact]
    public void APatchSizeThatDoesNotDivideTheImagesIsARecipeError()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(Recipe.Parse(Yaml(tmp, Small.Replace("patch_size: 2", "patch_size: 3")))));
        Assert.Contains(e.Errors, l => l.StartsWith("mae.patch_size: 3 does not divide the 8x8 images", StringComparison.Ordinal));
        var bad = Assert.Throws<RecipeException>(() => Recipe.Parse("task: mae\nmae:\n  mask_ratio: 1\n  embed_dim: 30\n  heads: 4\n"));
        Assert.Contains(bad.Errors, l => l.StartsWith("mae.mask_ratio", StringComparison.Ordinal));
        Assert.Contains(bad.Errors, l => l.StartsWith("mae.embed_dim", StringComparison.Ordinal));
        var other = Assert.Throws<RecipeException>(() => Recipe.Parse("mae:\n  patch_size: 2\n"));
        Assert.Contains("mae: belongs to the mae task, but this recipe's task is classification: remove the section, or set task: mae.", other.Errors);
    }

    [Fact]
    public void ResumesExactlyWithItsMasks()
    {
        using var dir = new TempDir();
        var options = new MaeOptions { ImageSize = 8, Channels = 1, PatchSize = 2, EmbedDim = 16, Depth = 1, Heads = 2, DecoderDim = 8, DecoderDepth = 1, DecoderHeads = 2 };
        var trainer = new TrainerOptions { Epochs = 2, Optimizer = new OptimizerOptions { Name = "adamw", Lr = 1e-3 }, Device = "cpu", Seed = 3, Threads = 1 };
        var (full, resumed, a, b) = TaskRuns.FullAndResumed(seed =>
            {
                TorchRuntime.EnsureLoaded();
                manual_seed(seed);
                return new MaeTask(new MaskedAutoencoder(options));
            }, trainer,
            () => TinyData.Loader(TinyData.Bands(48, seed: 1), 8, true, new ToTensor()),
            () => TinyData.Loader(TinyData.Bands(16, seed: 2), 8, false, new ToTensor()), dir.Path, epoch: 2, batch: 2);
        TaskRuns.AssertSameMetrics(full, resumed);
        TaskRuns.AssertSameWeights(a, b);
    }
}
