namespace Kindling.Training;

/// <summary>What the Trainer does when a loss or gradient norm is inf/NaN.</summary>
public enum NonFiniteAction
{
    /// <summary>No check (fp16 still skips such steps through its loss scaler).</summary>
    Off,

    /// <summary>Skip the optimizer step and count it.</summary>
    Skip,

    /// <summary>Write a checkpoint of the last good state and stop with a clear message.</summary>
    Stop,
}
