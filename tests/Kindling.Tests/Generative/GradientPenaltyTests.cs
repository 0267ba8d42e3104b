using Kindling.Generative.Gan;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Generative;

/// <summary>WGAN-GP's gradient penalty against seed 004's PyTorch function on fixed inputs: its value and its gradient with respect to the critic's weights (the double backward).</summary>
public class GradientPenaltyTests
{
    [Fact]
    public void GradientPenaltyAndItsGradientMatchPyTorch()
    {
        TorchRuntime.EnsureLoaded();
        var f = OracleFixtures.Json("generative/generative.json").RootElement.GetProperty("gradient_penalty");
        using var critic = nn.Sequential(("conv", nn.Conv2d(1, 2, 3, stride: 2, padding: 1)), ("act", nn.LeakyReLU(0.2)), ("flat", nn.Flatten()), ("fc", nn.Linear(8, 1)));
        critic.to(float64);
        JsonTensors.Load(critic, f.GetProperty("state"));
        var gp = GradientPenalty.Compute(critic.forward, JsonTensors.Of(f.GetProperty("real")), JsonTensors.Of(f.GetProperty("fake")), JsonTensors.Of(f.GetProperty("alpha")));
        Assert.Equal(f.GetProperty("gp").GetDouble(), gp.item<float>(), 5);
        gp.backward();
        foreach (var (name, p) in critic.named_parameters())
        {
            var expected = JsonTensors.Of(f.GetProperty("grads").GetProperty(name));
            var actual = p.grad ?? zeros_like(p);
            Assert.True(allclose(actual.to(float64), expected, 1e-5, 1e-6), $"{name}: {actual.to(float64).sub(expected).abs().max().item<double>()}");
        }
        // The biases of this critic do not change its input gradient; the weights must have received a penalty gradient.
        Assert.True(critic.named_parameters().First(p => p.name == "conv.weight").parameter.grad!.abs().sum().item<double>() > 0);
    }

    [Fact]
    public void APenaltyOfAOneLipschitzLinearCriticIsZero()
    {
        TorchRuntime.EnsureLoaded();
        // D(x) = w . x with |w| = 1 has gradient norm 1 everywhere.
        var w = tensor(new float[] { 0.6f, 0.8f, 0, 0 }).reshape(1, 1, 2, 2);
        var gp = GradientPenalty.Compute(x => (x * w).sum([1, 2, 3]).unsqueeze(1), rand(5, 1, 2, 2), rand(5, 1, 2, 2));
        Assert.Equal(0, gp.item<float>(), 6);
        Assert.Throws<ArgumentException>(() => GradientPenalty.Compute(x => x.sum([1, 2, 3]).unsqueeze(1), rand(5, 1, 2, 2), rand(4, 1, 2, 2)));
    }
}
