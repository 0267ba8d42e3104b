namespace Kindling.Optim.Schedulers;

/// <summary>
/// A learning-rate schedule as a recipe names it: PyTorch's class name in snake case and its
/// arguments under PyTorch's names. Epoch-based arguments (step_size, milestones, T_max, T_0) count
/// epochs; when <see cref="Unit"/> is batch they count optimizer steps instead.
/// </summary>
public sealed record ScheduleOptions
{
    /// <summary>none, step_lr, multi_step_lr, exponential_lr, cosine_annealing_lr, cosine_annealing_warm_restarts, one_cycle_lr, reduce_lr_on_plateau.</summary>
    public string Name { get; init; } = "none";

    /// <summary>Per epoch or per optimizer step; null: the schedule's natural unit (one_cycle_lr per step, the rest per epoch).</summary>
    public ScheduleUnit? Unit { get; init; }

    public int StepSize { get; init; } = 30;
    public double Gamma { get; init; } = 0.1;
    public IReadOnlyList<int> Milestones { get; init; } = Array.Empty<int>();

    /// <summary>CosineAnnealingLR's period; null: the whole run.</summary>
    public double? TMax { get; init; }

    public double EtaMin { get; init; }
    public int T0 { get; init; } = 10;
    public int TMult { get; init; } = 1;

    /// <summary>Warm restarts stepped every batch with fractional epochs (PyTorch's documented per-batch use).</summary>
    public bool FractionalEpochs { get; init; }

    /// <summary>OneCycleLR's peak for every group; null: each group's own lr is its peak (keeps per-group multipliers).</summary>
    public double? MaxLr { get; init; }

    public double PctStart { get; init; } = 0.3;
    public AnnealStrategy AnnealStrategy { get; init; } = AnnealStrategy.Cos;
    public double DivFactor { get; init; } = 25;
    public double FinalDivFactor { get; init; } = 1e4;
    public bool ThreePhase { get; init; }
    public bool CycleMomentum { get; init; } = true;
    public double BaseMomentum { get; init; } = 0.85;
    public double MaxMomentum { get; init; } = 0.95;

    /// <summary>ReduceLROnPlateau: the metric it watches (val_loss, val_f1, ...); null: val_loss in min mode, val_accuracy in max mode.</summary>
    public string? Monitor { get; init; }

    public string Mode { get; init; } = "min";
    public double Factor { get; init; } = 0.1;
    public int Patience { get; init; } = 10;
    public double Threshold { get; init; } = 1e-4;
    public string ThresholdMode { get; init; } = "rel";
    public int Cooldown { get; init; }
    public double MinLr { get; init; }

    /// <summary>Linear warm-up steps (in the schedule's unit) in front of the schedule; 0: none.</summary>
    public int WarmupSteps { get; init; }

    public double WarmupStartFactor { get; init; } = 0.1;
}
