namespace Kindling.Training;

/// <summary>What one batch through <see cref="TrainingSession.RunBatch"/> did.</summary>
/// <param name="Loss">The batch's loss (null for a manual task whose step returned none).</param>
/// <param name="GradNorm">The first optimizer's pre-clip gradient norm, when it stepped and the norm was measured.</param>
/// <param name="Stepped">Whether any optimizer stepped.</param>
/// <param name="EndedWindow">Whether the batch ended its accumulation window (a safe place to interrupt).</param>
public sealed record StepOutcome(double? Loss, double? GradNorm, bool Stepped, bool EndedWindow);
