using static TorchSharp.torch.optim;

namespace Kindling.Optim.Schedulers;

/// <summary>PyTorch's MultiStepLR: the LR is multiplied by <c>gamma</c> at each milestone (a milestone given twice counts twice).</summary>
public sealed class MultiStepLR : LrScheduler
{
    readonly int[] milestones;
    readonly double gamma;

    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, ScheduleUnit unit = ScheduleUnit.Epoch) : base(optimizer, unit)
    {
        this.milestones = milestones.OrderBy(m => m).ToArray();
        if (this.milestones.Length == 0) throw new ArgumentException("milestones must name at least one step.", nameof(milestones));
        if (this.milestones[0] < 0) throw new ArgumentOutOfRangeException(nameof(milestones), this.milestones[0], "milestones must be steps >= 0.");
        this.gamma = gamma;
        Start();
    }

    protected override double[] LrAt(int step)
    {
        int passed = milestones.Count(m => m <= step);
        return BaseLrs.Select(lr => lr * Math.Pow(gamma, passed)).ToArray();
    }
}
