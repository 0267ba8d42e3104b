using Kindling.Optim.Schedulers;

namespace Kindling.Config.Yaml;

/// <summary>
/// The <c>schedule</c> section's checks. The section binds straight to <see cref="ScheduleOptions"/>,
/// whose properties already carry PyTorch's argument names, so only the ranges live here.
/// </summary>
internal static class ScheduleValidation
{
    public static void Validate(ScheduleOptions o, RecipeErrors e, string path)
    {
        e.OneOf(path + ".name", o.Name, ScheduleFactory.Names, "schedule");
        e.Check(o.StepSize >= 1, path + ".step_size", o.StepSize, ">= 1");
        e.Check(o.Gamma > 0, path + ".gamma", o.Gamma, "a value > 0");
        for (int i = 0; i < o.Milestones.Count; i++)
            e.Check(o.Milestones[i] >= 1 && (i == 0 || o.Milestones[i] > o.Milestones[i - 1]), path + ".milestones", o.Milestones[i], "increasing values >= 1");
        e.Check(o.TMax is null or > 0, path + ".T_max", o.TMax, "a value > 0 or null (the whole run)");
        e.Check(o.EtaMin >= 0, path + ".eta_min", o.EtaMin, ">= 0");
        e.Check(o.T0 >= 1, path + ".T_0", o.T0, ">= 1");
        e.Check(o.TMult >= 1, path + ".T_mult", o.TMult, ">= 1");
        e.Check(o.MaxLr is null or > 0, path + ".max_lr", o.MaxLr, "a value > 0 or null (the optimizer's lr)");
        e.Check(o.PctStart is > 0 and < 1, path + ".pct_start", o.PctStart, "a value in (0, 1)");
        e.Check(o.DivFactor > 0, path + ".div_factor", o.DivFactor, "a value > 0");
        e.Check(o.FinalDivFactor > 0, path + ".final_div_factor", o.FinalDivFactor, "a value > 0");
        e.Check(o.BaseMomentum is >= 0 and < 1, path + ".base_momentum", o.BaseMomentum, "a value in [0, 1)");
        e.Check(o.MaxMomentum is >= 0 and < 1 && o.MaxMomentum >= o.BaseMomentum, path + ".max_momentum", o.MaxMomentum, "a value in [base_momentum, 1)");
        e.OneOf(path + ".mode", o.Mode, ["min", "max"], "plateau mode");
        e.Check(o.Factor is > 0 and < 1, path + ".factor", o.Factor, "a value in (0, 1)");
        e.Check(o.Patience >= 0, path + ".patience", o.Patience, ">= 0");
        e.Check(o.Threshold >= 0, path + ".threshold", o.Threshold, ">= 0");
        e.OneOf(path + ".threshold_mode", o.ThresholdMode, ["rel", "abs"], "threshold mode");
        e.Check(o.Cooldown >= 0, path + ".cooldown", o.Cooldown, ">= 0");
        e.Check(o.MinLr >= 0, path + ".min_lr", o.MinLr, ">= 0");
        e.Check(o.WarmupSteps >= 0, path + ".warmup_steps", o.WarmupSteps, ">= 0");
        e.Check(o.WarmupStartFactor is > 0 and <= 1, path + ".warmup_start_factor", o.WarmupStartFactor, "a value in (0, 1]");
    }
}
