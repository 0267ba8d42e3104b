using System.Globalization;
using Kindling.Training;

namespace Kindling.Diagnostics.Profiling;

/// <summary>
/// A profile's result: mean milliseconds per step in each phase, each phase's share, and the verdict of
/// the seeds' bottleneck question: data-bound (the step waits for the loader at least
/// <see cref="DataBoundShare"/> of its time) or compute-bound.
/// </summary>
public sealed record ProfileSummary
{
    /// <summary>Waiting for data this share of the step or more makes the run data-bound.</summary>
    public const double DataBoundShare = 0.25;

    /// <summary>Steps measured (after the warm-up).</summary>
    public int Steps { get; init; }

    /// <summary>Mean milliseconds of a whole step.</summary>
    public double StepMs { get; init; }

    /// <summary>Every phase in step order with its mean milliseconds and share of the step.</summary>
    public IReadOnlyList<PhaseTime> Phases { get; init; } = [];

    /// <summary>"data" or "compute".</summary>
    public string Bound { get; init; } = "compute";

    /// <summary>One line: the verdict, with the numbers behind it and what to do.</summary>
    public string Verdict { get; init; } = "";

    /// <summary>Whether the device was synchronized at each boundary (CUDA).</summary>
    public bool Synchronized { get; init; }

    /// <summary>The share of one phase.</summary>
    public double Share(StepPhase phase) => Phases.First(p => p.Phase == phase).Share;

    internal static ProfileSummary From(IReadOnlyList<double[]> steps, bool synchronized)
    {
        var phases = Enum.GetValues<StepPhase>();
        var means = phases.Select(p => steps.Count == 0 ? 0 : steps.Average(s => s[(int)p]) * 1000).ToArray();
        double total = means.Sum();
        var times = phases.Select((p, i) => new PhaseTime(p, means[i], total > 0 ? means[i] / total : 0)).ToList();
        double data = times[(int)StepPhase.Data].Share;
        double compute = times.Where(t => t.Phase is StepPhase.Forward or StepPhase.Backward or StepPhase.Optimizer).Sum(t => t.Share);
        bool dataBound = data >= DataBoundShare;
        var largest = times.Where(t => t.Phase != StepPhase.Data).MaxBy(t => t.Ms)!;
        string verdict = steps.Count == 0 ? "no steps were measured."
            : dataBound
                ? string.Create(CultureInfo.InvariantCulture, $"data-bound: {data * 100:F0}% of each {total:F1} ms step waits for the loader (compute {compute * 100:F0}%): add workers (data.num_workers), lighten the augmentation or keep decoded images in memory.")
                : string.Create(CultureInfo.InvariantCulture, $"compute-bound: forward, backward and optimizer take {compute * 100:F0}% of each {total:F1} ms step ({Name(largest.Phase)} the most, {largest.Share * 100:F0}%); the loader keeps up ({data * 100:F0}% waiting).");
        return new ProfileSummary { Steps = steps.Count, StepMs = total, Phases = times, Bound = dataBound ? "data" : "compute", Verdict = verdict, Synchronized = synchronized };
    }

    /// <summary>The phase's name as the table and JSON show it (snake_case).</summary>
    public static string Name(StepPhase phase) => phase switch
    {
        StepPhase.Data => "data",
        StepPhase.HostToDevice => "host_to_device",
        StepPhase.Forward => "forward",
        StepPhase.Backward => "backward",
        StepPhase.Optimizer => "optimizer",
        _ => "logging",
    };
}
