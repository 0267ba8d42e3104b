namespace Kindling.Optim.Schedulers;

/// <summary>What one <c>Step()</c> of a schedule stands for; the Trainer steps it at that place.</summary>
public enum ScheduleUnit
{
    /// <summary>One optimizer step (after gradient accumulation): OneCycleLR, warm restarts stepped per batch.</summary>
    Batch,

    /// <summary>One epoch: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau.</summary>
    Epoch,
}
