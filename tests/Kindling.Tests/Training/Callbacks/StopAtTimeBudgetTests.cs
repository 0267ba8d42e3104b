using Kindling.Training;
using Kindling.Training.Callbacks;

namespace Kindling.Tests.Training.Callbacks;

/// <summary>The time budget's stop: after the first epoch whose successor would overrun it, never after the last.</summary>
public class StopAtTimeBudgetTests
{
    static TrainerState After(params double[] seconds)
    {
        var state = new TrainerState { Epochs = 10 };
        for (int i = 0; i < seconds.Length; i++) state.History.Add(new EpochMetrics { Epoch = i + 1, Seconds = seconds[i] });
        state.Epoch = seconds.Length;
        return state;
    }

    static bool Stops(TimeSpan budget, TrainerState state)
    {
        new StopAtTimeBudget(budget).OnEpochEnd(state, state.History[^1]);
        return state.StopRequested;
    }

    [Fact]
    public void ItStopsWhenTheLongestEpochSoFarWouldNotFitAnymore()
    {
        // 22 s used; the next epoch is expected to take as long as the longest, 12 s.
        Assert.False(Stops(TimeSpan.FromSeconds(34), After(12, 10)));
        var state = After(12, 10);
        Assert.True(Stops(TimeSpan.FromSeconds(33.9), state));
        Assert.Equal("time budget of 0.565 minutes: 0.4 used, and an epoch takes up to 0.2; epoch 2 of 10 ends the run", state.StopReason);
    }

    [Fact]
    public void TheLastEpochIsNotAStopAndTheBudgetMustBePositive()
    {
        var last = After(Enumerable.Repeat(60.0, 10).ToArray());
        Assert.False(Stops(TimeSpan.FromSeconds(1), last));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StopAtTimeBudget(TimeSpan.Zero));
    }
}
