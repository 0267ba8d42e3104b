namespace Kindling.Config.Sections;

/// <summary>
/// The <c>transforms</c> section: per-sample transforms for training and for evaluation. When a list
/// names neither <c>to_tensor</c> nor <c>normalize</c>, both are implied after its last uint8
/// transform (before random_erasing, gaussian_noise and cutout, which work on normalized float
/// images), with the data section's mean and std; write them in the list to place them yourself.
/// </summary>
public sealed record TransformsRecipe
{
    /// <summary>Training-time augmentation.</summary>
    public IReadOnlyList<TransformStep> Train { get; init; } = [];

    /// <summary>
    /// Views of every training image, each through <see cref="Train"/> with its own random draws (SimCLR and MoCo: 2);
    /// 1: an ordinary single-view loader.
    /// </summary>
    public int Views { get; init; } = 1;

    /// <summary>Evaluation-time transforms (validation, test, eval and predict); usually none beyond the implied normalization.</summary>
    public IReadOnlyList<TransformStep> Eval { get; init; } = [];

    internal void Validate(Kindling.Config.Yaml.RecipeErrors e, string path) =>
        e.Check(Views >= 1, path + ".views", Views, ">= 1 (SimCLR and MoCo: 2)");
}
