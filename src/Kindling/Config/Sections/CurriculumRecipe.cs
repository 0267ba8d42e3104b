using Kindling.Config.Yaml;
using Kindling.Data.Loading;

namespace Kindling.Config.Sections;

/// <summary>
/// <c>data.curriculum</c>: curriculum learning (seed 004 6.3). A scoring checkpoint ranks the training images by difficulty
/// (its loss on each, or the entropy of its prediction), and each epoch draws from the easiest part of the split, a part
/// that grows by the pacing function until it is the whole split. Null (the default): no curriculum.
/// </summary>
public sealed record CurriculumRecipe
{
    /// <summary>A classifier checkpoint of the same data (written by <c>kindling train</c>) that scores the training images; a relative path is taken from the current folder.</summary>
    public string? Scorer { get; init; }

    /// <summary><c>loss</c> (the scorer's cross-entropy on the true label: hard = misclassified) or <c>entropy</c> (of its prediction: hard = uncertain).</summary>
    public string Difficulty { get; init; } = "loss";

    /// <summary>How the pool grows: <c>linear</c> (the seed's), <c>root</c>, <c>exponential</c> or <c>step</c>.</summary>
    public string Pacing { get; init; } = "linear";

    /// <summary>Fraction of the split, the easiest, that the first epoch draws from, in (0, 1]; 0.2 as the seed.</summary>
    public double InitialFraction { get; init; } = 0.2;

    /// <summary>Fraction of training, in (0, 1], by which the whole split is used (1: the seed's formula, which never quite gets there).</summary>
    public double FullDataAt { get; init; } = 0.8;

    /// <summary>Equal steps of the <c>step</c> pacing.</summary>
    public int Steps { get; init; } = 4;

    /// <summary>The difficulty measures <see cref="Difficulty"/> may name.</summary>
    public static IReadOnlyList<string> Difficulties { get; } = ["loss", "entropy"];

    /// <summary>The pacing functions <see cref="Pacing"/> may name.</summary>
    public static IReadOnlyList<string> Pacings { get; } = ["linear", "root", "exponential", "step"];

    /// <summary>The pacing function as the sampler takes it.</summary>
    public CurriculumPacing ToPacing() => new()
    {
        Kind = Enum.Parse<PacingKind>(Pacing, ignoreCase: true),
        InitialFraction = InitialFraction,
        FullDataAt = FullDataAt,
        Steps = Steps,
    };

    internal void Validate(RecipeErrors e, string path)
    {
        if (string.IsNullOrWhiteSpace(Scorer)) e.Add(path + ".scorer", "is missing; expected a classifier checkpoint of the same data that ranks the images by difficulty (e.g. runs/NAME/checkpoints/best.ckpt).");
        e.OneOf(path + ".difficulty", Difficulty, Difficulties, "difficulty");
        e.OneOf(path + ".pacing", Pacing, Pacings, "pacing");
        e.Check(InitialFraction is > 0 and <= 1, path + ".initial_fraction", InitialFraction, "in (0, 1]: the fraction of the split the first epoch uses");
        e.Check(FullDataAt is > 0 and <= 1, path + ".full_data_at", FullDataAt, "in (0, 1]: the fraction of training by which the whole split is used");
        e.Check(Steps >= 1, path + ".steps", Steps, ">= 1");
    }
}
