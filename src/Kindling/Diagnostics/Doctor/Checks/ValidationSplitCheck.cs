namespace Kindling.Diagnostics.Doctor.Checks;

/// <summary>
/// Validating on the test split (seed 004's first mistake: "train without a validation set"): the best checkpoint,
/// early stopping and every choice made by looking at the epoch table then look at the test set, and the test
/// accuracy reported at the end is no longer an unbiased estimate.
/// </summary>
public sealed class ValidationSplitCheck : IDoctorCheck
{
    /// <inheritdoc/>
    public string Name => "validation-split";

    /// <inheritdoc/>
    public bool Slow => false;

    /// <inheritdoc/>
    public bool NeedsClassifier => false;

    /// <inheritdoc/>
    public IEnumerable<Finding> Run(DoctorContext context)
    {
        if (context.Subject.ValidatesOnTest is not true) yield break;
        yield return new Finding(Name, Severity.Warning,
            "validation runs on the test split: the best checkpoint, early stopping and anything tuned by watching the epochs are chosen on the test set, " +
            "so the final test accuracy is optimistic.",
            "Hold out part of the training split: data.validation.holdout: 5000 (a stratified holdout, the same every run); the test split is then evaluated once, at the end.");
    }
}
