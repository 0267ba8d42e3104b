using Kindling.Runtime;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Tests.Runtime;

/// <summary>
/// libtorch's convolution gradients (oneDNN's kernels, capped or not by <see cref="OneDnnIsaCap"/>) against the same
/// convolution written as unfold and a matrix product (ATen's own kernels), after freed memory was filled with NaN: on the VM
/// where oneDNN's wider kernels went wrong (session 11), some of these shapes came out NaN or wrong by half.
/// </summary>
public class ConvolutionGradientTests
{
    public ConvolutionGradientTests() => TorchRuntime.EnsureLoaded();

    static void PoisonFreedMemory()
    {
        for (int k = 0; k < 200; k++) full(new long[] { 1 + k * 997 }, float.NaN).Dispose();
    }

    // (in, out, kernel, stride, side, batch, channels-last): PixelCNN's first masked layer, FastNet's stem and a block,
    // ResNet-18's (CIFAR) convolutions by stage, its 1x1 stride-2 shortcuts, a MobileNetV2 pointwise. Uncapped on that VM,
    // the first gave NaN input gradients and the 256-to-512 shortcut an output off by 53% of its largest value.
    public static TheoryData<int, int, int, int, int, int, bool> Shapes() => new()
    {
        { 2, 3, 5, 1, 9, 1, false }, { 3, 16, 3, 1, 32, 8, true }, { 32, 128, 3, 1, 16, 8, false }, { 64, 64, 3, 1, 32, 8, true },
        { 64, 128, 3, 2, 32, 8, true }, { 64, 128, 1, 2, 32, 8, true }, { 128, 256, 1, 2, 16, 8, true }, { 256, 256, 3, 1, 8, 8, false },
        { 256, 512, 1, 2, 8, 8, true }, { 512, 512, 3, 1, 4, 8, true }, { 96, 24, 1, 1, 16, 8, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GradientsMatchUnfoldAndMatmul(int inChannels, int outChannels, int kernel, int stride, int side, int batch, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        int padding = kernel / 2;
        var x0 = randn(batch, inChannels, side, side);
        var w0 = randn(outChannels, inChannels, kernel, kernel) * 0.1;
        var upstream = randn(batch, outChannels, (side + 2 * padding - kernel) / stride + 1, (side + 2 * padding - kernel) / stride + 1);

        // Reference: im2col by unfold, the product with the flattened weight, back to [N, O, H', W'].
        var xr = x0.clone().requires_grad_(true);
        var wr = w0.clone().requires_grad_(true);
        var columns = nn.functional.unfold(xr, kernel, padding: padding, stride: stride);            // [N, C k k, L]
        var reference = wr.flatten(1).matmul(columns).view(upstream.shape);
        (reference * upstream).sum().backward();

        PoisonFreedMemory();
        var x = (channelsLast ? ChannelsLast.Of(x0) : x0).clone().requires_grad_(true);
        var w = (channelsLast ? ChannelsLast.Of(w0) : w0).clone().requires_grad_(true);
        var output = nn.functional.conv2d(x, w, strides: [stride, stride], padding: [padding, padding]);
        (output * upstream).sum().backward();

        void Close(Tensor expected, Tensor actual, string what)
        {
            Assert.False(actual.isnan().any().item<bool>(), $"{what}: NaN");
            double error = (actual - expected).abs().max().item<float>() / Math.Max(expected.abs().max().item<float>(), 1e-12);
            Assert.True(error < 1e-4, $"{what}: off by {error:E2} of its largest value");
        }
        Close(reference, output, "output");
        Close(xr.grad!, x.grad!, "input gradient");
        Close(wr.grad!, w.grad!, "weight gradient");
    }
}
