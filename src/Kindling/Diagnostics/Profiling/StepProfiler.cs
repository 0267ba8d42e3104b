using System.Diagnostics;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Profiling;

/// <summary>
/// Where each training step's time goes (waiting for data, host-to-device, forward, backward, optimizer,
/// logging): give it to the Trainer as <see cref="TrainerOptions.StepTimer"/> and read <see cref="Summary"/>
/// after Fit. On CPU libtorch runs synchronously, so the clock at a phase boundary is exact; on CUDA the
/// device is synchronized at every boundary (only while profiling: it costs the overlap of host and device).
/// </summary>
/// <example><code>
/// var profiler = new StepProfiler();
/// new Trainer(options with { StepTimer = profiler }).Fit(model, train);
/// Console.WriteLine(profiler.Summary().Verdict);
/// </code></example>
public sealed class StepProfiler : IStepTimer
{
    static readonly int Phases = Enum.GetValues<StepPhase>().Length;
    readonly List<double[]> steps = [];
    readonly Stopwatch clock = Stopwatch.StartNew();
    double[] current = new double[Phases];
    double last;
    bool cuda;

    /// <summary>Steps left out of the summary at the start of the run (worker start-up, first-call allocations); default 1.</summary>
    public int WarmupSteps { get; init; } = 1;

    /// <summary>Per step, seconds per phase (indexed by <see cref="StepPhase"/>), warm-up included.</summary>
    public IReadOnlyList<double[]> Steps => steps;

    /// <inheritdoc/>
    public void EpochStart(Device device)
    {
        cuda = device.type == TorchSharp.DeviceType.CUDA;
        Array.Clear(current);
        last = Now();
    }

    /// <inheritdoc/>
    public void PhaseEnd(StepPhase phase)
    {
        double now = Now();
        current[(int)phase] += now - last;
        last = now;
    }

    /// <inheritdoc/>
    public void StepEnd()
    {
        steps.Add(current);
        current = new double[Phases];
    }

    /// <summary>Mean time per phase over the steps after the warm-up, and the verdict.</summary>
    public ProfileSummary Summary() => ProfileSummary.From(steps.Count > WarmupSteps ? steps.Skip(WarmupSteps).ToList() : steps, cuda);

    double Now()
    {
        if (cuda) TorchSharp.torch.cuda.synchronize();
        return clock.Elapsed.TotalSeconds;
    }
}
