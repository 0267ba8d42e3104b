namespace Kindling.Tuning.LrFinding;

/// <summary>One step of the range test: the learning rate it trained with, its batch loss and the smoothed loss.</summary>
/// <param name="Step">1-based optimizer step.</param>
/// <param name="Lr">The learning rate of this step (of the first parameter group).</param>
/// <param name="Loss">The batch's loss.</param>
/// <param name="SmoothedLoss">The bias-corrected moving average of the losses up to this step.</param>
public sealed record LrFinderPoint(int Step, double Lr, double Loss, double SmoothedLoss);
