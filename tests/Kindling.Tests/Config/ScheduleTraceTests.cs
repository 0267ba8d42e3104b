using Kindling.Config;
using Kindling.Config.Runs;

namespace Kindling.Tests.Config;

/// <summary>The LR at every optimizer step, computed without training, where the trainer steps the schedule.</summary>
public class ScheduleTraceTests
{
    static Recipe OneCycle(params string[] more) => Recipe.Parse("""
        data: {batch_size: 100, drop_last: true}
        optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
        schedule: {name: one_cycle_lr, max_lr: 0.4, pct_start: 0.25, div_factor: 20, final_div_factor: 100}
        training: {epochs: 4}
        """, more);

    [Fact]
    public void StepsPerEpochCountBatchesDropLastAndAccumulation()
    {
        var r = OneCycle();
        Assert.Equal(10, ScheduleTrace.StepsPerEpoch(r, 1050));
        Assert.Equal(11, ScheduleTrace.StepsPerEpoch(Recipe.Parse("data: {batch_size: 100}"), 1050));
        Assert.Equal(4, ScheduleTrace.StepsPerEpoch(OneCycle("training.accumulation_steps=3"), 1050));
        Assert.Equal(40, ScheduleTrace.Compute(r, 1050).Count);
    }

    [Fact]
    public void OneCycleStartsAtMaxOverDivFactorAndPeaksAtPctStart()
    {
        var points = ScheduleTrace.Compute(OneCycle(), 1000);
        Assert.Equal(0.4 / 20, points[0].Lr, 12);
        Assert.Equal(0.95, points[0].Momentum!.Value, 12);
        // PyTorch's OneCycleLR peaks at step pct_start * total - 1 = 9.
        var peak = points.MaxBy(p => p.Lr)!;
        Assert.Equal(9, peak.Step);
        Assert.Equal(0.4, peak.Lr, 12);
        Assert.Equal(0.85, peak.Momentum!.Value, 12);
        Assert.Equal(0.4 / 20 / 100, points[^1].Lr, 12);
        Assert.Equal([1, 4], new[] { points[0].Epoch, points[^1].Epoch });
    }

    [Fact]
    public void EpochSchedulesChangeOnlyAtEpochEnds()
    {
        var r = Recipe.Parse("data: {batch_size: 10}\noptimizer: {name: adamw, lr: 0.01}\nschedule: {name: step_lr, step_size: 1, gamma: 0.5}\ntraining: {epochs: 3}\n");
        var points = ScheduleTrace.Compute(r, 30);
        Assert.Equal([0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025, 0.0025, 0.0025], points.Select(p => Math.Round(p.Lr, 10)));
        Assert.All(points, p => Assert.Equal(0.9, p.Momentum!.Value));
    }

    [Fact]
    public void WarmRestartsWithFractionalEpochsRestartOnTime()
    {
        var r = Recipe.Parse("data: {batch_size: 10}\noptimizer: {name: sgd, lr: 1.0}\nschedule: {name: cosine_annealing_warm_restarts, T_0: 2, fractional_epochs: true, unit: batch}\ntraining: {epochs: 4}\n");
        var points = ScheduleTrace.Compute(r, 40);
        Assert.Equal(1.0, points[0].Lr, 12);
        Assert.Equal(1.0, points[8].Lr, 12);   // epoch 3 starts a new period
        Assert.True(points[7].Lr < 0.1);
        Assert.Null(points[0].Momentum is 0 ? null : points[0].Momentum);
    }

    [Fact]
    public void TooFewSamplesForABatchIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => ScheduleTrace.Compute(OneCycle(), 50));
        Assert.Contains("lower data.batch_size", e.Message);
    }
}
