using Kindling.Data.Loading;
using Kindling.Optim;
using Kindling.Optim.Schedulers;
using TorchSharp;
using TorchSharp.Modules;

namespace Kindling.Config.Runs;

/// <summary>
/// A recipe's learning rate and momentum at every optimizer step, without training: the recipe's
/// own optimizer and schedule on a one-parameter stand-in, stepped exactly where the trainer steps
/// them (per batch or per epoch, accumulation taken into account), so people check a schedule
/// before spending hours on it.
/// </summary>
public static class ScheduleTrace
{
    /// <summary>Training batches per epoch: the loader's count for <paramref name="samples"/> samples.</summary>
    public static int BatchesPerEpoch(Recipe recipe, int samples) =>
        recipe.Data.DropLast ? samples / recipe.Data.BatchSize : (samples + recipe.Data.BatchSize - 1) / recipe.Data.BatchSize;

    /// <summary>Optimizer steps per epoch: batches over accumulation steps, rounded up (the last window may be shorter).</summary>
    public static int StepsPerEpoch(Recipe recipe, int samples) =>
        (BatchesPerEpoch(recipe, samples) + recipe.Training.AccumulationSteps - 1) / recipe.Training.AccumulationSteps;

    /// <summary>
    /// Samples that epoch <paramref name="epoch"/> (0-based) draws from a training set of <paramref name="samples"/>: all of them,
    /// or the curriculum's pool (its size depends only on the pacing, not on the scores).
    /// </summary>
    public static int SamplesAt(Recipe recipe, int samples, int epoch) => recipe.Data.Curriculum is { } c
        ? CurriculumSampler.PoolSize(samples, c.ToPacing(), epoch, recipe.Training.Epochs, Math.Min(recipe.Data.BatchSize, samples))
        : samples;

    /// <summary>Every step's LR and momentum for a training set of <paramref name="samples"/> samples.</summary>
    /// <remarks>reduce_lr_on_plateau depends on validation metrics, so it shows the LR before any reduction.</remarks>
    public static IReadOnlyList<SchedulePoint> Compute(Recipe recipe, int samples)
    {
        recipe.Validate();
        if (Tools.RecipeTuning.HasAuto(recipe))
            throw new ArgumentException($"the schedule needs numbers, but {(recipe.Optimizer.LrIsAuto ? "optimizer.lr" : recipe.Data.BatchSizeIsAuto ? "data.batch_size" : "training.epochs")} is auto (chosen when training starts); " +
                                        "give one with --set (kindling lr-find / batch-size suggest them; kindling train prints the epochs it chooses).");
        int accumulation = recipe.Training.AccumulationSteps;
        // Epochs differ in size under a curriculum: each has its own batches, and the schedule counts the run's real steps.
        var batchesByEpoch = Enumerable.Range(0, recipe.Training.Epochs).Select(e => BatchesPerEpoch(recipe, SamplesAt(recipe, samples, e))).ToArray();
        if (batchesByEpoch.Min() < 1)
            throw new ArgumentException($"{samples} training samples with batch_size {recipe.Data.BatchSize} and drop_last give no batch; lower data.batch_size.");
        var stepsByEpoch = batchesByEpoch.Select(b => (b + accumulation - 1) / accumulation).ToArray();
        var options = recipe.Schedule;
        TorchRuntime();
        using var scope = torch.NewDisposeScope();
        using var stand = new StandIn();
        using var optimizer = OptimizerFactory.Create(stand, recipe.Optimizer.ToOptions(), recipe.Data.BatchSize * accumulation);
        var schedule = ScheduleFactory.Create(optimizer, options, recipe.Training.Epochs, stepsByEpoch[0], stepsByEpoch.Sum());
        var group = optimizer.ParamGroups.First();
        var points = new List<SchedulePoint>(stepsByEpoch.Sum());
        for (int epoch = 1; epoch <= recipe.Training.Epochs; epoch++)
        {
            int batches = batchesByEpoch[epoch - 1];
            for (int k = 0; k < stepsByEpoch[epoch - 1]; k++)
            {
                points.Add(new SchedulePoint(points.Count, epoch, group.LearningRate, Momentum(group)));
                if (schedule?.Unit != ScheduleUnit.Batch) continue;
                // As the trainer: warm restarts with fractional epochs get the epoch at the window's last batch.
                int lastBatch = Math.Min((k + 1) * accumulation, batches) - 1;
                if (schedule is CosineAnnealingWarmRestarts warm && options.FractionalEpochs) warm.Step(epoch - 1 + (double)(lastBatch + 1) / batches);
                else schedule.Step();
            }
            if (schedule is not null && schedule.Unit == ScheduleUnit.Epoch && schedule is not ReduceLROnPlateau) schedule.Step();
        }
        return points;
    }

    static double? Momentum(torch.optim.ILearningRateController group) => group switch
    {
        torch.optim.IBetas b => b.Betas.Item1,
        torch.optim.IMomentum m => m.Momentum,
        _ => null,
    };

    static void TorchRuntime() => Runtime.TorchRuntime.EnsureLoaded();

    /// <summary>One weight and one bias, so the optimizer has both a decayed and an undecayed group as in a real model.</summary>
    sealed class StandIn : torch.nn.Module
    {
        readonly Parameter weight = new(torch.zeros(2, 2));
        readonly Parameter bias = new(torch.zeros(2));

        public StandIn() : base(nameof(StandIn)) => RegisterComponents();
    }
}
