using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>The <c>logging</c> section: what a run writes besides metrics and checkpoints.</summary>
public sealed record LoggingRecipe
{
    /// <summary>Write TensorBoard event files.</summary>
    public bool Tensorboard { get; init; } = true;

    /// <summary>Write PNG plots and embed them in the report.</summary>
    public bool Plots { get; init; } = true;

    /// <summary>Per-step scalars every this many optimizer steps.</summary>
    public int LogEveryNSteps { get; init; } = 50;

    internal void Validate(RecipeErrors e, string path) =>
        e.Check(LogEveryNSteps >= 1, path + ".log_every_n_steps", LogEveryNSteps, ">= 1");
}
