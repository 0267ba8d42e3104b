namespace Kindling.Training.Tasks;

/// <summary>
/// A task's metrics on a validation split (names without the "val_" prefix) and, for callbacks that know the task,
/// its full result (a classifier's <see cref="EvalResult"/> with the confusion matrix).
/// </summary>
public sealed record TaskValidation(IReadOnlyDictionary<string, double> Metrics, object? Details = null);
