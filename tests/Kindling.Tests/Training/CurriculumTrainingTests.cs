using Kindling.Data.Loading;
using Kindling.Optim;
using Kindling.Optim.Schedulers;
using Kindling.Tests.Data.Loading;
using Kindling.Training;
using Kindling.Training.Callbacks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Training;

/// <summary>
/// Epochs of different sizes (a curriculum's grow): the engine counts each epoch's own batches, places accumulation windows in
/// it, and sizes the schedules that count steps by the steps the run really takes.
/// </summary>
public class CurriculumTrainingTests
{
    sealed class Recorder : ITrainerCallback
    {
        public List<(int Epoch, int Batches, int Steps)> Epochs { get; } = [];
        public List<double> Rates { get; } = [];
        public void OnEpochStart(TrainerState state) => Epochs.Add((state.Epoch, state.BatchesPerEpoch, state.StepsPerEpoch));
        public int Steps { get; private set; }
        public void OnBatchEnd(TrainerState state, BatchInfo batch)
        {
            Rates.Add(batch.LearningRate);
            if (batch.OptimizerStepped) Steps++;
        }
    }

    [Fact]
    public void EachEpochHasItsOwnBatchesAndOneCycleEndsOnTheRunsLastStep()
    {
        var data = TestData.Images(40, channels: 1, height: 2, width: 2, classes: 2);
        var scores = Enumerable.Range(0, 40).Select(i => (double)i).ToArray();
        // Pools of 8, 16, 24, 32, 40 samples over five epochs (linear from 0.2 to all data at the end).
        var sampler = new CurriculumSampler(40, scores, totalEpochs: 5, new CurriculumPacing { FullDataAt = 0.8 }, minSamples: 4, seed: 3);
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 4, NumWorkers = 0, Seed = 3 }, sampler: sampler);
        var expectedBatches = Enumerable.Range(0, 5).Select(loader.CountAt).ToArray();
        Assert.Equal([2, 4, 6, 8, 10], expectedBatches);

        torch.manual_seed(1);
        var model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2));
        var recorder = new Recorder();
        var options = new TrainerOptions
        {
            Epochs = 5, Device = "cpu", Threads = 1, AccumulationSteps = 3,
            Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.1, Momentum = 0.9 },
            Schedule = new ScheduleOptions { Name = "one_cycle_lr", MaxLr = 0.1 },
        };
        // Before epochs had their own size, OneCycleLR was set up for 5 x 1 steps and threw when stepped past them.
        var result = new Trainer(options, [recorder]).Fit(model, loader);
        Assert.Equal("completed", result.EndReason);
        Assert.Equal(expectedBatches.Select((b, e) => (e + 1, b, (b + 2) / 3)), recorder.Epochs);
        int totalSteps = expectedBatches.Sum(b => (b + 2) / 3);
        // PyTorch's OneCycleLR over totalSteps gives the run's last optimizer step initial_lr / final_div_factor = (0.1 / 25) / 1e4:
        // the rate set after the second-to-last step (the last batch is a window of one, stepped with it).
        Assert.Equal(0.1 / 25 / 1e4, recorder.Rates[^2], 12);
        Assert.Equal(totalSteps, recorder.Steps);
    }
}
