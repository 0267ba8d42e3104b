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

    /// <summary>Evaluation-time transforms (validation, test, eval and predict); usually none beyond the implied normalization.</summary>
    public IReadOnlyList<TransformStep> Eval { get; init; } = [];
}
