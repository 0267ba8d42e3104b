namespace Kindling.Diagnostics.Gradients;

/// <summary>Where <see cref="GradientMonitor"/> writes and how often.</summary>
public sealed record GradientMonitorOptions
{
    /// <summary>TensorBoard folder for per-parameter scalars (gradients/norm/NAME, gradients/mean_abs/NAME, weights/norm/NAME); null: none.</summary>
    public string? TensorBoardDir { get; init; }

    /// <summary>Per-parameter scalars every this many optimizer steps (statistics and NaN detection still run every step).</summary>
    public int LogEvery { get; init; } = 10;

    /// <summary>gradients.jsonl: one line per epoch with every parameter's statistics; null: none.</summary>
    public string? JsonlPath { get; init; }

    /// <summary>Told at once, in words, of the first non-finite gradient (e.g. the console).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Hook every module to name the first whose output is not finite (one reduction per module output).</summary>
    public bool LocateForward { get; init; } = true;
}
