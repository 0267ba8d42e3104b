using static TorchSharp.torch.optim;

namespace Kindling.Optim.Schedulers;

/// <summary>
/// A learning-rate schedule over an optimizer's parameter groups, with PyTorch's stepping
/// semantics: the constructor applies the LR of step 0 (PyTorch's initial <c>step()</c>), each
/// <see cref="Step"/> advances <see cref="LastEpoch"/> by one and applies its LR. Base LRs are the
/// groups' LRs when the schedule is made. Kindling's own (TorchSharp's schedulers keep their state
/// internal, so they cannot be saved, resumed or wrapped by a warm-up).
/// </summary>
public abstract class LrScheduler
{
    protected LrScheduler(Optimizer optimizer, ScheduleUnit unit)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Groups = optimizer.ParamGroups.ToArray();
        if (Groups.Count == 0) throw new ArgumentException("the optimizer has no parameter groups to schedule.");
        BaseLrs = Groups.Select(g => g.LearningRate).ToArray();
        Unit = unit;
    }

    /// <summary>The optimizer whose LRs this sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Whether a step is a batch or an epoch.</summary>
    public ScheduleUnit Unit { get; }

    /// <summary>The groups' LRs when the schedule was made.</summary>
    public IReadOnlyList<double> BaseLrs { get; private set; }

    /// <summary>Steps taken so far; 0 right after construction (PyTorch's <c>last_epoch</c>).</summary>
    public int LastEpoch { get; protected set; } = -1;

    /// <summary>The LR each group has now.</summary>
    public IReadOnlyList<double> LastLr => Groups.Select(g => g.LearningRate).ToArray();

    protected IReadOnlyList<ILearningRateController> Groups { get; }

    /// <summary>Advances one step (a batch or an epoch, see <see cref="Unit"/>) and applies its LR.</summary>
    public virtual void Step()
    {
        LastEpoch++;
        Apply(LrAt(LastEpoch));
    }

    /// <summary>The LR of every group at <paramref name="step"/> (closed form).</summary>
    protected abstract double[] LrAt(int step);

    /// <summary>PyTorch's initial step: derived constructors call this last.</summary>
    protected void Start() => Step();

    protected void Apply(IReadOnlyList<double> lrs)
    {
        for (int i = 0; i < Groups.Count; i++) Groups[i].LearningRate = lrs[i];
    }

    /// <summary>Per-group values from one value or one per group, with a clear error otherwise.</summary>
    protected double[] PerGroup(IReadOnlyList<double> values, string name)
    {
        if (values.Count == 1) return Enumerable.Repeat(values[0], Groups.Count).ToArray();
        if (values.Count == Groups.Count) return values.ToArray();
        throw new ArgumentException($"{name} has {values.Count} values but the optimizer has {Groups.Count} parameter groups: give one value, or one per group.");
    }

    /// <summary>What resuming needs: the step count and the schedule's own counters.</summary>
    public virtual Dictionary<string, double> StateDict() => new() { ["last_epoch"] = LastEpoch };

    /// <summary>Restores <see cref="StateDict"/>'s values (the LRs are re-applied from them).</summary>
    public virtual void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        LastEpoch = (int)state["last_epoch"];
        Apply(LrAt(LastEpoch));
    }
}
