using System.Diagnostics;
using System.Globalization;
using Kindling.Config.Runs;
using Kindling.Data.Datasets;
using Kindling.Diagnostics.Profiling;
using Kindling.Runtime;
using Kindling.SelfSupervised;
using Kindling.Training;
using Kindling.Training.Callbacks;

namespace Kindling.Config.Tools;

/// <summary>
/// <c>training.epochs: auto</c>: the epochs that fit <c>training.time_budget_minutes</c> on this machine, measured before the
/// run is built, so that a schedule sized by the epochs (one_cycle_lr) runs to its end within the budget. The recipes'
/// headers used to ask for this by hand on every new machine (a one-epoch <c>--profile</c>, then a sum).
/// </summary>
/// <remarks>
/// The measurement: the recipe's own training step (its task, loader, augmentation and trainer options) for
/// <see cref="WarmupSteps"/> + <see cref="TimedSteps"/> batches through the Trainer, timed by the step profiler after the
/// warm-up; then one validation as the run's last epoch does it (a pretraining run's kNN monitor is due then, over the
/// whole memory bank). The epochs chosen are the most whose steps and validations fit <see cref="Share"/> of the budget.
/// The run also stops at the budget
/// (<see cref="StopAtTimeBudget"/>) should the estimate be short.
/// </remarks>
public static class RecipeTimeBudget
{
    /// <summary>Batches trained before the clock starts (first-call allocations, the loader's start).</summary>
    public const int WarmupSteps = 5;

    /// <summary>Batches timed.</summary>
    public const int TimedSteps = 30;

    /// <summary>
    /// The share of the budget the estimated steps and validations may fill. The rest is for what the probe does not time
    /// (checkpoints, metrics files, plots) and for a machine that turns slower: on a shared 2-core VM the epochs of one
    /// SimCLR run took 338 to 408 s against 323 s estimated (docs/self-supervised.md), and the budget's stop would then cut
    /// the schedule before its end.
    /// </summary>
    public const double Share = 0.9;

    /// <summary>What was measured and what it gives.</summary>
    /// <param name="StepSeconds">Seconds a training batch takes (mean over the timed batches).</param>
    /// <param name="ValidationSeconds">Seconds one epoch's full validation takes (twice one pass with an EMA; 0 without validation data).</param>
    /// <param name="Epochs">The epochs chosen.</param>
    /// <param name="Validations">How many validations those epochs run.</param>
    /// <param name="EstimatedSeconds">The epochs' estimated duration, steps and validations.</param>
    public sealed record Estimate(double StepSeconds, double ValidationSeconds, int Epochs, int Validations, double EstimatedSeconds);

    /// <summary>Measures the recipe on this machine and returns it with the epochs chosen, and a note saying how.</summary>
    /// <param name="recipe">A recipe with <c>training.epochs: auto</c> and <c>training.time_budget_minutes</c>.</param>
    /// <param name="open">How to open the data.</param>
    /// <param name="log">Progress and the choice, one line each.</param>
    public static (Recipe Recipe, string Note) Resolve(Recipe recipe, DataOpenOptions? open = null, Action<string>? log = null)
    {
        double budget = (recipe.Training.TimeBudgetMinutes
            ?? throw new ArgumentException("training.epochs: auto needs training.time_budget_minutes.", nameof(recipe))) * 60;
        log?.Invoke($"training.epochs: auto: timing {TimedSteps} training steps and one validation...");
        // One epoch for the probe: a schedule needs a length, and a kNN monitor is due at the last epoch.
        var probe = recipe with { Training = recipe.Training with { Epochs = 1, EpochsIsAuto = false } };
        using var run = RecipeBuilder.Build(probe, open);
        var (step, validation) = Measure(run);
        var batchesAt = run.TrainLoader.CountAt;
        var estimate = Choose(budget, step, validation, batchesAt, Validations(recipe))
            ?? throw new RecipeException("recipe", [string.Format(CultureInfo.InvariantCulture,
                "training.time_budget_minutes: {0} minutes do not hold one epoch here: a training step takes {1:F3} s ({2} batches an epoch) and a validation {3:F1} s; " +
                "raise the budget or give a number of epochs.", recipe.Training.TimeBudgetMinutes, step, batchesAt(0), validation)]);
        var note = string.Format(CultureInfo.InvariantCulture,
            "training.epochs: {0} chosen for training.time_budget_minutes {1}: {2:F0} ms a training step ({3} batches an epoch), {4:F1} s a validation ({5} of them): " +
            "about {6:F1} minutes of epochs",
            estimate.Epochs, recipe.Training.TimeBudgetMinutes, step * 1000, batchesAt(0), validation, estimate.Validations, estimate.EstimatedSeconds / 60);
        log?.Invoke(note);
        return (recipe with { Training = recipe.Training with { Epochs = estimate.Epochs, EpochsIsAuto = false } }, note);
    }

