using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>
/// The <c>distillation</c> section: train the recipe's model as the student of a frozen teacher checkpoint with
/// the seeds' loss, alpha * CE(student, labels) + (1 - alpha) * T^2 * KL(softmax(teacher / T) || softmax(student / T)).
/// No teacher: plain training.
/// </summary>
public sealed record DistillationRecipe
{
    /// <summary>A checkpoint written by <c>kindling train</c> (or <c>kindling import</c>); null: no distillation.</summary>
    public string? Teacher { get; init; }

    /// <summary>Weight of the hard-label cross-entropy; the soft-target term gets 1 - alpha.</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Softmax temperature T of both distributions in the KL term.</summary>
    public double Temperature { get; init; } = 4.0;

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(Teacher is null || Teacher.Trim().Length > 0, path + ".teacher", Teacher, "a checkpoint path, or null for no distillation");
        e.Check(Alpha is >= 0 and <= 1, path + ".alpha", Alpha, "a weight in [0, 1] (1: labels only, 0: teacher only)");
        e.Check(Temperature > 0, path + ".temperature", Temperature, "a temperature > 0 (the seeds use 4)");
    }
}
