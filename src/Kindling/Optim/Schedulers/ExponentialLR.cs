using static TorchSharp.torch.optim;

namespace Kindling.Optim.Schedulers;

/// <summary>PyTorch's ExponentialLR: the LR is multiplied by <c>gamma</c> every step.</summary>
public sealed class ExponentialLR : LrScheduler
{
    readonly double gamma;

    public ExponentialLR(Optimizer optimizer, double gamma, ScheduleUnit unit = ScheduleUnit.Epoch) : base(optimizer, unit)
    {
        if (gamma <= 0) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be > 0.");
        this.gamma = gamma;
        Start();
    }

    protected override double[] LrAt(int step) => BaseLrs.Select(lr => lr * Math.Pow(gamma, step)).ToArray();
}
