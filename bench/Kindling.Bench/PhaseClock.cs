using System.Diagnostics;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Bench;

/// <summary>
/// Adds up the time spent in each phase of a step (data, forward, backward, optimizer) over the timed
/// steps. libtorch's CPU ops run synchronously, so a phase's wall time is its cost. As the training session's
/// <see cref="IStepTimer"/> it hears the engine's own phase boundaries; while stopped (the warm-up) it hears nothing.
/// </summary>
public sealed class PhaseClock : IStepTimer
{
    readonly Stopwatch total = new();
    long last, stepStart, best = long.MaxValue;
    long data, forward, backward, optimizer;
    int steps;

    /// <summary>Starts (or resumes) the total clock.</summary>
    public void Start()
    {
        total.Start();
        last = stepStart = total.ElapsedTicks;
    }

    long Lap()
    {
        long now = total.ElapsedTicks, lap = now - last;
        last = now;
        return lap;
    }

    public void Data() => data += Lap();
    public void Forward() => forward += Lap();
    public void Backward() => backward += Lap();
    public void Optimizer() => optimizer += Lap();

    /// <summary>The JSON has four phases: handing the batch over is data, the (callback-free) logging slots are the optimizer's.</summary>
    void IStepTimer.PhaseEnd(StepPhase phase)
    {
        if (!total.IsRunning) return;
        switch (phase)
        {
            case StepPhase.Data or StepPhase.HostToDevice: Data(); break;
            case StepPhase.Forward: Forward(); break;
            case StepPhase.Backward: Backward(); break;
            default: Optimizer(); break;
        }
    }

    void IStepTimer.StepEnd()
    {
        if (total.IsRunning) EndStep();
    }

    /// <summary>Only the Trainer's epochs call this; the benchmarks time steps, so the lap restarts and the total runs on.</summary>
    void IStepTimer.EpochStart(Device device)
    {
        if (total.IsRunning) last = stepStart = total.ElapsedTicks;
    }

    /// <summary>Ends one timed step.</summary>
    public void EndStep()
    {
        Lap();
        best = Math.Min(best, last - stepStart);
        stepStart = last;
        steps++;
    }

    /// <summary>Stops the total clock.</summary>
    public void Stop() => total.Stop();

    public int Steps => steps;
    public double Seconds => total.Elapsed.TotalSeconds;

    /// <summary>Milliseconds per step of each phase, and the fastest step (robust when other processes share the cores).</summary>
    public StepSplit Split()
    {
        double Ms(long ticks) => steps == 0 ? 0 : ticks * 1000.0 / Stopwatch.Frequency / steps;
        return new StepSplit(Ms(data), Ms(forward), Ms(backward), Ms(optimizer), steps == 0 ? 0 : Seconds * 1000 / steps,
            steps == 0 ? 0 : best * 1000.0 / Stopwatch.Frequency);
    }
}
