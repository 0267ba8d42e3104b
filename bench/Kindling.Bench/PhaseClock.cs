using System.Diagnostics;

namespace Kindling.Bench;

/// <summary>
/// Adds up the time spent in each phase of a step (data, forward, backward, optimizer) over the timed
/// steps. libtorch's CPU ops run synchronously, so a phase's wall time is its cost.
/// </summary>
public sealed class PhaseClock
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
