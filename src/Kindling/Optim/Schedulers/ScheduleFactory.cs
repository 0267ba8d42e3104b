using static TorchSharp.torch.optim;

namespace Kindling.Optim.Schedulers;

/// <summary>Builds a schedule from <see cref="ScheduleOptions"/> for a run of known length.</summary>
public static class ScheduleFactory
{
    /// <summary>The schedule names <see cref="Create"/> knows (PyTorch's class names in snake case).</summary>
    public static readonly IReadOnlyList<string> Names = new[]
    {
        "none", "step_lr", "multi_step_lr", "exponential_lr", "cosine_annealing_lr", "cosine_annealing_warm_restarts", "one_cycle_lr", "reduce_lr_on_plateau",
    };

    /// <param name="optimizer">The optimizer to schedule.</param>
    /// <param name="o">The schedule.</param>
    /// <param name="epochs">Epochs in the run.</param>
    /// <param name="stepsPerEpoch">Optimizer steps per epoch (batches / accumulation steps, rounded up).</param>
    /// <param name="totalSteps">Optimizer steps in the whole run when epochs differ in size (a curriculum's grow); null: epochs x <paramref name="stepsPerEpoch"/>.</param>
    /// <returns>The schedule, or null for "none".</returns>
    public static LrScheduler? Create(Optimizer optimizer, ScheduleOptions o, int epochs, int stepsPerEpoch, int? totalSteps = null)
    {
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "a run needs at least one epoch.");
        if (stepsPerEpoch < 1) throw new ArgumentOutOfRangeException(nameof(stepsPerEpoch), stepsPerEpoch, "an epoch needs at least one optimizer step.");
        var name = o.Name.Trim().ToLowerInvariant();
        var unit = o.Unit ?? (name == "one_cycle_lr" || (name == "cosine_annealing_warm_restarts" && o.FractionalEpochs) ? ScheduleUnit.Batch : ScheduleUnit.Epoch);
        int total = unit == ScheduleUnit.Batch ? totalSteps ?? epochs * stepsPerEpoch : epochs;
        LrScheduler? s = name switch
        {
            "none" => null,
            "step_lr" => new StepLR(optimizer, o.StepSize, o.Gamma, unit),
            "multi_step_lr" => new MultiStepLR(optimizer, o.Milestones, o.Gamma, unit),
            "exponential_lr" => new ExponentialLR(optimizer, o.Gamma, unit),
            "cosine_annealing_lr" => new CosineAnnealingLR(optimizer, o.TMax ?? Math.Max(1, total - o.WarmupSteps), o.EtaMin, unit),
            "cosine_annealing_warm_restarts" => new CosineAnnealingWarmRestarts(optimizer, o.T0, o.TMult, o.EtaMin, unit),
            "one_cycle_lr" => new OneCycleLR(optimizer, o.MaxLr is double peak ? new[] { peak } : optimizer.ParamGroups.Select(g => g.LearningRate).ToArray(), total_steps: total,
                pct_start: o.PctStart, anneal_strategy: o.AnnealStrategy, cycle_momentum: o.CycleMomentum, base_momentum: o.BaseMomentum,
                max_momentum: o.MaxMomentum, div_factor: o.DivFactor, final_div_factor: o.FinalDivFactor, three_phase: o.ThreePhase),
            "reduce_lr_on_plateau" => new ReduceLROnPlateau(optimizer, o.Mode, o.Factor, o.Patience, o.Threshold, o.ThresholdMode, o.Cooldown, new[] { o.MinLr }),
            _ => throw new ArgumentException($"schedule '{o.Name}' is not known: expected one of {string.Join(", ", Names)}."),
        };
        if (s is not null && o.WarmupSteps > 0) s = new LinearWarmup(s, o.WarmupSteps, o.WarmupStartFactor);
        return s;
    }
}
