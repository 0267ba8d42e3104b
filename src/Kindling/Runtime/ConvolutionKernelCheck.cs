using static TorchSharp.torch;

namespace Kindling.Runtime;

/// <summary>
/// Checks libtorch's CPU convolutions (oneDNN's kernels, as <see cref="OneDnnIsaCap"/> left them) on this machine: each
/// shape's output and both gradients against the same convolution written as unfold and a matrix product (ATen's own
/// kernels), after freed memory was filled with NaN so that a kernel reading memory it never wrote shows. On the VM where
/// oneDNN's wider kernels went wrong (docs/ARCHITECTURE.md, "Native loading") some of these shapes came out NaN or off by
/// half of their largest value; where the kernels are right they agree to float rounding.
/// </summary>
/// <remarks>
/// The cap is decided from what CPUID says, an inference; this check looks at the numbers themselves, so a machine where
/// the kernels go wrong for another reason is caught too. It costs about a second on a 2-core VM (the doctor runs it before
/// training). oneDNN fixes its instruction set when it first runs, so a failure cannot be mended in the same process:
/// the fix is to start again with <c>ONEDNN_MAX_CPU_ISA</c> set.
/// </remarks>
public static class ConvolutionKernelCheck
{
    /// <summary>The largest error, relative to the largest magnitude of the reference, that counts as agreeing: float
    /// rounding over these shapes stays below 1e-5; the wrong kernels seen were NaN or off by 14% to 53%.</summary>
    public const double DefaultTolerance = 1e-3;

    /// <summary>A convolution to check: input channels to output channels, a square kernel (padded to keep the side at
    /// stride 1), on a batch of square images, in NCHW or channels-last memory.</summary>
    public sealed record Shape(int InChannels, int OutChannels, int Kernel, int Stride, int Side, int Batch, bool ChannelsLast)
    {
        /// <inheritdoc/>
        public override string ToString() =>
            $"{InChannels}->{OutChannels} {Kernel}x{Kernel} stride {Stride} on {Batch}x{Side}x{Side}{(ChannelsLast ? " channels-last" : "")}";
    }

    /// <summary>One shape's errors (relative to the reference's largest magnitude; NaN where the kernel gave NaN).</summary>
    public sealed record Outcome(Shape Shape, double OutputError, double InputGradientError, double WeightGradientError)
    {
        /// <summary>True when the output and both gradients agree within <paramref name="tolerance"/> (a NaN never does).</summary>
        public bool Agrees(double tolerance) =>
            OutputError <= tolerance && InputGradientError <= tolerance && WeightGradientError <= tolerance;

        /// <summary>The worst of the three, for people: "input gradient NaN" or "output off by 53.0% of its largest value".</summary>
        public string Worst()
        {
            var (what, error) = new[] { ("output", OutputError), ("input gradient", InputGradientError), ("weight gradient", WeightGradientError) }
                .OrderByDescending(e => double.IsNaN(e.Item2) ? double.PositiveInfinity : e.Item2).First();
            return double.IsNaN(error) ? $"{what} NaN" : FormattableString.Invariant($"{what} off by {error * 100:F1}% of its largest value");
        }
    }

    /// <summary>Every shape's outcome, in order, over all repeats.</summary>
    public sealed record Result(IReadOnlyList<Outcome> Outcomes, double Tolerance)
    {
        /// <summary>The outcomes that do not agree.</summary>
        public IReadOnlyList<Outcome> Failures => Outcomes.Where(o => !o.Agrees(Tolerance)).ToList();

        /// <summary>True when every outcome agrees.</summary>
        public bool Passed => Failures.Count == 0;
    }

    /// <summary>
    /// The shapes checked by default: PixelCNN's first masked layer, FastNet's stem and a block, ResNet-18's (CIFAR)
    /// convolutions by stage, its 1x1 stride-2 shortcuts, a MobileNetV2 pointwise. Uncapped on the VM of session 11, the first
    /// gave NaN input gradients and the 256-to-512 shortcut an output off by 53% of its largest value.
    /// </summary>
    public static IReadOnlyList<Shape> DefaultShapes { get; } =
    [
        new(2, 3, 5, 1, 9, 1, false), new(3, 16, 3, 1, 32, 8, true), new(32, 128, 3, 1, 16, 8, false), new(64, 64, 3, 1, 32, 8, true),
        new(64, 128, 3, 2, 32, 8, true), new(64, 128, 1, 2, 32, 8, true), new(128, 256, 1, 2, 16, 8, true), new(256, 256, 3, 1, 8, 8, false),
        new(256, 512, 1, 2, 8, 8, true), new(512, 512, 3, 1, 4, 8, true), new(96, 24, 1, 1, 16, 8, true),
    ];

