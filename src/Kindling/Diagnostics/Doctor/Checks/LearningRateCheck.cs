using System.Globalization;
using Kindling.Optim;
using Kindling.Optim.Schedulers;
using Kindling.Tuning.LrFinding;

namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// The highest learning rate the recipe's schedule reaches (after the linear scaling rule) against the LR range
/// test (<see cref="LrFinder"/>) on the same task (its training step), data and trainer options: well above the rate where the range
/// test's smoothed loss bottoms out (<see cref="DoctorOptions.LrAboveMinimum"/> times it), the loss has been
/// rising for a while, so training there is unstable or diverges.
/// </summary>
public sealed class LearningRateCheck : IDoctorCheck
{
    /// <inheritdoc/>
    public string Name => "learning-rate";

    /// <inheritdoc/>
    public bool Slow => true;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        var trainer = context.Subject.Trainer;
        double peak = PeakLr(context);
        var result = new LrFinder(new LrFinderOptions { Steps = context.Options.LrFinderSteps }).Run(context.Task, context.Loader, trainer);
        if (result.MinimumLr is not double minimum) yield break; // too few points to judge
        if (peak <= context.Options.LrAboveMinimum * minimum) yield break;
        yield return new Finding(Name, Severity.Warning,
            string.Create(CultureInfo.InvariantCulture,
                $"the schedule reaches a learning rate of {peak:G3}, {peak / minimum:G3}x the {minimum:G3} where the LR range test's loss bottoms out ({result.Points.Count} steps, {result.StopReason}); ") +
            string.Create(CultureInfo.InvariantCulture, $"past that point the loss rises. The range test suggests {result.Steepest:G3} (steepest descent) or {result.MinimumTenth:G3} (minimum / 10, for a one-cycle peak)."),
            "Lower optimizer.lr (or the schedule's max_lr) to the suggestion: kindling lr-find --config FILE shows the curve, and optimizer.lr: auto uses it.");
    }

    /// <summary>The largest learning rate of the whole schedule, stepped as the Trainer steps it (no training).</summary>
    static double PeakLr(DoctorContext context)
    {
        var t = context.Subject.Trainer;
        var loader = context.Loader;
        int batches = loader.Count, accumulation = t.AccumulationSteps;
        int steps = (batches + accumulation - 1) / accumulation;
        using var optimizer = OptimizerFactory.Create(context.Model, t.Optimizer, loader.Options.BatchSize * accumulation);
        var schedule = ScheduleFactory.Create(optimizer, t.Schedule, t.Epochs, steps);
        double peak = optimizer.ParamGroups.Max(g => g.LearningRate);
        if (schedule is null) return peak;
        for (int epoch = 0; epoch < t.Epochs; epoch++)
        {
            if (schedule.Unit == ScheduleUnit.Batch)
                for (int k = 0; k < steps; k++)
                {
                    schedule.Step();
                    peak = Math.Max(peak, optimizer.ParamGroups.Max(g => g.LearningRate));
                }
            else if (schedule is not ReduceLROnPlateau)
            {
                schedule.Step();
                peak = Math.Max(peak, optimizer.ParamGroups.Max(g => g.LearningRate));
            }
        }
        return peak;
    }
}
