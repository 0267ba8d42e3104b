using Kindling.Data.Transforms;

namespace Kindling.Tests.Data.BatchMix;

public class RandomDrawsTests
{
    [Theory]
    [InlineData(0.2, 0.2)]
    [InlineData(1.0, 1.0)]
    [InlineData(2.0, 5.0)]
    public void BetaHasTheRightMeanAndVariance(double a, double b)
    {
        var rng = new Random(42);
        var v = Enumerable.Range(0, 20000).Select(_ => rng.Beta(a, b)).ToArray();
        Assert.All(v, x => Assert.InRange(x, 0, 1));
        double mean = v.Average(), var = v.Select(x => (x - mean) * (x - mean)).Average();
        double m = a / (a + b), s2 = a * b / ((a + b) * (a + b) * (a + b + 1));
        Assert.InRange(mean, m - 0.01, m + 0.01);
        Assert.InRange(var, s2 * 0.93, s2 * 1.07);
    }

    [Fact]
    public void GammaHasMeanAndVarianceOfItsShape()
    {
        var rng = new Random(1);
        foreach (var k in new[] { 0.3, 1.0, 4.5 })
        {
            var v = Enumerable.Range(0, 20000).Select(_ => rng.Gamma(k)).ToArray();
            double mean = v.Average(), var = v.Select(x => (x - mean) * (x - mean)).Average();
            Assert.InRange(mean, k * 0.96, k * 1.04);
            Assert.InRange(var, k * 0.9, k * 1.1);
        }
    }

    [Fact]
    public void PermutationIsAPermutation()
    {
        var p = new Random(3).Permutation(50);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), p.OrderBy(v => v));
        Assert.NotEqual(Enumerable.Range(0, 50).Select(i => (long)i), p);
    }
}
