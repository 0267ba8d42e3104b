using Kindling.Optim.Schedulers;

namespace Kindling.Config;

/// <summary>
/// The <c>schedule</c> section: PyTorch's scheduler class name in snake case and its arguments
/// under PyTorch's names (T_max, T_0, T_mult keep their capitals).
/// </summary>
public sealed record ScheduleRecipe
{
    /// <summary>A name from <see cref="ScheduleFactory.Names"/>.</summary>
    public string Name { get; init; } = "none";

    /// <summary>batch or epoch; null: the schedule's natural unit (one_cycle_lr per step, the rest per epoch).</summary>
    public string? Unit { get; init; }

    /// <summary>StepLR period.</summary>
    public int StepSize { get; init; } = 30;

    /// <summary>Decay factor (StepLR, MultiStepLR, ExponentialLR).</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>MultiStepLR milestones.</summary>
    public IReadOnlyList<int> Milestones { get; init; } = [];

    /// <summary>CosineAnnealingLR period; null: the whole run.</summary>
    [RecipeKey("T_max")]
    public double? TMax { get; init; }

    /// <summary>Lowest LR of the cosine schedules.</summary>
    public double EtaMin { get; init; }

    /// <summary>First restart period (CosineAnnealingWarmRestarts).</summary>
    [RecipeKey("T_0")]
    public int T0 { get; init; } = 10;

    /// <summary>Period growth after each restart.</summary>
    [RecipeKey("T_mult")]
    public int TMult { get; init; } = 1;

    /// <summary>Step warm restarts every batch with fractional epochs.</summary>
    public bool FractionalEpochs { get; init; }

    /// <summary>OneCycleLR peak; null: the optimizer's lr.</summary>
    public double? MaxLr { get; init; }

    /// <summary>OneCycleLR share of the run spent rising.</summary>
    public double PctStart { get; init; } = 0.3;

    /// <summary>cos or linear.</summary>
    public string AnnealStrategy { get; init; } = "cos";

    /// <summary>Initial LR = max_lr / div_factor.</summary>
    public double DivFactor { get; init; } = 25;

    /// <summary>Final LR = initial LR / final_div_factor.</summary>
    public double FinalDivFactor { get; init; } = 1e4;

    /// <summary>OneCycleLR's three-phase variant.</summary>
    public bool ThreePhase { get; init; }

    /// <summary>Cycle momentum (or beta1) inversely to the LR.</summary>
    public bool CycleMomentum { get; init; } = true;

    /// <summary>Lowest momentum (at the LR peak).</summary>
    public double BaseMomentum { get; init; } = 0.85;

    /// <summary>Highest momentum.</summary>
    public double MaxMomentum { get; init; } = 0.95;

    /// <summary>ReduceLROnPlateau: min or max.</summary>
    public string Mode { get; init; } = "min";

    /// <summary>ReduceLROnPlateau factor.</summary>
    public double Factor { get; init; } = 0.1;

    /// <summary>ReduceLROnPlateau patience in epochs.</summary>
    public int Patience { get; init; } = 10;

    /// <summary>ReduceLROnPlateau threshold.</summary>
    public double Threshold { get; init; } = 1e-4;

    /// <summary>rel or abs.</summary>
    public string ThresholdMode { get; init; } = "rel";

    /// <summary>ReduceLROnPlateau cooldown epochs.</summary>
    public int Cooldown { get; init; }

    /// <summary>ReduceLROnPlateau floor.</summary>
    public double MinLr { get; init; }

    /// <summary>Linear warm-up steps (in the schedule's unit) before the schedule; 0: none.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Warm-up's first LR as a share of the base LR.</summary>
    public double WarmupStartFactor { get; init; } = 0.1;

