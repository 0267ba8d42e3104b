using static TorchSharp.torch.optim;

namespace Kindling.Optim.Schedulers;

/// <summary>
/// PyTorch's OneCycleLR (stepped per batch): warm up from max_lr/div_factor to max_lr over
/// pct_start of the steps, then anneal to initial_lr/final_div_factor; with three_phase, back down
/// to the initial LR first and then to the minimum. Momentum (SGD's momentum, Adam's beta1) cycles
/// inversely between max_momentum and base_momentum when cycle_momentum is on. Stepping past
/// total_steps is an error, as in PyTorch.
/// </summary>
public sealed class OneCycleLR : LrScheduler
{
    sealed record Phase(double EndStep, Func<int, double> StartLr, Func<int, double> EndLr, Func<int, double> StartMomentum, Func<int, double> EndMomentum);

    readonly int totalSteps;
    readonly double[] initialLr, maxLr, minLr, baseMomentum, maxMomentum;
    readonly Phase[] phases;
    readonly AnnealStrategy anneal;
    readonly bool cycleMomentum;

    /// <param name="optimizer">The optimizer; its groups' LRs are replaced by the schedule's.</param>
    /// <param name="max_lr">Peak LR: one value or one per parameter group.</param>
    /// <param name="total_steps">Steps in the cycle; or give <paramref name="epochs"/> and <paramref name="steps_per_epoch"/>.</param>
    /// <param name="epochs">Epochs in the cycle (with steps_per_epoch).</param>
    /// <param name="steps_per_epoch">Optimizer steps per epoch (with epochs).</param>
    /// <param name="pct_start">Fraction of the cycle spent increasing the LR.</param>
    /// <param name="anneal_strategy">Cos or Linear.</param>
    /// <param name="cycle_momentum">Cycle momentum (or beta1) inversely to the LR.</param>
    /// <param name="base_momentum">Lowest momentum (at the LR peak).</param>
    /// <param name="max_momentum">Highest momentum (at the start and end).</param>
    /// <param name="div_factor">initial_lr = max_lr / div_factor.</param>
    /// <param name="final_div_factor">min_lr = initial_lr / final_div_factor.</param>
    /// <param name="three_phase">Use the symmetric warm-up/cool-down and then a final annealing phase.</param>
    public OneCycleLR(Optimizer optimizer, IReadOnlyList<double> max_lr, int? total_steps = null, int? epochs = null, int? steps_per_epoch = null,
        double pct_start = 0.3, AnnealStrategy anneal_strategy = AnnealStrategy.Cos, bool cycle_momentum = true,
        double base_momentum = 0.85, double max_momentum = 0.95, double div_factor = 25.0, double final_div_factor = 1e4, bool three_phase = false)
        : base(optimizer, ScheduleUnit.Batch)
    {
        if (total_steps is int t)
        {
            if (t <= 0) throw new ArgumentOutOfRangeException(nameof(total_steps), t, "total_steps must be a positive integer.");
            totalSteps = t;
        }
        else if (epochs is int e && steps_per_epoch is int s)
        {
            if (e <= 0) throw new ArgumentOutOfRangeException(nameof(epochs), e, "epochs must be a positive integer.");
            if (s <= 0) throw new ArgumentOutOfRangeException(nameof(steps_per_epoch), s, "steps_per_epoch must be a positive integer.");
            totalSteps = e * s;
        }
        else throw new ArgumentException("OneCycleLR needs total_steps, or both epochs and steps_per_epoch.");
        if (pct_start is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(pct_start), pct_start, "pct_start must be in [0, 1].");

        maxLr = PerGroup(max_lr, nameof(max_lr));
        initialLr = maxLr.Select(m => m / div_factor).ToArray();
        minLr = initialLr.Select(i => i / final_div_factor).ToArray();
        anneal = anneal_strategy;
        cycleMomentum = cycle_momentum;
        baseMomentum = Enumerable.Repeat(base_momentum, Groups.Count).ToArray();
        maxMomentum = Enumerable.Repeat(max_momentum, Groups.Count).ToArray();
        if (cycleMomentum)
        {
            if (Groups.Any(g => g is not IMomentum and not IBetas))
                throw new ArgumentException("cycle_momentum is on but the optimizer has neither momentum nor betas; set cycle_momentum: false.");
            for (int i = 0; i < Groups.Count; i++) SetMomentum(i, maxMomentum[i]);
        }

        double pctSteps = pct_start * totalSteps;
        phases = three_phase
            ? new[]
            {
                new Phase(pctSteps - 1, g => initialLr[g], g => maxLr[g], g => maxMomentum[g], g => baseMomentum[g]),
                new Phase(2 * pctSteps - 2, g => maxLr[g], g => initialLr[g], g => baseMomentum[g], g => maxMomentum[g]),
                new Phase(totalSteps - 1, g => initialLr[g], g => minLr[g], g => maxMomentum[g], g => maxMomentum[g]),
            }
            : new[]
            {
                new Phase(pctSteps - 1, g => initialLr[g], g => maxLr[g], g => maxMomentum[g], g => baseMomentum[g]),
                new Phase(totalSteps - 1, g => maxLr[g], g => minLr[g], g => baseMomentum[g], g => maxMomentum[g]),
            };
        Start();
    }

    /// <summary>Steps in the whole cycle.</summary>
    public int TotalSteps => totalSteps;

    public override void Step()
    {
        if (LastEpoch + 1 > totalSteps)
            throw new InvalidOperationException($"OneCycleLR was stepped {LastEpoch + 1} times but was set up for {totalSteps} steps " +
                                                "(total_steps, or epochs x steps_per_epoch, must count every optimizer step).");
        base.Step();
    }

    protected override double[] LrAt(int step)
    {
        var lrs = new double[Groups.Count];
        for (int g = 0; g < Groups.Count; g++)
        {
            double start = 0;
            for (int p = 0; p < phases.Length; p++)
            {
                var phase = phases[p];
                if (step <= phase.EndStep || p == phases.Length - 1)
                {
                    double pct = (step - start) / (phase.EndStep - start);
                    lrs[g] = Anneal(phase.StartLr(g), phase.EndLr(g), pct);
                    if (cycleMomentum) SetMomentum(g, Anneal(phase.StartMomentum(g), phase.EndMomentum(g), pct));
                    break;
                }
                start = phase.EndStep;
            }
        }
        return lrs;
    }

    double Anneal(double start, double end, double pct) => anneal == AnnealStrategy.Cos
        ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1)
        : (end - start) * pct + start;

    void SetMomentum(int group, double momentum)
    {
        switch (Groups[group])
        {
            case IBetas b:
                b.Betas = (momentum, b.Betas.Item2);
                break;
            case IMomentum m:
                m.Momentum = momentum;
                break;
        }
    }
}
