using static TorchSharp.torch.optim;

namespace Kindling.Optim.Schedulers;

/// <summary>
/// PyTorch's ReduceLROnPlateau: after more than <c>patience</c> epochs without improvement of the
/// watched metric, multiply the LR by <c>factor</c> (not below <c>min_lr</c>), then wait
/// <c>cooldown</c> epochs. Stepped per epoch with the metric: <see cref="Step(double)"/>.
/// </summary>
public sealed class ReduceLROnPlateau : LrScheduler
{
    readonly bool maximize, relative;
    readonly double factor, threshold, eps;
    readonly int patience, cooldown;
    readonly double[] minLr;
    double best;
    int badEpochs, cooldownLeft;

    /// <param name="optimizer">The optimizer whose LRs to reduce.</param>
    /// <param name="mode">"min" (a loss) or "max" (an accuracy).</param>
    /// <param name="factor">Multiplier applied on a plateau, in (0, 1).</param>
    /// <param name="patience">Epochs without improvement tolerated before reducing.</param>
    /// <param name="threshold">Smallest change that counts as improvement.</param>
    /// <param name="threshold_mode">"rel" (relative to the best) or "abs".</param>
    /// <param name="cooldown">Epochs to wait after a reduction before counting again.</param>
    /// <param name="min_lr">Lower bound: one value or one per group.</param>
    /// <param name="eps">Reductions smaller than this are skipped.</param>
    public ReduceLROnPlateau(Optimizer optimizer, string mode = "min", double factor = 0.1, int patience = 10, double threshold = 1e-4,
        string threshold_mode = "rel", int cooldown = 0, IReadOnlyList<double>? min_lr = null, double eps = 1e-8)
        : base(optimizer, ScheduleUnit.Epoch)
    {
        maximize = mode switch
        {
            "min" => false,
            "max" => true,
            _ => throw new ArgumentException($"mode '{mode}' is not known: expected 'min' or 'max'.", nameof(mode)),
        };
        relative = threshold_mode switch
        {
            "rel" => true,
            "abs" => false,
            _ => throw new ArgumentException($"threshold_mode '{threshold_mode}' is not known: expected 'rel' or 'abs'.", nameof(threshold_mode)),
        };
        if (factor is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be in (0, 1).");
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be >= 0.");
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.eps = eps;
        minLr = PerGroup(min_lr ?? new[] { 0.0 }, nameof(min_lr));
        best = maximize ? double.NegativeInfinity : double.PositiveInfinity;
        LastEpoch = 0;
    }

    /// <summary>A plateau schedule needs the metric: use <see cref="Step(double)"/>.</summary>
    public override void Step() =>
        throw new InvalidOperationException("ReduceLROnPlateau steps with the watched metric: call Step(metric) once per epoch.");

    /// <summary>Records one epoch's metric and reduces the LR when it has plateaued.</summary>
    public void Step(double metric)
    {
        LastEpoch++;
        if (IsBetter(metric))
        {
            best = metric;
            badEpochs = 0;
        }
        else badEpochs++;
        if (cooldownLeft > 0)
        {
            cooldownLeft--;
            badEpochs = 0;
        }
        if (badEpochs > patience)
        {
            for (int i = 0; i < Groups.Count; i++)
            {
                double old = Groups[i].LearningRate, updated = Math.Max(old * factor, minLr[i]);
                if (old - updated > eps) Groups[i].LearningRate = updated;
            }
            cooldownLeft = cooldown;
            badEpochs = 0;
        }
    }

    bool IsBetter(double a) => (maximize, relative) switch
    {
        (false, true) => a < best * (1 - threshold),
        (false, false) => a < best - threshold,
        (true, true) => a > best * (threshold + 1),
        (true, false) => a > best + threshold,
    };

    /// <summary>The LR stays as the plateau logic left it; there is no closed form.</summary>
    protected override double[] LrAt(int step) => Groups.Select(g => g.LearningRate).ToArray();

    public override Dictionary<string, double> StateDict()
    {
        var s = base.StateDict();
        s["best"] = best;
        s["num_bad_epochs"] = badEpochs;
        s["cooldown_counter"] = cooldownLeft;
        for (int i = 0; i < Groups.Count; i++) s[$"lr_{i}"] = Groups[i].LearningRate;
        return s;
    }

    public override void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        best = state["best"];
        badEpochs = (int)state["num_bad_epochs"];
        cooldownLeft = (int)state["cooldown_counter"];
        LastEpoch = (int)state["last_epoch"];
        for (int i = 0; i < Groups.Count; i++) Groups[i].LearningRate = state[$"lr_{i}"];
    }
}
