using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Optim;
using Kindling.Optim.Schedulers;
using Kindling.Reporting;
using Kindling.Runtime;
using Kindling.Tests.Cli;
using Kindling.Training;
using Kindling.Training.Callbacks;
using static TorchSharp.torch;

namespace Kindling.Tests.Training;

/// <summary>The engine's epoch loop creates every tensor inside a dispose scope (see <see cref="OutsideScopeCounter"/>).</summary>
[Collection("GlobalGenerator")]
public class DisposeScopeCoverageTests
{
    public DisposeScopeCoverageTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void TrainingWithEmaValidationAndCheckpointsCreatesNoTensorOutsideAScope()
    {
        using var dir = new TempDir();
        manual_seed(1);
        var model = nn.Sequential(("conv", nn.Conv2d(1, 8, 3, padding: 1)), ("bn", nn.BatchNorm2d(8)), ("relu", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(new long[] { 2, 2 })), ("flat", nn.Flatten()), ("fc", nn.Linear(32, 3)));
        var options = new TrainerOptions
        {
            Epochs = 3,
            Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 5e-4 },
            Schedule = new ScheduleOptions { Name = "one_cycle_lr" },
            LabelSmoothing = 0.1, ClipGradNorm = 1.0, AccumulationSteps = 2, EmaDecay = 0.9, Seed = 3, Device = "cpu",
            NonFinite = NonFiniteAction.Skip, // saves BatchNorm's buffers at each window's start, to restore them on a skipped step
            CheckpointDir = dir.Path,
        };
        var counter = new OutsideScopeCounter();
        var result = new Trainer(options, new ITrainerCallback[] { counter })
            .Fit(model, TinyData.Loader(TinyData.Bands(96), 16, shuffle: true), TinyData.Loader(TinyData.Bands(30, seed: 9), 16));
        Assert.Equal(3, result.History.Count);
        Assert.NotNull(result.LastCheckpoint);
        Assert.Equal(0, counter.Created);
    }

    [Fact]
    public void AClassifierRecipeWithALoaderThreadTensorBoardAndPlotsCreatesNoTensorOutsideAScope()
    {
        using var tmp = new TempDir();
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 8);
        var yaml = TinyPictures.Recipe(pictures, epochs: 2, holdout: 6).Replace("num_workers: 0", "num_workers: 1")
            .Replace("  train: []", "  train:\n    - random_horizontal_flip: {p: 0.5}") + "\n  threads: 1\n";
        var folder = RunFolder.Create(Path.Combine(tmp.Path, "run"));
        var counter = new OutsideScopeCounter();
        using (var training = RecipeTraining.Open(Recipe.Parse(yaml), folder)) training.Finish(training.Fit([counter]));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder.Root, "tensorboard")));
        Assert.Equal(0, counter.Created);
    }
}
