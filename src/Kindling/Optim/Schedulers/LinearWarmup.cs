using static TorchSharp.torch.optim;

namespace Kindling.Optim.Schedulers;

/// <summary>
/// Linear warm-up in front of any schedule: for the first <c>warmup_steps</c> steps the LR rises
/// from start_factor x base to the base LR (PyTorch's LinearLR), then the wrapped schedule runs
/// from its own step 0 — the same LRs as PyTorch's SequentialLR([LinearLR, inner], milestones=[warmup_steps]).
/// The wrapped schedule must use the same optimizer; it is built first (its step 0 is replaced).
/// </summary>
public sealed class LinearWarmup : LrScheduler
{
    readonly LrScheduler inner;
    readonly int warmupSteps;
    readonly double startFactor;

    public LinearWarmup(LrScheduler inner, int warmup_steps, double start_factor = 1.0 / 3)
        : base(inner.Optimizer, inner.Unit)
    {
        if (inner is ReduceLROnPlateau) throw new ArgumentException("a warm-up cannot wrap ReduceLROnPlateau, which has no step count to shift.", nameof(inner));
        if (warmup_steps < 1) throw new ArgumentOutOfRangeException(nameof(warmup_steps), warmup_steps, "warmup_steps must be >= 1.");
        if (start_factor is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(start_factor), start_factor, "start_factor must be in (0, 1].");
        this.inner = inner;
        warmupSteps = warmup_steps;
        startFactor = start_factor;
        BaseLrsOverride = inner.BaseLrs;
        Start();
    }

    IReadOnlyList<double> BaseLrsOverride { get; }

    /// <summary>The schedule that runs after the warm-up.</summary>
    public LrScheduler Inner => inner;

    public override void Step()
    {
        LastEpoch++;
        if (LastEpoch < warmupSteps) Apply(LrAt(LastEpoch));
        else if (LastEpoch == warmupSteps) inner.LoadStateDict(ResetState(inner));
        else inner.Step();
    }

    static Dictionary<string, double> ResetState(LrScheduler s)
    {
        var state = s.StateDict();
        state["last_epoch"] = 0;
        if (state.ContainsKey("T_cur")) state["T_cur"] = 0;
        return state;
    }

    protected override double[] LrAt(int step) =>
        BaseLrsOverride.Select(lr => lr * (startFactor + (1 - startFactor) * Math.Min(step, warmupSteps) / warmupSteps)).ToArray();

    public override Dictionary<string, double> StateDict()
    {
        var s = inner.StateDict().ToDictionary(kv => "inner." + kv.Key, kv => kv.Value);
        s["last_epoch"] = LastEpoch;
        return s;
    }

    public override void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        LastEpoch = (int)state["last_epoch"];
        inner.LoadStateDict(state.Where(kv => kv.Key.StartsWith("inner.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[6..], kv => kv.Value));
        if (LastEpoch < warmupSteps) Apply(LrAt(LastEpoch));
    }
}
