using Kindling.Models;
using Kindling.Models.Blocks;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Models;

/// <summary>DropPath drops whole samples' branches with probability p, scales survivors by 1/(1-p), and is the identity in eval.</summary>
[Collection("GlobalGenerator")]
public class StochasticDepthTests
{
    public StochasticDepthTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    [InlineData(0.2, 17)]
    [InlineData(0.5, 18)]
    [InlineData(0.8, 19)]
    public void DropsWholeSamplesWithTheKeepProbabilityAndScales(double p, int seed)
    {
        using var scope = NewDisposeScope();
        manual_seed(seed);
        const int n = 20_000;
        var drop = new StochasticDepth(p);
        drop.train();
        var x = rand(n, 3, 2, 2) + 0.5; // strictly positive, so a zero means "dropped"
        var y = drop.call(x);
        double keep = 1 - p;
        var kept = y.reshape(n, -1).ne(0);
        var keptSamples = kept.all(1);
        // Whole samples: every element of a sample survives or none does.
        Assert.True(kept.any(1).eq(keptSamples).all().item<bool>(), "a sample was partly dropped");
        // Survivors are exactly x / keep.
        var survivors = keptSamples.nonzero().squeeze(1);
        Assert.True(y.index_select(0, survivors).allclose(x.index_select(0, survivors) / keep, rtol: 1e-6, atol: 0));
        // Keep rate within 4 binomial standard deviations.
        double rate = keptSamples.to_type(float64).mean().item<double>();
        double sigma = Math.Sqrt(keep * (1 - keep) / n);
        Assert.InRange(rate, keep - 4 * sigma, keep + 4 * sigma);
        // The expectation is unchanged: the batch means differ by a few standard errors sqrt((1/keep - 1) / n) at most.
        double meanError = Math.Sqrt((1 / keep - 1) / n);
        Assert.InRange(y.mean().item<float>(), x.mean().item<float>() - 5 * meanError, x.mean().item<float>() + 5 * meanError);
    }

    [Fact]
    public void SameSeedSameMask()
    {
        using var scope = NewDisposeScope();
        var drop = new StochasticDepth(0.5);
        var x = ones(64, 4);
        manual_seed(42);
        var a = drop.call(x);
        manual_seed(42);
        var b = drop.call(x);
        Assert.True(a.equal(b).all().item<bool>());
    }

    [Fact]
    public void IdentityInEvalAndAtZero()
    {
        using var scope = NewDisposeScope();
        var x = randn(16, 8);
        var drop = new StochasticDepth(0.7);
        drop.eval();
        Assert.Same(x, drop.call(x));
        var none = new StochasticDepth(0);
        none.train();
        Assert.Same(x, none.call(x));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StochasticDepth(1.0));
    }

    [Fact]
    public void RatesIncreaseLinearlyOverTheBlocks()
    {
        Assert.Equal(new[] { 0.0, 0.1, 0.2, 0.30000000000000004 }.Select(v => Math.Round(v, 12)), StochasticDepth.LinearRates(0.3, 4).Select(v => Math.Round(v, 12)));
        using var model = ModelRegistry.Create("resnet18-cifar", new ModelOptions { DropPathRate = 0.35 });
        // The first block's rate is 0 (no module); the other seven rise linearly to 0.35.
        var rates = model.modules().OfType<StochasticDepth>().Select(s => s.DropProbability).ToArray();
        Assert.Equal(7, rates.Length);
        for (int i = 0; i < 7; i++) Assert.Equal(0.05 * (i + 1), rates[i], 12);
    }

    [Fact]
    public void ResidualModelIsDeterministicInEvalAndStochasticInTraining()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        using var model = ModelRegistry.Create("preact-resnet18", new ModelOptions { DropPathRate = 0.5, NumClasses = 10 });
        var x = randn(4, 3, 16, 16);
        model.eval();
        Assert.True(model.call(x).equal(model.call(x)).all().item<bool>());
        model.train();
        // BN uses batch statistics in both training passes; only the drop masks differ.
        Assert.False(model.call(x).allclose(model.call(x)));
    }
}
