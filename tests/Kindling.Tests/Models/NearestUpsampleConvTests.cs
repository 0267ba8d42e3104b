using Kindling.Data.Datasets;
using Kindling.Generative.Gan;
using Kindling.Models.Blocks;
using Kindling.Runtime;
using Kindling.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Models;

/// <summary>
/// The upsample-conv pair as one transposed convolution: the same values and the same gradients (input, weight, bias) as
/// PyTorch's nearest x2 interpolate followed by the 3x3 convolution, on odd and non-square maps, in both memory layouts.
/// </summary>
public class NearestUpsampleConvTests
{
    [Theory]
    [InlineData(3, 5, 4, false)]
    [InlineData(4, 7, 7, true)]
    [InlineData(2, 1, 6, false)]
    public void EqualsInterpolateThenConvolveWithTheirGradients(int inChannels, int height, int width, bool channelsLast)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(3);
        using var conv = nn.Conv2d(inChannels, 5, 3, stride: 1, padding: 1);
        conv.to(float64);
        var x = randn([2, inChannels, height, width], float64);
        if (channelsLast) x = ChannelsLast.Of(x);
        x.requires_grad_(true);
        var upstream = randn([2, 5, 2 * height, 2 * width], float64);

        var expected = conv.forward(nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest));
        var expectedGrads = autograd.grad([expected], [x, conv.weight!, conv.bias!], [upstream]);
        var actual = NearestUpsampleConv.Forward(x, conv);
        var actualGrads = autograd.grad([actual], [x, conv.weight!, conv.bias!], [upstream]);

        Assert.Equal(expected.shape, actual.shape);
        Assert.True(allclose(actual, expected, 1e-10, 1e-10), $"values differ by {actual.sub(expected).abs().max().item<double>()}");
        foreach (var (name, e, a) in new[] { "input", "weight", "bias" }.Select((n, i) => (n, expectedGrads[i], actualGrads[i])))
            Assert.True(allclose(a, e, 1e-10, 1e-10), $"the {name} gradient differs by {a.sub(e).abs().max().item<double>()}");
    }

    [Fact]
    public void RefusesAConvolutionThatIsNotThreeByThree()
    {
        TorchRuntime.EnsureLoaded();
        using var conv = nn.Conv2d(2, 2, 5, padding: 2);
        var error = Assert.Throws<ArgumentException>(() => NearestUpsampleConv.Forward(randn(1, 2, 4, 4), conv));
        Assert.Contains("3x3", error.Message);
    }

    [Fact]
    public void AFusedDcganGeneratorIsTheSeedsGeneratorWithTheSameParameters()
    {
        TorchRuntime.EnsureLoaded();
        var shape = new ImageShape(1, 12, 12);
        using var fused = new DcganGenerator(shape, latent: 6);
        using var plain = new DcganGenerator(shape, latent: 6, fuseUpsampleConv: false);
        Assert.Equal(plain.state_dict().Keys, fused.state_dict().Keys);
        // The same weights by copy, not by seed: tests in other classes draw from the global generator meanwhile.
        fused.load_state_dict(plain.state_dict());
        var z = randn(4, 6);
        var a = fused.Generate(z, null);
        // With channels-last weights (as the trainer sets them) the fused generator runs its maps channels-last: the same images.
        using (var clone = new DcganGenerator(shape, latent: 6))
        {
            clone.load_state_dict(plain.state_dict());
            Assert.True(ChannelsLast.Apply(clone) > 0);
            var c = clone.Generate(z, null);
            Assert.True(allclose(c, a, 1e-5, 1e-5), $"channels-last images differ by {c.sub(a).abs().max().item<float>()}");
        }
        var b = plain.Generate(z, null);
        Assert.True(allclose(a, b, 1e-5, 1e-5), $"images differ by {a.sub(b).abs().max().item<float>()}");
        a.square().sum().backward();
        b.square().sum().backward();
        var plainGrads = plain.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        foreach (var (name, p) in fused.named_parameters())
            Assert.True(allclose(p.grad!, plainGrads[name], 1e-4, 1e-4), $"{name}'s gradient differs by {p.grad!.sub(plainGrads[name]).abs().max().item<float>()}");
    }
}
