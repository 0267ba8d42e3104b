using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// Told by the Trainer when each phase of a training step ends (<see cref="TrainerOptions.StepTimer"/>), so a
/// profiler can say where the time goes. The time since the previous call belongs to the phase that ended;
/// a phase may end several times in a step (the optimizer's work is split around the callbacks). Null in the
/// options costs nothing. On a GPU the work is asynchronous: an implementation synchronizes the device
/// before reading its clock, which is why this is only on while profiling.
/// </summary>
public interface IStepTimer
{
    /// <summary>An epoch's training loop starts on <paramref name="device"/>: restart the clock (validation between epochs is not a step).</summary>
    void EpochStart(Device device);

    /// <summary><paramref name="phase"/> has just ended.</summary>
    void PhaseEnd(StepPhase phase);

    /// <summary>A batch (a training step, or part of one under accumulation) has been processed.</summary>
    void StepEnd();
}
