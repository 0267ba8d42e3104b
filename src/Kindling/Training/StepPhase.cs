namespace Kindling.Training;

/// <summary>Where a training step's time goes, in the order the Trainer runs them (see <see cref="IStepTimer"/>).</summary>
public enum StepPhase
{
    /// <summary>Waiting for the loader to hand over the next batch.</summary>
    Data,

    /// <summary>Copying the batch to the device (and casting it for mixed precision).</summary>
    HostToDevice,

    /// <summary>The model's forward pass and the loss.</summary>
    Forward,

    /// <summary>The backward pass.</summary>
    Backward,

    /// <summary>Unscaling, clipping, the optimizer step, zeroing gradients, the schedule and EMA.</summary>
    Optimizer,

    /// <summary>Callbacks: progress, metrics, TensorBoard, gradient statistics.</summary>
    Logging,
}
