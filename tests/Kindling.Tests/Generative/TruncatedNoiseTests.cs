using Kindling.Data.Datasets;
using Kindling.Generative;
using Kindling.Generative.Gan;
using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Tests.Generative;

/// <summary>The truncation trick: noise inside the bound, the plain draw's entries kept where they were inside, reproducible from the seed.</summary>
public class TruncatedNoiseTests
{
    [Fact]
    public void TruncatedNoiseStaysInsideTheBoundAndKeepsThePlainDrawsInnerEntries()
    {
        TorchRuntime.EnsureLoaded();
        var plain = Sampling.Noise(500, 16, seed: 7);
        var truncated = Sampling.Noise(500, 16, seed: 7, truncation: 0.5);
        Assert.True(truncated.abs().max().item<float>() <= 0.5f);
        var inside = plain.abs() <= 0.5;
        Assert.True(truncated.masked_select(inside).equal(plain.masked_select(inside)).all().item<bool>());
        // About 62% of a standard normal lies beyond 0.5: those were redrawn, not clamped to the bound.
        Assert.True(truncated.abs().eq(0.5).sum().item<long>() == 0);
        Assert.True(truncated.equal(Sampling.Noise(500, 16, seed: 7, truncation: 0.5)).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampling.Noise(2, 2, 0, truncation: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampling.Noise(2, 2, 0, truncation: double.NaN));
    }

    [Fact]
    public void AGanSamplesFromTruncatedNoiseWhenAsked()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(1);
        using var task = new GanTask(new MlpGenerator(new ImageShape(1, 8, 8), latent: 8), new MlpDiscriminator(new ImageShape(1, 8, 8)));
        var plain = task.Generate(6, new GenerationOptions { Seed = 3 });
        var truncated = task.Generate(6, new GenerationOptions { Seed = 3, Truncation = 0.3 });
        Assert.False(plain.equal(truncated).all().item<bool>());
        Assert.True(truncated.equal(task.Generate(6, new GenerationOptions { Seed = 3, Truncation = 0.3 })).all().item<bool>());
    }
}
