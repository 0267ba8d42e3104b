using System.Diagnostics;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Losses;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tuning.BatchSize;

/// <summary>
/// Finds the largest batch a training step fits: on CUDA by doubling until out of memory and backing off
/// (<see cref="BatchSizeSearch.UntilOutOfMemory"/>); on the CPU by measuring each size's peak resident memory
/// above the baseline and holding it (and a line fitted through it) to a budget (<see cref="BatchSizeSearch.WithinBudget"/>).
/// Every size is timed, so the images/s show where larger batches stop paying. Steps train on real, augmented
/// samples; the model is restored afterwards.
/// </summary>
public sealed class BatchSizeFinder
{
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public BatchSizeFinder(BatchSizeFinderOptions? options = null) => Options = (options ?? new BatchSizeFinderOptions()).Validate();

    public BatchSizeFinderOptions Options { get; }

    /// <summary>Probes <paramref name="model"/> (on its parameters' device) training on batches of <paramref name="train"/>.</summary>
    /// <param name="model">Trained in place during the probes and restored afterwards.</param>
    /// <param name="train">Training samples; batches are drawn from it with <paramref name="transform"/>.</param>
    /// <param name="transform">The training transform (augmentation, to_tensor, normalize).</param>
    /// <param name="optimizer">The optimizer whose state is part of the fixed memory.</param>
    /// <param name="loss">The loss; null: cross-entropy.</param>
    /// <param name="onProbe">Called after every size tried.</param>
    public BatchSizeResult Run(nn.Module<Tensor, Tensor> model, IImageDataset train, ISampleTransform? transform, OptimizerOptions optimizer,
        ILoss? loss = null, Action<BatchSizeProbe>? onProbe = null)
    {
        TorchRuntime.EnsureLoaded();
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        if (parameters.Count == 0) throw new ArgumentException("the model has no trainable parameters (all have requires_grad = false).");
        var device = parameters[0].device;
        var criterion = loss ?? new CrossEntropy();
        using var snapshot = ModelSnapshot.Take(model);
        using var rng = get_rng_state();
        try
        {
            using var opt = OptimizerFactory.Create(model, optimizer with { BaseBatchSize = null });
            model.train();
            bool cuda = device.type == DeviceType.CUDA;
            if (!cuda && !ProcessMemory.Supported) throw new NotSupportedException("measuring a CPU step's peak memory needs Linux's /proc/self/status.");
            BatchMeasurement Measure(int batchSize) => Step(model, opt, criterion, train, transform, device, batchSize, measureMemory: !cuda);
            return cuda
                ? BatchSizeSearch.UntilOutOfMemory(Measure, Options, train.Count, onProbe)
                : BatchSizeSearch.WithinBudget(Measure, Options, Options.MemoryBudgetBytes ?? (long)(ProcessMemory.Available() * Options.BudgetFraction), train.Count, onProbe);
        }
        finally
        {
            snapshot.Restore();
            set_rng_state(rng);
        }
    }

    BatchMeasurement Step(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, ILoss criterion, IImageDataset train, ISampleTransform? transform,
        Device device, int batchSize, bool measureMemory)
    {
        using var loader = new DataLoader(train, new DataLoaderOptions { BatchSize = batchSize, Shuffle = true, Seed = batchSize }, transform);
        using var batch = loader.First();
        // The baseline is taken per size, right before its steps, with freed memory handed back: what was resident
        // before (weights, optimizer state, the batch) is not the step's, and drift between sizes does not count.
        long baseline = 0;
        if (measureMemory)
        {
            ProcessMemory.Settle();
            baseline = ProcessMemory.Current();
            ProcessMemory.ResetPeak();
        }
        var watch = new Stopwatch();
        for (int i = 0; i < Options.WarmupSteps + Options.TimedSteps; i++)
        {
            if (i == Options.WarmupSteps) watch.Start();
            using var scope = NewDisposeScope();
            var x = batch.Images.to(device);
            var y = batch.Labels.to(device);
            criterion.Forward(model.forward(x).to(float32), y).backward();
            optimizer.step();
            model.zero_grad(set_to_none: true);
            if (device.type == DeviceType.CUDA) cuda.synchronize();
        }
        watch.Stop();
        long? peak = measureMemory ? Math.Max(0, ProcessMemory.Peak() - baseline) : null;
        return new BatchMeasurement(peak, (double)batch.Count * Options.TimedSteps / Math.Max(watch.Elapsed.TotalSeconds, 1e-9));
    }
}
