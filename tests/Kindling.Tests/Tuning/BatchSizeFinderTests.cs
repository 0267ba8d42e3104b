using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Tests.Training;
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
}