    /// <summary>The library's options.</summary>
    public ScheduleOptions ToOptions() => new()
    {
        Name = Name.Trim().ToLowerInvariant(),
        Unit = Unit is null ? null : Enum.Parse<ScheduleUnit>(Unit, ignoreCase: true),
        StepSize = StepSize,
        Gamma = Gamma,
        Milestones = Milestones,
        TMax = TMax,
        EtaMin = EtaMin,
        T0 = T0,
        TMult = TMult,
        FractionalEpochs = FractionalEpochs,
        MaxLr = MaxLr,
        PctStart = PctStart,
        AnnealStrategy = Enum.Parse<AnnealStrategy>(AnnealStrategy, ignoreCase: true),
        DivFactor = DivFactor,
        FinalDivFactor = FinalDivFactor,
        ThreePhase = ThreePhase,
        CycleMomentum = CycleMomentum,
        BaseMomentum = BaseMomentum,
        MaxMomentum = MaxMomentum,
        Mode = Mode,
        Factor = Factor,
        Patience = Patience,
        Threshold = Threshold,
        ThresholdMode = ThresholdMode,
        Cooldown = Cooldown,
        MinLr = MinLr,
        WarmupSteps = WarmupSteps,
        WarmupStartFactor = WarmupStartFactor,
    };

    internal void Validate(RecipeErrors e, string path)
    {
        e.OneOf(path + ".name", Name, ScheduleFactory.Names, "schedule");
        if (Unit is not null) e.OneOf(path + ".unit", Unit, ["batch", "epoch"], "schedule unit");
        e.Check(StepSize >= 1, path + ".step_size", StepSize, ">= 1");
        e.Check(Gamma > 0, path + ".gamma", Gamma, "a value > 0");
        for (int i = 0; i < Milestones.Count; i++)
            e.Check(Milestones[i] >= 1 && (i == 0 || Milestones[i] > Milestones[i - 1]), path + ".milestones", Milestones[i], "increasing values >= 1");
        e.Check(TMax is null or > 0, path + ".T_max", TMax, "a value > 0 or null (the whole run)");
        e.Check(EtaMin >= 0, path + ".eta_min", EtaMin, ">= 0");
        e.Check(T0 >= 1, path + ".T_0", T0, ">= 1");
        e.Check(TMult >= 1, path + ".T_mult", TMult, ">= 1");
        e.Check(MaxLr is null or > 0, path + ".max_lr", MaxLr, "a value > 0 or null (the optimizer's lr)");
        e.Check(PctStart is > 0 and < 1, path + ".pct_start", PctStart, "a value in (0, 1)");
        e.OneOf(path + ".anneal_strategy", AnnealStrategy, ["cos", "linear"], "anneal strategy");
        e.Check(DivFactor > 0, path + ".div_factor", DivFactor, "a value > 0");
        e.Check(FinalDivFactor > 0, path + ".final_div_factor", FinalDivFactor, "a value > 0");
        e.Check(BaseMomentum is >= 0 and < 1, path + ".base_momentum", BaseMomentum, "a value in [0, 1)");
        e.Check(MaxMomentum is >= 0 and < 1 && MaxMomentum >= BaseMomentum, path + ".max_momentum", MaxMomentum, "a value in [base_momentum, 1)");
        e.OneOf(path + ".mode", Mode, ["min", "max"], "plateau mode");
        e.Check(Factor is > 0 and < 1, path + ".factor", Factor, "a value in (0, 1)");
        e.Check(Patience >= 0, path + ".patience", Patience, ">= 0");
        e.Check(Threshold >= 0, path + ".threshold", Threshold, ">= 0");
        e.OneOf(path + ".threshold_mode", ThresholdMode, ["rel", "abs"], "threshold mode");
        e.Check(Cooldown >= 0, path + ".cooldown", Cooldown, ">= 0");
        e.Check(MinLr >= 0, path + ".min_lr", MinLr, ">= 0");
        e.Check(WarmupSteps >= 0, path + ".warmup_steps", WarmupSteps, ">= 0");
        e.Check(WarmupStartFactor is > 0 and <= 1, path + ".warmup_start_factor", WarmupStartFactor, "a value in (0, 1]");
    }
}
