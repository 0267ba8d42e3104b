using Kindling.Optim;
using Kindling.Optim.Schedulers;

namespace Kindling.Training.Tasks;

/// <summary>
/// One optimizer a task declares: its name (how a manual step refers to it, and its checkpoint section), the
/// modules whose parameters it steps, its options and schedule, and how often it steps.
/// </summary>
/// <param name="Name">Unique within the task, e.g. "optimizer", "generator", "critic".</param>
public sealed record OptimizerSpec(string Name)
{
    /// <summary>Names of the task's modules whose trainable parameters this optimizer steps; null: all of them.</summary>
    public IReadOnlyList<string>? Modules { get; init; }

    /// <summary>The optimizer; null: the trainer's <see cref="TrainerOptions.Optimizer"/>.</summary>
    public OptimizerOptions? Options { get; init; }

    /// <summary>The schedule; null: the trainer's <see cref="TrainerOptions.Schedule"/>. Its steps are this optimizer's steps.</summary>
    public ScheduleOptions? Schedule { get; init; }

    /// <summary>
    /// Steps once every this many training steps (optimizer windows), counted in steps, not samples: a WGAN's
    /// generator with 5 steps once per 5 critic steps. <see cref="StepContext.IsDue"/> tells the step when.
    /// </summary>
    public int Every { get; init; } = 1;

    /// <summary>Clip this optimizer's global gradient norm; null: the trainer's <see cref="TrainerOptions.ClipGradNorm"/>.</summary>
    public double? ClipGradNorm { get; init; }
}
