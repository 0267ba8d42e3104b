using static TorchSharp.torch.optim;

namespace Kindling.Optim.Schedulers;

/// <summary>
/// PyTorch's CosineAnnealingLR: eta_min + (base - eta_min) (1 + cos(pi t / T_max)) / 2. Past T_max it
/// keeps following the cosine back up, as PyTorch's does.
/// </summary>
public sealed class CosineAnnealingLR : LrScheduler
{
    readonly double tMax, etaMin;

    public CosineAnnealingLR(Optimizer optimizer, double T_max, double eta_min = 0, ScheduleUnit unit = ScheduleUnit.Epoch) : base(optimizer, unit)
    {
        if (T_max <= 0) throw new ArgumentOutOfRangeException(nameof(T_max), T_max, "T_max must be > 0 steps.");
        tMax = T_max;
        etaMin = eta_min;
        Start();
    }

    protected override double[] LrAt(int step) =>
        BaseLrs.Select(lr => etaMin + (lr - etaMin) * (1 + Math.Cos(Math.PI * step / tMax)) / 2).ToArray();
}
