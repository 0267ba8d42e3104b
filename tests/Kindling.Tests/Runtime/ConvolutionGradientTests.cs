using Kindling.Runtime;
using static TorchSharp.torch;

namespace Kindling.Tests.Runtime;

/// <summary>
/// libtorch's convolutions (oneDNN's kernels, capped or not by <see cref="OneDnnIsaCap"/>) against unfold and a matrix
/// product, through <see cref="ConvolutionKernelCheck"/>: on the VM where oneDNN's wider kernels went wrong (session 11),
/// some of these shapes came out NaN or wrong by half. And the check itself: it must see a wrong convolution.
/// </summary>
[Collection("GlobalGenerator")]
public class ConvolutionGradientTests
{
    public ConvolutionGradientTests() => TorchRuntime.EnsureLoaded();

    public static TheoryData<int> Shapes() => [.. Enumerable.Range(0, ConvolutionKernelCheck.DefaultShapes.Count)];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GradientsMatchUnfoldAndMatmul(int index)
    {
        var shape = ConvolutionKernelCheck.DefaultShapes[index];
        var outcome = ConvolutionKernelCheck.Compare(shape);
        // Stricter than the check's default: float rounding over these shapes stays well below 1e-4.
        Assert.True(outcome.Agrees(1e-4), $"{shape}: {outcome.Worst()} ({outcome})");
    }

    static Tensor Conv(Tensor x, Tensor w, long stride, long padding) =>
        nn.functional.conv2d(x, w, strides: [stride, stride], padding: [padding, padding]);

    [Fact]
    public void AConvolutionWhoseInputGradientIsWrongFailsWithItsForwardRight()
    {
        // The forward pass is exact; the input's gradient comes out 1.5 times too large.
        var result = ConvolutionKernelCheck.Run(ConvolutionKernelCheck.DefaultShapes.Take(3), repeats: 2,
            convolution: (x, w, s, p) => Conv(x + (x - x.detach()) * 0.5, w, s, p));
        Assert.False(result.Passed);
        Assert.Equal(6, result.Outcomes.Count);
        Assert.Equal(6, result.Failures.Count);
        foreach (var o in result.Outcomes)
        {
            Assert.True(o.OutputError < 1e-5, o.ToString());
            Assert.True(o.WeightGradientError < 1e-5, o.ToString());
            Assert.InRange(o.InputGradientError, 0.49, 0.51);
            Assert.Equal("input gradient off by 50.0% of its largest value", o.Worst());
        }
    }

    [Fact]
    public void ANaNOutputFailsAndIsNamed()
    {
        var outcome = ConvolutionKernelCheck.Compare(ConvolutionKernelCheck.DefaultShapes[0],
            (x, w, s, p) => Conv(x, w, s, p) * full([1L], float.NaN));
        Assert.True(double.IsNaN(outcome.OutputError));
        Assert.False(outcome.Agrees(1.0));
        Assert.StartsWith("output NaN", outcome.Worst());
    }

    [Fact]
    public void TheCheckLeavesTheGlobalGeneratorAlone()
    {
        using var before = get_rng_state();
        ConvolutionKernelCheck.Run(ConvolutionKernelCheck.DefaultShapes.Take(1), repeats: 1);
        using var after = get_rng_state();
        Assert.True(before.equal(after).all().item<bool>());
    }
}
