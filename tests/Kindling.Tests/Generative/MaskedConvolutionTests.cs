using Kindling.Generative.PixelCnn;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Generative;

/// <summary>PixelCNN's autoregressive property, checked by gradients: no output pixel depends on its own input pixel (type A) or on a later one.</summary>
[Collection("GlobalGenerator")]
public class MaskedConvolutionTests
{
    // d(sum of the outputs at (i, j)) / d(input): [C, H, W].
    static Tensor InputGradient(nn.Module<Tensor, Tensor> module, Tensor x, int i, int j, bool fiveDimensional)
    {
        var input = x.clone().requires_grad_(true);
        var output = module.forward(input);
        var atPixel = fiveDimensional ? output[.., .., .., i, j] : output[.., .., i, j];
        var grad = torch.autograd.grad([atPixel.sum()], [input])[0];
        return grad[0].abs().sum(0L);   // [H, W]
    }

    static void AssertRasterCausal(Tensor gradient, int i, int j, bool seesItself)
    {
        int h = (int)gradient.shape[0], w = (int)gradient.shape[1];
        Assert.Equal(2, gradient.dim());
        var g = gradient.contiguous().data<float>().ToArray();
        Assert.Equal(h * w, g.Length);
        bool anyEarlier = false;
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
            {
                int position = r * w + c, target = i * w + j;
                float v = g[position];
                if (position > target) Assert.True(v == 0, $"output ({i},{j}) depends on later input ({r},{c}): {v}");
                else if (position == target) Assert.True(seesItself ? v > 0 : v == 0, $"output ({i},{j}) {(seesItself ? "does not see" : "sees")} its own input: {v}");
                else anyEarlier |= v > 0;
            }
        if (i + j > 0) Assert.True(anyEarlier, $"output ({i},{j}) sees no earlier pixel at all");
    }

    [Theory]
    [InlineData('A', false)]
    [InlineData('B', true)]
    public void OneMaskedConvolutionSeesOnlyEarlierPixelsAndTheCentreOnlyForTypeB(char type, bool seesItself)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(1);
        using var conv = new MaskedConv2d(type, 2, 3, 5);
        using var x = randn(1, 2, 9, 9);
        foreach (var (i, j) in new[] { (0, 0), (4, 4), (4, 0), (8, 8), (2, 7) })
            AssertRasterCausal(InputGradient(conv, x, i, j, false), i, j, seesItself);
    }

    [Fact]
    public void TheWholeNetworkNeverSeesThePixelItPredictsNorALaterOne()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(2);
        using var net = new PixelCnnNetwork(1, new PixelCnnOptions { Layers = 4, Channels = 8, KernelSize = 5, Levels = 16 });
        using var x = rand(1, 1, 10, 10);
        // Every position, including the first (which sees nothing) and the corners.
        for (int i = 0; i < 10; i += 3)
            for (int j = 0; j < 10; j += 3)
                AssertRasterCausal(InputGradient(net, x, i, j, true), i, j, seesItself: false);
    }

    [Fact]
    public void TheMaskIsAppliedInForwardWithoutRewritingTheWeights()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(3);
        using var conv = new MaskedConv2d('A', 1, 2, 3);
        using var before = conv.Conv.weight!.detach().clone();
        using var x = randn(2, 1, 5, 5);
        var y = conv.forward(x);
        y.sum().backward();
        // The weight's data is untouched (the seed's `weight.data *= mask` would zero the hidden entries)...
        Assert.True(conv.Conv.weight!.detach().equal(before).all().item<bool>());
        using var mask = MaskedConv2d.Mask('A', 3);
        Assert.Equal(4f, mask.sum().item<float>());
        // ...and the hidden entries get no gradient, so an optimizer never moves them for a reason.
        using var hidden = conv.Conv.weight!.grad!.mul(1 - mask);
        Assert.Equal(0f, hidden.abs().sum().item<float>());
        // The output equals a plain convolution with the masked weight.
        using var expected = nn.functional.conv2d(x, before * mask, conv.Conv.bias, padding: [1, 1]);
        Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-6));
        // The mask is not in the state dict: a checkpoint carries the convolution's own weight and bias.
        Assert.Equal(["conv.weight", "conv.bias"], conv.state_dict().Keys.ToArray());
    }
}
