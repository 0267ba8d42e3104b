using Kindling.Tuning;
using Kindling.Tuning.Sweeps;

namespace Kindling.Tests.Tuning;

public class SuccessiveHalvingTests
{
    [Theory]
    [InlineData(1, 9, 3, new[] { 1, 3, 9 })]
    [InlineData(1, 10, 3, new[] { 1, 3, 9, 10 })]
    [InlineData(1, 8, 2, new[] { 1, 2, 4, 8 })]
    [InlineData(2, 5, 3, new[] { 2, 5 })]
    [InlineData(3, 3, 3, new[] { 3 })]
    public void RungsGrowByEtaUpToTheBudget(int min, int max, int eta, int[] expected) =>
        Assert.Equal(expected, SuccessiveHalving.Rungs(min, max, eta));

    [Fact]
    public void BadBudgetsAreRefused()
    {
        Assert.Contains("--eta", Assert.Throws<SweepSpecException>(() => SuccessiveHalving.Rungs(1, 9, 1)).Message);
        Assert.Contains("--min-epochs", Assert.Throws<SweepSpecException>(() => SuccessiveHalving.Rungs(0, 9, 3)).Message);
        Assert.Contains("below --min-epochs", Assert.Throws<SweepSpecException>(() => SuccessiveHalving.Rungs(4, 3, 3)).Message);
    }

    [Fact]
    public void TheBestThirdGoesOnByTheMetricsDirection()
    {
        // Nine trials with made-up accuracies: eta 3 keeps three.
        double?[] accuracy = [0.61, 0.82, 0.55, 0.90, 0.70, 0.85, 0.40, 0.66, 0.79];
        var scores = accuracy.Select((a, i) => (i, a)).ToList();
        Assert.Equal([3, 5, 1], SuccessiveHalving.Promote(scores, 3, "max"));
        // Read as losses, the lowest go on.
        Assert.Equal([6, 2, 0], SuccessiveHalving.Promote(scores, 3, "min"));
        // Then three trials, eta 3: the single best.
        Assert.Equal([5], SuccessiveHalving.Promote([(3, 0.91), (5, 0.93), (1, 0.88)], 3, "max"));
    }

    [Fact]
    public void TrialsWithoutAMetricRankLastAndTiesKeepTrialOrder()
    {
        var scores = new List<(int, double?)> { (0, null), (1, 0.5), (2, double.NaN), (3, 0.5), (4, 0.2), (5, 0.1) };
        Assert.Equal([1, 3], SuccessiveHalving.Promote(scores, 3, "max"));
        Assert.Equal([5, 4], SuccessiveHalving.Promote(scores, 3, "min"));
        // Fewer trials than eta still promote one.
        Assert.Equal([1], SuccessiveHalving.Promote([(0, null), (1, 0.3)], 3, "max"));
        Assert.Equal(1, SuccessiveHalving.Keep(2, 3));
        Assert.Equal(3, SuccessiveHalving.Keep(10, 3));
        Assert.Contains("--mode", Assert.Throws<SweepSpecException>(() => SuccessiveHalving.Promote(scores, 3, "best")).Message);
    }
}
