using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Export.Onnx;

/// <summary>
/// Seed 004's tenth mistake, deploying without testing edge cases: an exported ONNX model run in ONNX Runtime against the
/// model it came from on inputs unlike the typical batch the exporter's own tests use: all-black and all-white images
/// (the extremes of the pixel range, after the model's normalization), uniform noise, and a batch of one (a dynamic batch
/// axis or a BatchNorm folded the wrong way shows there first). Each row gives the largest logit difference and whether
/// the top classes agree.
/// </summary>
/// <example><code>
/// using var ort = OnnxRuntimeModel.FromFile("model.onnx");
/// var report = OnnxEdgeCaseCheck.Run(model, ort, [3, 32, 32], mean, std);
/// if (!report.Passed) throw new InvalidOperationException("the ONNX model differs from the checkpoint");
/// </code></example>
public static class OnnxEdgeCaseCheck
{
    /// <summary>The default tolerance on |logit difference|: fp32 kernels of two engines differ by about 1e-5 on these models.</summary>
    public const double DefaultTolerance = 1e-3;

    /// <summary>Runs every edge case through both models and returns the table.</summary>
    /// <param name="model">The model as exported (its mode is put back after; it runs in eval mode, as the export does).</param>
    /// <param name="onnx">The exported model in ONNX Runtime.</param>
    /// <param name="inputShapeCHW">Channels, height, width of one input.</param>
    /// <param name="mean">Per-channel mean the inputs are normalized with (pixels in [0, 1]); null: no normalization.</param>
    /// <param name="std">Per-channel standard deviation, with <paramref name="mean"/>.</param>
    /// <param name="tolerance">The largest |logit difference| that passes.</param>
    /// <param name="batch">Samples in the black, white and noise batches.</param>
    /// <param name="seed">The noise's seed (its own generator: the global one is left alone).</param>
    public static OnnxEdgeCaseReport Run(nn.Module<Tensor, Tensor> model, OnnxRuntimeModel onnx, long[] inputShapeCHW,
        IReadOnlyList<double>? mean = null, IReadOnlyList<double>? std = null, double tolerance = DefaultTolerance, int batch = 4, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(onnx);
        if (inputShapeCHW is not { Length: 3 }) throw new ArgumentException("the input shape must be [channels, height, width].", nameof(inputShapeCHW));
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "the batch must hold at least one sample.");
        var (c, h, w) = (inputShapeCHW[0], inputShapeCHW[1], inputShapeCHW[2]);
        // The exported graph runs on the CPU in fp32; the comparison does too, wherever the model was.
        var parameter = model.parameters().FirstOrDefault();
        var device = parameter?.device ?? CPU;
        var dtype = parameter?.dtype ?? ScalarType.Float32;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var generator = new Generator((ulong)seed);
            var cases = new List<OnnxEdgeCase>();
            (string Name, Func<Tensor> Pixels)[] inputs =
            [
                ("all-black", () => zeros(batch, c, h, w)),
                ("all-white", () => ones(batch, c, h, w)),
                ("noise", () => rand(new long[] { batch, c, h, w }, generator: generator)),
                ("batch-of-one", () => rand(new long[] { 1, c, h, w }, generator: generator)),
            ];
            foreach (var (name, pixels) in inputs)
            {
                using var scope = NewDisposeScope();
                var x = Normalize(pixels(), mean, std);
                Tensor expected;
                using (inference_mode()) expected = model.call(x.to(dtype, device)).to(ScalarType.Float32, CPU);
                var actual = onnx.Run(x);
                double diff = expected.isfinite().all().item<bool>() && actual.isfinite().all().item<bool>()
                    ? (actual - expected).abs().max().item<float>()
                    : double.NaN;
                double agree = actual.argmax(1).eq(expected.argmax(1)).to(ScalarType.Float64).mean().item<double>();
                cases.Add(new OnnxEdgeCase(name, x.shape[0], diff, agree));
            }
            return new OnnxEdgeCaseReport(cases, tolerance);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Pixels in [0, 1] as the model sees them: (x - mean) / std per channel.</summary>
    static Tensor Normalize(Tensor pixels, IReadOnlyList<double>? mean, IReadOnlyList<double>? std)
    {
        if (mean is null || std is null) return pixels;
        long c = pixels.shape[1];
        if (mean.Count != c || std.Count != c)
            throw new ArgumentException($"the normalization has {mean.Count} means and {std.Count} stds for {c} channels.");
        var m = tensor(mean.Select(v => (float)v).ToArray()).view(1, c, 1, 1);
        var s = tensor(std.Select(v => (float)v).ToArray()).view(1, c, 1, 1);
        return (pixels - m) / s;
    }
}
