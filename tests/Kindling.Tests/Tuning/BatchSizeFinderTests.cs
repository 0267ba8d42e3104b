using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Tests.Training;
using Kindling.Training;
using Kindling.Tuning;
using Kindling.Tuning.BatchSize;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Tuning;

/// <summary>The finder on the CPU with a real model: it reads the process's peak memory, so it runs alone (the collection is not parallel).</summary>
[Collection("GlobalGenerator")]
public class BatchSizeFinderTests
{
    public BatchSizeFinderTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void MeasuresPeakMemoryAndThroughputPerSizeAndLeavesTheModelAsItWas()
    {
        manual_seed(1);
        // 32 channels at 16x16 keep ~32 KiB of activations a sample per layer: enough to see above the noise.
        var model = nn.Sequential(("conv", nn.Conv2d(1, 32, 3, padding: 1)), ("bn", nn.BatchNorm2d(32)), ("relu", nn.ReLU()),
            ("conv2", nn.Conv2d(32, 32, 3, padding: 1)), ("relu2", nn.ReLU()), ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()), ("fc", nn.Linear(32, 3)));
        var before = model.parameters().Select(p => (Tensor)p).Concat(model.buffers()).Select(t => t.detach().to(float64).data<double>().ToArray()).ToList();
        var data = TinyData.Bands(256, size: 16);
        var probes = new List<BatchSizeProbe>();
        var result = new BatchSizeFinder(new BatchSizeFinderOptions { Start = 32, Max = 128, TimedSteps = 1, MemoryBudgetBytes = 8L << 30 })
            .Run(model, data, new Kindling.Data.Transforms.ToTensor(), new OptimizerOptions { Name = "sgd", Lr = 0.1, Momentum = 0.9 }, onProbe: probes.Add);

        Assert.Equal([32, 64, 128], result.Probes.Select(p => p.BatchSize));
        Assert.Equal(result.Probes, probes);
        Assert.All(result.Probes, p => Assert.True(p.Fits && p.PeakBytes >= 0 && p.ImagesPerSecond > 0, p.ToString()));
        Assert.Equal((128, "cpu", "max"), (result.BatchSize, result.Method, result.Limit));
        // Two 32x16x16 float maps alone are 64 KiB a sample; the fitted slope must see at least the input (1 KiB a sample).
        Assert.True(result.Fit!.BytesPerSample > 1024, $"fit {result.Fit}");
        Assert.True(result.Probes[^1].PeakBytes > result.Probes[0].PeakBytes, string.Join("; ", result.Probes));
        Assert.Equal(before, model.parameters().Select(p => (Tensor)p).Concat(model.buffers()).Select(t => t.detach().to(float64).data<double>().ToArray()).ToList());
    }

    [Fact]
    public void EachProbeStepIsOneOptimizerStepOfTheTasksOwnStepAtTheRecipesPrecision()
    {
        // Accumulation 2 in bf16: a warm-up and a timed step per size, each a window of two batches of that size through
        // the task's step in bf16, one session per size; the model comes back in fp32 with its values.
        manual_seed(2);
        var model = nn.Sequential(("conv", nn.Conv2d(1, 4, 3, padding: 1)), ("relu", nn.ReLU()), ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()), ("fc", nn.Linear(4, 3)));
        var before = model.parameters().Select(p => p.detach().to(float64).data<double>().ToArray()).ToList();
        var task = new CountingTask(model, 3);
        var trainer = new TrainerOptions
        {
            Device = "cpu", Precision = Precision.Bf16Mixed, AccumulationSteps = 2, EmaDecay = 0.9,
            Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.1, Momentum = 0.9 },
        };
        var result = new BatchSizeFinder(new BatchSizeFinderOptions { Start = 4, Max = 8, WarmupSteps = 1, TimedSteps = 1, MemoryBudgetBytes = 8L << 30 })
            .Run(task, TinyData.Bands(64), new Kindling.Data.Transforms.ToTensor(), trainer);

        Assert.Equal([4, 8], result.Probes.Select(p => p.BatchSize));
        Assert.Equal([4, 4, 4, 4, 8, 8, 8, 8], task.BatchSizes);
        Assert.All(task.WindowLengths, w => Assert.Equal(2, w));
        Assert.All(task.ComputeTypes, t => Assert.Equal(ScalarType.BFloat16, t));
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.Equal(before, model.parameters().Select(p => p.detach().to(float64).data<double>().ToArray()).ToList());
    }
}
