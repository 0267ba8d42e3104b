using Kindling.Config.Yaml;
using Kindling.Training;

namespace Kindling.Config.Sections;

/// <summary>The <c>training</c> section: the loop's engineering (length, accumulation, clipping, precision, device, seed, EMA, early stopping, best-checkpoint metric).</summary>
public sealed record TrainingRecipe
{
    /// <summary>Epochs to train; <c>auto</c>: as many as fit <see cref="TimeBudgetMinutes"/>, measured before training (<see cref="Tools.RecipeTimeBudget"/>).</summary>
    [AutoValue(nameof(EpochsIsAuto))]
    public int Epochs { get; init; } = 10;

    /// <summary>The recipe says <c>epochs: auto</c> and no number has been chosen yet.</summary>
    public bool EpochsIsAuto { get; internal init; }

    /// <summary>
    /// Minutes of training (the epochs with their validation) the run may take; null: no limit. The fit stops at the end of
    /// the first epoch after which another would not fit, and <c>epochs: auto</c> chooses the epochs that fit it, so that a
    /// schedule sized by the epochs (one_cycle_lr, cosine) still runs to its end.
    /// </summary>
    public double? TimeBudgetMinutes { get; init; }

    /// <summary>Batches whose gradients are summed before one optimizer step.</summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>Clip the global gradient norm (of clip_grad_norm_type, L2 by default) to this; null: no clipping.</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>The norm clip_grad_norm measures (PyTorch's norm_type): 2, 1, any p > 0, or <c>inf</c> (the largest absolute element).</summary>
    public double ClipGradNormType { get; init; } = 2;

    /// <summary>Clip every gradient element to [-v, v]; null: no clipping.</summary>
    public double? ClipGradValue { get; init; }

    /// <summary>off, skip (skip the step) or stop (end the run) on a non-finite loss or gradient.</summary>
    public string NonFinite { get; init; } = "skip";

    /// <summary>fp32, bf16_mixed or fp16_mixed.</summary>
    public string Precision { get; init; } = "fp32";

    /// <summary>auto, cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>libtorch intra-op threads; null: one per core.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Allow TF32 tensor-core math in CUDA matmuls and cuDNN convolutions (PyTorch's torch.backends.cuda.matmul.allow_tf32
    /// and torch.backends.cudnn.allow_tf32); null: libtorch's defaults. No effect on the CPU.
    /// </summary>
    public bool? Tf32 { get; init; }

    /// <summary>One seed for data order, augmentation, init, dropout and batch mixing.</summary>
    public long Seed { get; init; }

    /// <summary>EMA of the weights; null: none.</summary>
    public EmaRecipe? Ema { get; init; }

    /// <summary>Early stopping; null: run every epoch.</summary>
    public EarlyStoppingOptions? EarlyStopping { get; init; }

    /// <summary>Metric deciding the best checkpoint; null: the task's (a classifier's val_accuracy). Checked against the task's metrics.</summary>
    public string? Monitor { get; init; }

    /// <summary>min or max; null: the direction the task declares for the metric.</summary>
    public string? MonitorMode { get; init; }

    /// <summary>The k of the top-k accuracy reported.</summary>
    public int TopK { get; init; } = 5;

    internal static readonly string[] Precisions = ["fp32", "bf16_mixed", "fp16_mixed"];
    internal static readonly string[] NonFiniteActions = ["off", "skip", "stop"];

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(Epochs >= 1, path + ".epochs", Epochs, ">= 1");
        e.Check(TimeBudgetMinutes is null or > 0, path + ".time_budget_minutes", TimeBudgetMinutes, "a value > 0 or null (no limit)");
        if (EpochsIsAuto && TimeBudgetMinutes is null)
            e.Add(path + ".epochs", "auto chooses the epochs that fit training.time_budget_minutes, which is not set: set it (e.g. 55) or give a number of epochs.");
        e.Check(AccumulationSteps >= 1, path + ".accumulation_steps", AccumulationSteps, ">= 1");
        e.Check(ClipGradNorm is null or > 0, path + ".clip_grad_norm", ClipGradNorm, "a value > 0 or null");
        e.Check(ClipGradNormType > 0, path + ".clip_grad_norm_type", ClipGradNormType, "a value > 0 or inf");
        e.Check(ClipGradValue is null or > 0, path + ".clip_grad_value", ClipGradValue, "a value > 0 or null");
        e.OneOf(path + ".non_finite", NonFinite, NonFiniteActions, "non-finite action");
        e.OneOf(path + ".precision", Precision, Precisions, "precision");
        if (!(Device is "auto" or "cpu" or "cuda" || (Device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(Device.AsSpan(5), out int n) && n >= 0)))
            e.Add(path + ".device", $"'{Device}' is not a device; allowed: auto, cpu, cuda, cuda:N.");
        e.Check(Threads is null or >= 1, path + ".threads", Threads, ">= 1 or null (one per core)");
        e.Check(Seed >= 0, path + ".seed", Seed, ">= 0");
        Ema?.Validate(e, path + ".ema");
        if (EarlyStopping is not null) EarlyStoppingValidation.Validate(EarlyStopping, e, path + ".early_stopping");
        if (MonitorMode is not null) e.OneOf(path + ".monitor_mode", MonitorMode, ["min", "max"], "mode");
        e.Check(TopK >= 1, path + ".top_k", TopK, ">= 1");
    }
}
