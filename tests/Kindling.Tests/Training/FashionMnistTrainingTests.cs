using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Optim;
using Kindling.Optim.Schedulers;
using Kindling.Runtime;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Tests.Training;

/// <summary>Library users train in a few lines: real Fashion-MNIST, every engine feature on.</summary>
[Collection("GlobalGenerator")]
public class FashionMnistTrainingTests
{
    [Fact]
    public void SmallCnnReaches80PercentInTwoEpochsOnASlice()
    {
        TorchRuntime.EnsureLoaded();
        var splits = DataSpec.Parse("fashion-mnist").Open(new DataOpenOptions());
        var (_, trainSlice) = Splits.StratifiedHoldout(splits.Train, 6000, seed: 1);
        var (_, testSlice) = Splits.StratifiedHoldout(splits.Test!, 1000, seed: 2);
        var normalize = new Compose(new ToTensor(), new Normalize(new[] { 0.2860 }, new[] { 0.3530 }));

        manual_seed(0);
        var model = nn.Sequential(
            ("conv1", nn.Conv2d(1, 16, 3, padding: 1)), ("bn1", nn.BatchNorm2d(16)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(16, 32, 3, padding: 1)), ("bn2", nn.BatchNorm2d(32)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flat", nn.Flatten()), ("drop", nn.Dropout(0.2)), ("fc", nn.Linear(32 * 7 * 7, 10)));
        var trainer = new Trainer(new TrainerOptions
        {
            Epochs = 2,
            Optimizer = new OptimizerOptions { Name = "adamw", Lr = 3e-3, WeightDecay = 0.01 },
            Schedule = new ScheduleOptions { Name = "one_cycle_lr", PctStart = 0.25 },
            LabelSmoothing = 0.1,
            ClipGradNorm = 1.0,
            AccumulationSteps = 2,
            Seed = 0,
            Device = "cpu",
        });
        using var train = new DataLoader(trainSlice, new DataLoaderOptions { BatchSize = 64, Shuffle = true, Seed = 0, NumWorkers = 1 }, normalize);
        using var test = new DataLoader(testSlice, new DataLoaderOptions { BatchSize = 250 }, normalize);
        var result = trainer.Fit(model, train, test);

        var last = result.History[^1];
        Assert.True(last.Get("val_accuracy") >= 0.80, $"test accuracy {last.Get("val_accuracy"):P1} after 2 epochs (train loss {last.Get("train_loss"):F3})");
        Assert.True(last.GradNorm > 0);
        Assert.Equal(2 * ((6000 / 64 + 1 + 1) / 2), trainer.State.GlobalStep); // 94 batches -> 47 optimizer steps per epoch
    }
}
