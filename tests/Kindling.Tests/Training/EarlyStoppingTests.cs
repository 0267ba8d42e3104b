using Kindling.Training;

namespace Kindling.Tests.Training;

public class EarlyStoppingTests
{
    [Fact]
    public void StopsAfterPatienceEpochsWithoutImprovementBeyondMinDelta()
    {
        var es = new EarlyStopping("val_loss", "min", patience: 2, min_delta: 0.01);
        Assert.False(es.Update(1.0));
        Assert.False(es.Update(0.995)); // not better by more than 0.01: bad epoch 1
        Assert.True(es.Update(0.992));  // bad epoch 2 -> stop
        Assert.Equal(1.0, es.Best);
    }

    [Fact]
    public void ImprovementResetsTheCountInMaxMode()
    {
        var es = new EarlyStopping("val_accuracy", "max", patience: 2);
        Assert.False(es.Update(0.5));
        Assert.False(es.Update(0.4));
        Assert.False(es.Update(0.6));
        Assert.False(es.Update(0.6));
        Assert.True(es.Update(0.59));
    }

    [Fact]
    public void BadModeIsRefused() => Assert.Throws<ArgumentException>(() => new EarlyStopping(mode: "lowest"));
}
