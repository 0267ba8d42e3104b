using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Optim;

/// <summary>
/// Lookahead (Zhang et al. 2019) around any optimizer: the inner optimizer takes k fast steps,
/// then the slow weights move alpha of the way toward the fast ones and the fast weights restart
/// from there. Slow weights start at the parameters' values when Lookahead is made. TorchSharp
/// lacks it. Learning-rate schedules act on the inner optimizer's groups, which this exposes.
/// </summary>
public sealed class Lookahead : optim.Optimizer
{
    readonly optim.Optimizer inner;
    readonly Parameter[] fast;
    readonly Tensor[] slow;
    int steps;

    public Lookahead(optim.Optimizer inner, int k = 5, double alpha = 0.5) : base(IntPtr.Zero)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be >= 1 inner steps.");
        if (alpha is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in (0, 1].");
        this.inner = inner;
        K = k;
        Alpha = alpha;
        fast = inner.parameters().ToArray();
        using (no_grad()) slow = fast.Select(p => p.detach().clone()).ToArray();
    }

    public int K { get; }
    public double Alpha { get; }

    /// <summary>The optimizer taking the fast steps.</summary>
    public optim.Optimizer Inner => inner;

    /// <summary>Inner steps taken so far.</summary>
    public int Steps => steps;

    public override Tensor step(Func<Tensor>? closure = null)
    {
        var loss = inner.step(closure);
        if (++steps % K == 0)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            for (int i = 0; i < fast.Length; i++)
            {
                slow[i].add_(fast[i] - slow[i], Alpha);
                fast[i].copy_(slow[i]);
            }
        }
        return loss;
    }

    public override void zero_grad() => inner.zero_grad();

    public override IEnumerable<Parameter> parameters() => inner.parameters();

    public override IEnumerable<optim.ILearningRateController> ParamGroups => inner.ParamGroups;

    /// <summary>The slow weights, in the order of <see cref="parameters"/> (for checkpoints).</summary>
    public IReadOnlyList<Tensor> SlowWeights => slow;

    /// <summary>Restores the step count (for resume).</summary>
    public void Restore(int innerSteps) => steps = innerSteps;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var s in slow) s.Dispose();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
