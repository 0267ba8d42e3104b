using System.Diagnostics;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Models;
using Kindling.Runtime;
using Kindling.SelfSupervised;
using Kindling.Training;
using Kindling.Training.Callbacks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Bench;

/// <summary>
/// `kindling bench simclr`: SimCLR training steps (two views of a synthetic batch through the headless encoder as one
/// batch of 2N, the projection head, NT-Xent, SGD with momentum) timed as bench/reference/simclr_step.py times PyTorch's;
/// and `kindling bench moco-memory`: RSS over a long MoCo run through the Trainer (queue, key encoder, shuffle-BN).
/// </summary>
public static class SimClrBenchmark
{
    /// <summary>One timing: steps, median and mean milliseconds a step, images (pairs of views) a second.</summary>
    public sealed record StepTiming(string Model, int Batch, int Steps, double MedianMs, double MeanMs, double ImagesPerSecond, int Threads, bool ChannelsLast);

    /// <summary>Times <paramref name="steps"/> SimCLR steps after <paramref name="warmup"/>.</summary>
    public static StepTiming Step(string model, int batch, int steps, int warmup, int threads, bool channelsLast, int seed = 0, int chunks = 1)
    {
        TorchRuntime.EnsureLoaded();
        if (threads > 0) set_num_threads(threads);
        Seeding.SeedTorch(seed);
        using var encoder = model switch
        {
            "resnet18" => ModelRegistry.Create("resnet18-cifar", new ModelOptions { NumClasses = 0 }),
            "fastnet" => ModelRegistry.Create("fastnet", new ModelOptions { NumClasses = 0, WidthMultiplier = 0.5 }),
            _ => throw new ArgumentException($"--model '{model}' is not a SimCLR benchmark model: expected resnet18 or fastnet."),
        };
        long features = ((IFeatureModel)encoder).NumFeatures;
        using var head = new ProjectionHead(features, features, 128);
        if (channelsLast) ChannelsLast.Apply(encoder);
        var loss = new NtXentLoss(0.5);
        var parameters = encoder.parameters().Concat(head.parameters()).ToList();
        using var sgd = optim.SGD(parameters, 0.1, momentum: 0.9, weight_decay: 5e-4);
        using var generator = new Generator().manual_seed(seed);
        using var v1 = randn([batch, 3, 32, 32], generator: generator);
        using var v2 = randn([batch, 3, 32, 32], generator: generator);
        encoder.train();
        head.train();
        var times = new List<double>();
        for (int i = 0; i < warmup + steps; i++)
        {
            var watch = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                sgd.zero_grad();
                var x = cat([v1, v2]);
                if (channelsLast) x = ChannelsLast.Of(x);
                var z = chunks == 1 ? head.forward(encoder.forward(x)) : cat(x.chunk(chunks, 0).Select(c => head.forward(encoder.forward(c))).ToArray());
                var value = loss.Forward(z.narrow(0, 0, batch), z.narrow(0, batch, batch));
                value.backward();
                sgd.step();
                value.item<float>();
            }
            if (i >= warmup) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        double median = times[times.Count / 2];
        return new StepTiming(model, batch, steps, median, times.Average(), batch / (median / 1000), get_num_threads(), channelsLast);
    }

    /// <summary>RSS (MiB) every 100 steps of a MoCo run of <paramref name="steps"/> steps (tiny FastNet, 16x16 random images, batch <paramref name="batch"/>).</summary>
    public static (IReadOnlyList<(int Step, double RssMiB)> Samples, double GrowthFromStep100) MocoMemory(int steps, int batch, int threads, Action<string>? progress)
    {
        TorchRuntime.EnsureLoaded();
        if (steps < 100) throw new ArgumentOutOfRangeException(nameof(steps), steps, "at least 100 steps: step 100 is the reference.");
        if (threads > 0) set_num_threads(threads);
        var pixels = new byte[steps * batch * 3 * 16 * 16];
        new Random(0).NextBytes(pixels);
        var data = new InMemoryImageDataset("noise", pixels, new int[steps * batch], ["x"], new ImageShape(3, 16, 16));
        var transform = new MultiView(new Compose(new RandomResizedCrop((16, 16), (0.2, 1.0)), new RandomHorizontalFlip(), new ToTensor()), views: 2);
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = batch, Shuffle = true, DropLast = true, NumWorkers = 1 }, transform);
        ModelOptions options = new() { NumClasses = 0, InChannels = 3, InputSize = 16, WidthMultiplier = 0.25 };
        using var task = new MocoTask(ModelRegistry.Create("fastnet", options), ModelRegistry.Create("fastnet", options), ModelRegistry.NumFeatures("fastnet", options),
            new MocoOptions { Queue = 4096, ProjectionDim = 128, ShuffleBnGroups = 4 });
        var probe = new RssProbe(progress);
        new Trainer(new TrainerOptions { Epochs = 1, Optimizer = new Optim.OptimizerOptions { Name = "sgd", Lr = 0.03, Momentum = 0.9 }, Device = "cpu" }, [probe])
            .Fit(task, loader);
        double at100 = probe.Samples.First(s => s.Step == 100).RssMiB;
        return (probe.Samples, (probe.Samples[^1].RssMiB - at100) / at100);
    }

    sealed class RssProbe(Action<string>? progress) : ITrainerCallback
    {
        public List<(int Step, double RssMiB)> Samples { get; } = [];

        public void OnBatchEnd(TrainerState state, BatchInfo batch)
        {
            if (batch.Batch % 100 != 0 && batch.Batch != state.BatchesPerEpoch) return;
            using var self = Process.GetCurrentProcess();
            Samples.Add((batch.Batch, self.WorkingSet64 / 1048576.0));
            progress?.Invoke($"step {batch.Batch}/{state.BatchesPerEpoch}: RSS {Samples[^1].RssMiB:F0} MiB, live tensors {Tensor.TotalCount}");
        }
    }
}
