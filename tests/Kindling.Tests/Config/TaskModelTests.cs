using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Config.Tools;
using Kindling.Data.Loading;
using Kindling.Diagnostics.Doctor;
using Kindling.Reporting;
using Kindling.Tests.Cli;
using Kindling.Training;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Config;

/// <summary>
/// What a registered task takes from the model section: a task with networks of its own (a VAE, a GAN) trains from a recipe
/// with no registry model, an encoder task gets the registry model without its head, and both come back from their
/// checkpoints through <see cref="CheckpointTask"/>.
/// </summary>
[Collection("Console")]
public class TaskModelTests
{
    static TaskModelTests()
    {
        TaskCatalog.Register(new TaskCatalog.Entry("test-own-autoencoder", "a test task with its own network", [],
            [MetricSpec.Min("train_loss"), MetricSpec.Min("val_loss"), MetricSpec.Max("val_psnr")], MetricSpec.Min("val_loss"),
            p => new AutoencoderTask(Autoencoder(p.Shape.Channels * p.Shape.Height * p.Shape.Width, p.Shape)))
        { Model = TaskModel.Own });
        TaskCatalog.Register(new TaskCatalog.Entry("test-encoder", "a test task on a headless registry model", [],
            [MetricSpec.Min("train_loss")], MetricSpec.Min("train_loss"), p => new FeatureTask(p.RequireModel()))
        { Model = TaskModel.Encoder });
    }

    static nn.Module<Tensor, Tensor> Autoencoder(long pixels, Kindling.Data.Datasets.ImageShape shape) => nn.Sequential(
        nn.Flatten(), nn.Linear(pixels, 6), nn.ReLU(), nn.Linear(6, pixels), nn.Unflatten(1, [shape.Channels, shape.Height, shape.Width]));

    // Pulls the features towards zero: enough to train an encoder's weights.
    sealed class FeatureTask(nn.Module<Tensor, Tensor> encoder) : TrainingTask
    {
        public nn.Module<Tensor, Tensor> Encoder { get; } = encoder;
        public override IReadOnlyList<(string Name, nn.Module Module)> Modules => [("encoder", Encoder)];
        public override IReadOnlyList<MetricSpec> Metrics => [MetricSpec.Min("train_loss")];
        public override MetricSpec DefaultMonitor => MetricSpec.Min("train_loss");
        public override Tensor TrainingStep(Batch batch, StepContext step) => Encoder.forward(step.Input(batch.Images)).square().mean();
    }

    static Recipe TinyRecipe(TempDir tmp, string task)
    {
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 8);
        return Recipe.Parse(TinyPictures.Recipe(pictures, epochs: 2, holdout: 6) + $"\n  threads: 1\nlogging:\n  tensorboard: false\n  plots: false\ntask: {task}\n");
    }

    [Fact]
    public void ATaskWithItsOwnNetworksTrainsFromARecipeAndComesBackFromItsCheckpoint()
    {
        using var tmp = new TempDir();
        var folder = RunFolder.Create(Path.Combine(tmp.Path, "run"));
        using var training = RecipeTraining.Open(TinyRecipe(tmp, "test-own-autoencoder"), folder);
        Assert.Null(training.Run.Model);
        Assert.IsType<AutoencoderTask>(training.Run.Task);
        // The data's shape is still resolved into the model section, for the task and for rebuilding it.
        Assert.Equal((3, 8), (training.Run.Recipe.Model.InChannels, training.Run.Recipe.Model.InputSize));
        var e = Assert.Throws<RecipeException>(() => training.Run.Classifier("prune"));
        Assert.Contains("prune works on classifiers", e.Message);

        var result = training.Fit();
        var (summary, test) = training.Finish(result);
        Assert.Null(test);
        Assert.Equal("val_loss", training.Run.TrainerOptions.Monitor);
        Assert.True(File.Exists(Path.Combine(folder.CheckpointsDir, "best.ckpt")));

        var (recipe, task) = CheckpointTask.Load(Path.Combine(folder.CheckpointsDir, "last.ckpt"));
        using (task)
        {
            Assert.Equal("test-own-autoencoder", recipe.Task);
            var trained = training.Run.Task.Network.state_dict();
            foreach (var (name, tensor) in task.Network.state_dict())
                Assert.True(tensor.equal(trained[name]).all().item<bool>(), name);
        }
        var refused = Assert.Throws<InvalidDataException>(() => CheckpointTask.Load(Path.Combine(folder.CheckpointsDir, "last.ckpt"), "vae"));
        Assert.Contains("holds a test-own-autoencoder model; expected a checkpoint of task vae", refused.Message);
    }

    [Fact]
    public void AnEncoderTaskGetsTheRegistryModelWithoutItsHead()
    {
        using var tmp = new TempDir();
        using var run = RecipeBuilder.Build(TinyRecipe(tmp, "test-encoder"));
        Assert.Equal(0, run.Recipe.Model.NumClasses);
        using var batch = run.TrainLoader.First();
        using var features = run.Model!.forward(batch.Images);
        Assert.Equal(Kindling.Models.ModelRegistry.NumFeatures("fastnet", run.Recipe.Model.ToOptions(0, 3, 8)), features.shape[1]);
    }

    [Fact]
    public void TheDoctorRunsItsDataAndValidationChecksOnATaskThatIsNotAClassifier()
    {
        using var tmp = new TempDir();
        using var run = RecipeBuilder.Build(TinyRecipe(tmp, "test-own-autoencoder"));
        var report = new Doctor().Run(RecipeDoctor.Subject(run), new DoctorOptions { SkipSlow = true });
        Assert.Contains("validation-mode", report.ChecksRun);
        Assert.Contains("shuffle", report.ChecksRun);
        Assert.Contains("initial-loss", report.ChecksSkipped);
        Assert.DoesNotContain(report.Findings, f => f.Severity == Severity.Error);
    }
}
