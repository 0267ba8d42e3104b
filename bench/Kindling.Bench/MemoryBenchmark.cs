using System.Diagnostics;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Models;
using Kindling.Optim;
using Kindling.Training;
using Kindling.Training.Callbacks;

namespace Kindling.Bench;

/// <summary>
/// `kindling bench memory`: resident memory of a real training run (the Trainer, the loader with
/// augmentation, the seed CNN, AdamW) sampled during one long epoch of small batches. Memory is flat
/// when RSS at the last step is within 10% of RSS at step 100 (after warm-up allocations settle).
/// </summary>
public static class MemoryBenchmark
{
    /// <summary>RSS (MiB) and managed-heap figures at one step.</summary>
    public sealed record Sample(int Step, double RssMiB, double ManagedMiB, int Gen0, int Gen1, int Gen2, long LiveTensors, long CreatedOutsideScope);

    public sealed record Report(IReadOnlyList<Sample> Samples, double GrowthFromStep100)
    {
        public bool Flat => Math.Abs(GrowthFromStep100) <= 0.10;
    }

    public static Report Run(int steps = 1000, int batch = 8, Action<string>? progress = null)
    {
        if (steps < 100) throw new ArgumentOutOfRangeException(nameof(steps), steps, "at least 100 steps: step 100 is the reference.");
        var data = LoaderRate.RandomImages(steps * batch, 3, 32, classes: 100);
        var transform = DataBenchmark.Standard(32, 4, new[] { 0.5, 0.5, 0.5 }, new[] { 0.25, 0.25, 0.25 });
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = batch, Shuffle = true, Seed = 0, NumWorkers = 1 }, transform);
        using var model = new SeedCnn(numClasses: 100);
        var probe = new Probe(steps, progress);
        new Trainer(new TrainerOptions { Epochs = 1, Optimizer = new OptimizerOptions { Name = "adamw", Lr = 1e-3 }, Device = "cpu" }, new[] { probe })
            .Fit(model, loader);
        var at100 = probe.Samples.First(s => s.Step == 100).RssMiB;
        return new Report(probe.Samples, (probe.Samples[^1].RssMiB - at100) / at100);
    }

    sealed class Probe(int steps, Action<string>? progress) : ITrainerCallback
    {
        public List<Sample> Samples { get; } = new();

        public void OnBatchEnd(TrainerState state, BatchInfo batch)
        {
            if (batch.Batch % 100 != 0 && batch.Batch != steps) return;
            using var self = Process.GetCurrentProcess();
            var sample = new Sample(batch.Batch, self.WorkingSet64 / 1048576.0, GC.GetTotalMemory(false) / 1048576.0,
                GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
                TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount, TorchSharp.DisposeScopeManager.Statistics.CreatedOutsideScopeCount);
            Samples.Add(sample);
            progress?.Invoke($"step {sample.Step}: RSS {sample.RssMiB:F0} MiB, managed {sample.ManagedMiB:F1} MiB, live tensors {sample.LiveTensors}, created outside a scope {sample.CreatedOutsideScope}");
        }
    }
}
