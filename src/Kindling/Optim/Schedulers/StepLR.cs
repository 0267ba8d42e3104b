using static TorchSharp.torch.optim;

namespace Kindling.Optim.Schedulers;

/// <summary>PyTorch's StepLR: every <c>step_size</c> steps the LR is multiplied by <c>gamma</c>.</summary>
public sealed class StepLR : LrScheduler
{
    readonly int stepSize;
    readonly double gamma;

    public StepLR(Optimizer optimizer, int step_size, double gamma = 0.1, ScheduleUnit unit = ScheduleUnit.Epoch) : base(optimizer, unit)
    {
        if (step_size < 1) throw new ArgumentOutOfRangeException(nameof(step_size), step_size, "step_size must be a positive number of steps.");
        stepSize = step_size;
        this.gamma = gamma;
        Start();
    }

    protected override double[] LrAt(int step) => BaseLrs.Select(lr => lr * Math.Pow(gamma, step / stepSize)).ToArray();
}
