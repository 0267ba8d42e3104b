using System.Diagnostics;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Training;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tuning.BatchSize;

/// <summary>
/// Finds the largest batch a training step fits: on CUDA by doubling until out of memory and backing off
/// (<see cref="BatchSizeSearch.UntilOutOfMemory"/>); on the CPU by measuring each size's peak resident memory
/// above the baseline and holding it (and a line fitted through it) to a budget (<see cref="BatchSizeSearch.WithinBudget"/>).
/// Every size is timed, so the images/s show where larger batches stop paying. Steps are the engine's
/// (<see cref="TrainingSession"/>) on real, augmented samples; the model is restored afterwards.
/// </summary>
public sealed class BatchSizeFinder
{
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public BatchSizeFinder(BatchSizeFinderOptions? options = null) => Options = (options ?? new BatchSizeFinderOptions()).Validate();

    public BatchSizeFinderOptions Options { get; }

    /// <summary>
    /// Probes <paramref name="task"/>'s real training step (<see cref="TrainingSession.RunBatch"/>) as <paramref name="trainer"/>
    /// trains it: precision (fp32 masters, loss scaling), channels-last, batch mixing, a teacher, clipping, EMA and the
    /// schedule. The size searched is the loader's batch; with accumulation over N batches each warm-up or timed step is
    /// one optimizer step (N batches), so the images/s are training's and the peak includes gradients held across the window.
    /// A session is opened per size, after the memory baseline: the masters, the EMA and the optimizer's state are the
    /// step's fixed memory, as they are in training. The task's modules and libtorch's generator are put back afterwards.
    /// </summary>
    /// <param name="task">Trained in place during the probes and restored afterwards.</param>
    /// <param name="train">Training samples; batches are drawn from it with <paramref name="transform"/>.</param>
    /// <param name="transform">The training transform (augmentation, to_tensor, normalize).</param>
    /// <param name="trainer">The run's engineering: optimizer, precision, accumulation, clipping, channels-last, device.</param>
    /// <param name="onProbe">Called after every size tried.</param>
    public BatchSizeResult Run(TrainingTask task, IImageDataset train, ISampleTransform? transform, TrainerOptions trainer, Action<BatchSizeProbe>? onProbe = null)
    {
        TorchRuntime.EnsureLoaded();
        if (trainer.Threads is int threads) set_num_threads(threads);
        var options = TunerProbe.Options(trainer);
        bool cuda = Devices.Resolve(options.Device).type == DeviceType.CUDA;
        if (!cuda && !ProcessMemory.Supported) throw new NotSupportedException("measuring a CPU step's peak memory needs Linux's /proc/self/status.");
        return TunerProbe.Restoring(task.Network, () =>
        {
            BatchMeasurement Measure(int batchSize) => Step(task, options, train, transform, cuda, batchSize);
            return cuda
                ? BatchSizeSearch.UntilOutOfMemory(Measure, Options, train.Count, onProbe)
                : BatchSizeSearch.WithinBudget(Measure, Options, Options.MemoryBudgetBytes ?? (long)(ProcessMemory.Available() * Options.BudgetFraction), train.Count, onProbe);
        });
    }

    /// <summary>
    /// Probes a classifier (cross-entropy, no mixing) with a fresh optimizer from <paramref name="optimizer"/>, on the device
    /// the model is on: the short form of <see cref="Run(TrainingTask, IImageDataset, ISampleTransform?, TrainerOptions, Action{BatchSizeProbe}?)"/>.
    /// </summary>
    /// <param name="model">Trained in place during the probes and restored afterwards.</param>
    /// <param name="train">Training samples; batches are drawn from it with <paramref name="transform"/>.</param>
    /// <param name="transform">The training transform (augmentation, to_tensor, normalize).</param>
    /// <param name="optimizer">The optimizer whose state is part of the fixed memory.</param>
    /// <param name="onProbe">Called after every size tried.</param>
    public BatchSizeResult Run(nn.Module<Tensor, Tensor> model, IImageDataset train, ISampleTransform? transform, OptimizerOptions optimizer,
        Action<BatchSizeProbe>? onProbe = null) =>
        Run(TunerProbe.Classifier(model, train.Classes.Count), train, transform, TunerProbe.OnDeviceOf(model, optimizer with { BaseBatchSize = null }), onProbe);

    BatchMeasurement Step(TrainingTask task, TrainerOptions trainer, IImageDataset train, ISampleTransform? transform, bool onCuda, int batchSize)
    {
        using var loader = new DataLoader(train, new DataLoaderOptions { BatchSize = batchSize, Shuffle = true, Seed = batchSize }, transform);
        using var batch = loader.First();
        // The baseline is taken per size, right before its steps, with freed memory handed back: what was resident
        // before (weights, the batch) is not the step's, and drift between sizes does not count.
        long baseline = 0;
        if (!onCuda)
        {
            ProcessMemory.Settle();
            baseline = ProcessMemory.Current();
            ProcessMemory.ResetPeak();
        }
        int window = trainer.AccumulationSteps, steps = Options.WarmupSteps + Options.TimedSteps;
        using var session = TunerProbe.Open(task, trainer, steps * window, steps, batch.Count);
        var watch = new Stopwatch();
        // The same batch for every step: the loader's cost is not the step's, and one batch keeps the probe's memory fixed.
        for (int i = 0; i < steps * window; i++)
        {
            if (i == Options.WarmupSteps * window) watch.Start();
            session.RunBatch(batch, i);
            if (onCuda) cuda.synchronize();
        }
        watch.Stop();
        long? peak = onCuda ? null : Math.Max(0, ProcessMemory.Peak() - baseline);
        return new BatchMeasurement(peak, (double)batch.Count * window * Options.TimedSteps / Math.Max(watch.Elapsed.TotalSeconds, 1e-9));
    }
}
