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
    /// <summary>
    /// RSS (MiB) and managed-heap figures at one step. <c>LiveTensors</c> is the process-wide count of tensors not yet
    /// disposed (TorchSharp's <c>Tensor.TotalCount</c>, kept with interlocked updates on every thread). The per-thread
    /// <c>DisposeScopeManager.Statistics.ThreadTotalLiveCount</c> shown before went negative: loader workers create the
    /// batches on their threads and the training thread disposes them, so the training thread counted disposals of
    /// tensors it never created. <c>CreatedOutsideScope</c> is the training thread's count of tensors made outside any
    /// dispose scope since start-up, a cumulative counter (never negative).
    /// </summary>
    public sealed record Sample(int Step, double RssMiB, double ManagedMiB, int Gen0, int Gen1, int Gen2, long LiveTensors, long CreatedOutsideScope);

    /// <summary>The samples, RSS growth from step 100 to the last step, and the intra-op threads the run trained on.</summary>
    public sealed record Report(IReadOnlyList<Sample> Samples, double GrowthFromStep100, int Threads)
    {
        public bool Flat => Math.Abs(GrowthFromStep100) <= 0.10;
    }

    /// <summary>Trains <paramref name="steps"/> steps, sampling every 100; <paramref name="progress"/> gets a line every <paramref name="progressEvery"/> steps (0: none).</summary>
    /// <param name="task">"seed-cnn" (the default: a classifier on 3x32x32), "ddpm" (the recipe's U-Net), or a GAN of <see cref="GanBenchTasks.Names"/>; the generative ones on 1x28x28 images in [-1, 1].</param>
    public static Report Run(int steps = 1000, int batch = 8, Action<string>? progress = null, int threads = 0, int progressEvery = 100, string task = "seed-cnn")
    {
        if (steps < 100) throw new ArgumentOutOfRangeException(nameof(steps), steps, "at least 100 steps: step 100 is the reference.");
        // The thread count is restored afterwards: the test suite runs the command in its own process.
        int before = TorchSharp.torch.get_num_threads();
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        try
        {
            var probe = new Probe(steps, progress, progressEvery);
            if (task == "seed-cnn")
            {
                var data = LoaderRate.RandomImages(steps * batch, 3, 32, classes: 100);
                var transform = DataBenchmark.Standard(32, 4, new[] { 0.5, 0.5, 0.5 }, new[] { 0.25, 0.25, 0.25 });
                using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = batch, Shuffle = true, Seed = 0, NumWorkers = 1 }, transform);
                using var model = new SeedCnn(numClasses: 100);
                new Trainer(new TrainerOptions { Epochs = 1, Optimizer = new OptimizerOptions { Name = "adamw", Lr = 1e-3 }, Device = "cpu" }, new[] { probe })
                    .Fit(model, loader);
            }
            else
            {
                var data = LoaderRate.RandomImages(steps * batch, 1, 28, classes: 10);
                var transform = new Compose(new ToTensor(), new Normalize([0.5], [0.5]));
                using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = batch, Shuffle = true, Seed = 0, NumWorkers = 1 }, transform);
                // A GAN task through the engine's manual optimization (both players, their optimizers and, for WGAN-GP, the double
                // backward), or the DDPM's noise-prediction step with the recipe's U-Net.
                using Kindling.Training.Tasks.TrainingTask generative = task == "ddpm" ? DdpmStepBenchmark.Task(channels: 32, timesteps: 1000) : GanBenchTasks.Create(task, data.Shape);
                var optimizer = task == "ddpm" ? new OptimizerOptions { Name = "adamw", Lr = 2e-4 } : GanBenchTasks.Adam;
                new Trainer(new TrainerOptions { Epochs = 1, Optimizer = optimizer, Device = "cpu", ChannelsLast = task != "gan" }, new[] { probe })
                    .Fit(generative, loader);
            }
            var at100 = probe.Samples.First(s => s.Step == 100).RssMiB;
            return new Report(probe.Samples, (probe.Samples[^1].RssMiB - at100) / at100, TorchSharp.torch.get_num_threads());
        }
        finally
        {
            TorchSharp.torch.set_num_threads(before);
        }
    }

    sealed class Probe(int steps, Action<string>? progress, int progressEvery) : ITrainerCallback
    {
        public List<Sample> Samples { get; } = new();

        public void OnBatchEnd(TrainerState state, BatchInfo batch)
        {
            bool sample = batch.Batch % 100 == 0 || batch.Batch == steps;
            bool report = progress is not null && progressEvery > 0 && (batch.Batch % progressEvery == 0 || batch.Batch == steps);
            if (!sample && !report) return;
            var now = Measure(batch.Batch);
            if (sample) Samples.Add(now);
            if (report)
                progress!($"step {now.Step}/{steps}: RSS {now.RssMiB:F0} MiB, managed {now.ManagedMiB:F1} MiB, live tensors {now.LiveTensors}, created outside a scope {now.CreatedOutsideScope}");
        }

        static Sample Measure(int step)
        {
            using var self = Process.GetCurrentProcess();
            return new Sample(step, self.WorkingSet64 / 1048576.0, GC.GetTotalMemory(false) / 1048576.0,
                GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
                TorchSharp.torch.Tensor.TotalCount, TorchSharp.DisposeScopeManager.Statistics.CreatedOutsideScopeCount);
        }
    }
}