    /// <summary>The most epochs whose batches and validations fit <see cref="Share"/> of the budget; null when not one does.</summary>
    /// <param name="budgetSeconds">The budget.</param>
    /// <param name="stepSeconds">Seconds a training batch takes.</param>
    /// <param name="validationSeconds">Seconds an epoch's validation takes.</param>
    /// <param name="batchesAt">Batches in an epoch, by its index from 0 (a curriculum's grow).</param>
    /// <param name="validationsIn">How many validations a run of that many epochs makes.</param>
    public static Estimate? Choose(double budgetSeconds, double stepSeconds, double validationSeconds, Func<int, int> batchesAt, Func<int, int> validationsIn)
    {
        double room = budgetSeconds * Share, steps = 0;
        Estimate? best = null;
        // Epochs only add time, so the first that does not fit ends the search; a cap keeps a free step from looping forever.
        for (int epochs = 1; epochs <= 100_000; epochs++)
        {
            steps += batchesAt(epochs - 1) * stepSeconds;
            int validations = validationsIn(epochs);
            double total = steps + validations * validationSeconds;
            if (total > room) break;
            best = new Estimate(stepSeconds, validationSeconds, epochs, validations, total);
        }
        return best;
    }

    /// <summary>How many validations a run of the recipe's task makes in so many epochs: every epoch, or a kNN monitor's epochs.</summary>
    internal static Func<int, int> Validations(Recipe recipe)
    {
        if (TaskCatalog.Find(recipe.Task)?.Sections.Contains("knn") != true) return epochs => epochs;
        int every = recipe.Knn.Every;
        return epochs => KnnMonitor.Measurements(every, epochs);
    }

    static (double Step, double Validation) Measure(RecipeRun run)
    {
        var profiler = new StepProfiler { WarmupSteps = WarmupSteps };
        using var stop = new CancellationTokenSource();
        int batches = WarmupSteps + TimedSteps, perEpoch = Math.Max(1, run.TrainLoader.CountAt(0));
        // Enough epochs for the batches timed when an epoch is short; no validation, so nothing may watch its metrics.
        var options = run.TrainerOptions with
        {
            StepTimer = profiler, CheckpointDir = null, EarlyStopping = null, Epochs = (batches + perEpoch - 1) / perEpoch,
        };
        new Trainer(options, [new CancelAfterBatches(batches, stop)]).Fit(run.Task, run.TrainLoader, null, null, stop.Token);
        double step = profiler.Summary().StepMs / 1000;
        double validation = 0;
        if (run.ValidationLoader is { } loader)
        {
            var clock = Stopwatch.StartNew();
            Trainer.Evaluate(run.Task, loader, Devices.Resolve(run.Recipe.Training.Device), channelsLast: run.TrainerOptions.ChannelsLast, epoch: 1);
            // With an average of the weights the Trainer validates twice: the live weights and the average.
            validation = clock.Elapsed.TotalSeconds * (run.Recipe.Training.Ema is null ? 1 : 2);
        }
        return (step, validation);
    }

    // Cancelling asks the Trainer to finish the current batch and stop: the probe trains only as long as it times.
    sealed class CancelAfterBatches(int batches, CancellationTokenSource stop) : ITrainerCallback
    {
        int seen;

        public void OnBatchEnd(TrainerState state, BatchInfo batch)
        {
            if (++seen >= batches) stop.Cancel();
        }
    }
}
