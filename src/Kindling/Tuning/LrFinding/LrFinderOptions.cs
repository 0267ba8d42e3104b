namespace Kindling.Tuning.LrFinding;

/// <summary>
/// The learning-rate range test's settings: an exponential sweep from <see cref="StartLr"/> to
/// <see cref="EndLr"/> over <see cref="Steps"/> optimizer steps, the loss smoothed by an exponential
/// moving average with bias correction, stopped once the smoothed loss exceeds
/// <see cref="DivergenceFactor"/> times the best seen (fastai's and the seeds' find_lr).
/// </summary>
public sealed record LrFinderOptions
{
    /// <summary>The first step's learning rate.</summary>
    public double StartLr { get; init; } = 1e-7;

    /// <summary>The last step's learning rate (reached only when the loss has not diverged before).</summary>
    public double EndLr { get; init; } = 10;

    /// <summary>Optimizer steps in the sweep (at least 2); the loader's epochs are repeated when it has fewer batches.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>The moving average's beta: smoothed = beta x smoothed + (1 - beta) x loss, divided by 1 - beta^step.</summary>
    public double Smoothing { get; init; } = 0.98;

    /// <summary>Stop when the smoothed loss exceeds this many times the best smoothed loss.</summary>
    public double DivergenceFactor { get; init; } = 4;

    /// <summary>Clip the global gradient norm during the sweep to this; null: as the trainer options clip (their clip_grad_norm).</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>
    /// Points left out at the start when suggesting: the first smoothed values rest on a handful of batches
    /// (bias correction makes them unbiased, not steady). Fewer are left out when the sweep is short.
    /// </summary>
    public int SkipStart { get; init; } = 10;

    /// <summary>Points left out at the end when suggesting (the climb into divergence).</summary>
    public int SkipEnd { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public LrFinderOptions Validate()
    {
        if (!(StartLr > 0) || !double.IsFinite(StartLr)) throw new ArgumentException($"start lr must be a finite value > 0; got {StartLr}.");
        if (!double.IsFinite(EndLr) || !(EndLr > StartLr)) throw new ArgumentException($"end lr must be finite and greater than the start lr ({StartLr}); got {EndLr}.");
        if (Steps < 2) throw new ArgumentException($"the sweep needs at least 2 steps; got {Steps}.");
        if (Smoothing is < 0 or >= 1) throw new ArgumentException($"smoothing (beta) must be in [0, 1); got {Smoothing}.");
        if (!(DivergenceFactor > 1)) throw new ArgumentException($"the divergence factor must be > 1; got {DivergenceFactor}.");
        if (ClipGradNorm is <= 0) throw new ArgumentException($"clip_grad_norm must be > 0 or null; got {ClipGradNorm}.");
        if (SkipStart < 0 || SkipEnd < 0) throw new ArgumentException($"skip start/end must be >= 0; got {SkipStart}/{SkipEnd}.");
        return this;
    }
}