    static readonly Lazy<Result> ThisMachineOnce = new(() => Run());

    /// <summary>libtorch's own convolutions on the default shapes, checked once per process: oneDNN's kernels cannot change
    /// once it has run, so a second training in the same process (a sweep's next trial) need not pay for the check again.</summary>
    public static Result ThisMachine => ThisMachineOnce.Value;

    /// <summary>Checks every shape <paramref name="repeats"/> times (a kernel reading unwritten memory fails only sometimes).</summary>
    /// <param name="shapes">The shapes; null: <see cref="DefaultShapes"/>.</param>
    /// <param name="repeats">How many times each shape is checked.</param>
    /// <param name="tolerance">See <see cref="DefaultTolerance"/>.</param>
    /// <param name="convolution">The convolution under test (input, weight, stride, padding); null: libtorch's conv2d.</param>
    public static Result Run(IEnumerable<Shape>? shapes = null, int repeats = 2, double tolerance = DefaultTolerance,
                             Func<Tensor, Tensor, long, long, Tensor>? convolution = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        var list = (shapes ?? DefaultShapes).ToList();
        var outcomes = new List<Outcome>();
        for (int r = 0; r < repeats; r++)
            outcomes.AddRange(list.Select(s => Compare(s, convolution)));
        return new Result(outcomes, tolerance);
    }

    /// <summary>One shape's output and gradients against unfold and a matrix product (drawn from a generator of its own: libtorch's is not touched).</summary>
    public static Outcome Compare(Shape shape, Func<Tensor, Tensor, long, long, Tensor>? convolution = null)
    {
        TorchRuntime.EnsureLoaded();
        convolution ??= (x, w, stride, padding) => nn.functional.conv2d(x, w, strides: [stride, stride], padding: [padding, padding]);
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        using var gradients = enable_grad();
        int padding = shape.Kernel / 2;
        long outSide = (shape.Side + 2 * padding - shape.Kernel) / shape.Stride + 1;
        var x0 = randn([shape.Batch, shape.InChannels, shape.Side, shape.Side], generator: generator);
        var w0 = randn([shape.OutChannels, shape.InChannels, shape.Kernel, shape.Kernel], generator: generator) * 0.1;
        var upstream = randn([shape.Batch, shape.OutChannels, outSide, outSide], generator: generator);

        // Reference: im2col by unfold, the product with the flattened weight, back to [N, O, H', W'].
        var xr = x0.clone().requires_grad_(true);
        var wr = w0.clone().requires_grad_(true);
        var columns = nn.functional.unfold(xr, shape.Kernel, padding: padding, stride: shape.Stride);
        var reference = wr.flatten(1).matmul(columns).view(upstream.shape);
        (reference * upstream).sum().backward();

        PoisonFreedMemory();
        var x = Layout(x0, shape.ChannelsLast).requires_grad_(true);
        var w = Layout(w0, shape.ChannelsLast).requires_grad_(true);
        var output = convolution(x, w, shape.Stride, padding);
        (output * upstream).sum().backward();
        return new Outcome(shape, Error(reference, output), Error(xr.grad!, x.grad!), Error(wr.grad!, w.grad!));
    }

    // A kernel that reads memory it did not write then reads NaN rather than a plausible leftover.
    static void PoisonFreedMemory()
    {
        for (int k = 0; k < 200; k++) full([1 + k * 997], float.NaN).Dispose();
    }

    // Training/ChannelsLast.Of does the same, but Runtime sits below Training and may not import it.
    static Tensor Layout(Tensor t, bool channelsLast) =>
        channelsLast ? t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : t.clone();

    static double Error(Tensor expected, Tensor actual)
    {
        var a = actual.detach();
        if (a.isnan().any().item<bool>()) return double.NaN;
        var e = expected.detach();
        return (a - e).abs().max().item<float>() / Math.Max(e.abs().max().item<float>(), 1e-12);
    }
}
