using Kindling.Compression.Quantization;
using Kindling.Export.Onnx;
using Kindling.Models;
using Kindling.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Compression;

[Collection("GlobalGenerator")]
public class StaticQuantizationTests
{
    static readonly long[] Chw = { 3, 16, 16 };

    // The seed CNN without BatchNorm (nothing to fold) at 16x16: conv-ReLU pairs, max-pooling and the MLP head.
    static (nn.Module<Tensor, Tensor> Model, OnnxModel Fp32) SeedCnn()
    {
        torch.manual_seed(3);
        var model = ModelRegistry.Create("seed-cnn", new ModelOptions { NumClasses = 4, InputSize = 16, Norm = NormSpec.None });
        model.eval();
        return (model, OnnxExporter.ToModel(model, Chw));
    }

    static List<Tensor> Batches(int n, int size = 8) => Enumerable.Range(0, n).Select(_ => torch.randn(size, Chw[0], Chw[1], Chw[2])).ToList();

    [Fact]
    public void The_plan_quantizes_conv_and_matmul_inputs_and_relu_outputs_and_shares_through_pooling()
    {
        var (_, fp32) = SeedCnn();
        var plan = QdqQuantizer.Plan(fp32.Graph);
        Assert.Equal(8 + 3, plan.Weighted.Count); // 8 convolutions, 3 linear layers
        Assert.Equal("input", plan.Observed[0]);
        Assert.Contains(plan.Observed, t => t.StartsWith("features.block1.relu1/Relu"));
        Assert.DoesNotContain(plan.Observed, t => t.StartsWith("features.block1.conv1/Conv")); // the ReLU after it is quantized instead
        Assert.Contains(plan.SharedWith, s => s.Key.StartsWith("features.block1.pool/MaxPool") && s.Value.StartsWith("features.block1.relu2/Relu"));
        Assert.DoesNotContain("logits", plan.Observed);
    }

    [Fact]
    public void Static_int8_runs_in_onnx_runtime_as_qlinearconv_close_to_float_and_4x_smaller()
    {
        using var scope = torch.NewDisposeScope();
        var (model, fp32) = SeedCnn();
        var int8 = StaticQuantization.Quantize(fp32, Batches(3), new StaticQuantizationOptions { IntraOpThreads = 1 });
        var (err, spread, ops) = RunAgainstFloat(model, int8, 16);
        // Close to float: the error is a small fraction of the logits' spread.
        Assert.True(err < 0.25 * spread, $"max error {err:F4} vs logit std {spread:F4}");
        Assert.Equal(8, ops.GetValueOrDefault("QLinearConv"));
        Assert.False(ops.ContainsKey("Conv"), "a convolution stayed float: " + string.Join(", ", ops.Select(o => $"{o.Key} {o.Value}")));
        Assert.True(fp32.ToBytes().Length > 3.5 * int8.ToBytes().Length, $"{fp32.ToBytes().Length} vs {int8.ToBytes().Length} bytes");
    }

    [Fact]
    public void Percentile_calibration_gives_narrower_ranges_than_minmax()
    {
        var (_, fp32) = SeedCnn();
        var plan = QdqQuantizer.Plan(fp32.Graph);
        var batches = Batches(2);
        var minmax = StaticQuantization.Calibrate(fp32, plan.Observed, batches, () => new MinMaxObserver(), 1);
        var pct = StaticQuantization.Calibrate(fp32, plan.Observed, batches, () => new PercentileObserver(0.99), 1);
        Assert.All(plan.Observed, t => Assert.True(pct[t].Scales[0] < minmax[t].Scales[0], t));
    }

    [Fact]
    public void Dynamic_quantization_turns_linear_layers_into_integer_matmuls()
    {
        using var scope = torch.NewDisposeScope();
        var (model, fp32) = SeedCnn();
        var dynamic = DynamicQuantization.Quantize(fp32);
        Assert.Equal(3, dynamic.Graph.OpCounts()["MatMulInteger"]);
        var (err, spread, ops) = RunAgainstFloat(model, dynamic, 5);
        Assert.True(err < 0.1 * spread, $"max error {err:F4} vs logit std {spread:F4}");
        Assert.True(ops.GetValueOrDefault("DynamicQuantizeMatMul") + ops.GetValueOrDefault("MatMulInteger") == 3, string.Join(", ", ops.Select(o => $"{o.Key} {o.Value}")));
    }

    // Runs the quantized model in ONNX Runtime against the float TorchSharp model on random inputs: the
    // largest logit error, the logits' spread, and the operators ONNX Runtime's optimized graph runs.
    static (double Error, double Spread, IReadOnlyDictionary<string, int> Ops) RunAgainstFloat(nn.Module<Tensor, Tensor> model, OnnxModel quantized, int batch)
    {
        using var dir = new TempDir();
        var optimized = Path.Combine(dir.Path, "optimized.onnx");
        using var ort = new OnnxRuntimeModel(quantized.ToBytes(), intraOpThreads: 1, optimizedModelPath: optimized);
        var x = torch.randn(batch, Chw[0], Chw[1], Chw[2]);
        Tensor expected;
        using (torch.no_grad()) expected = model.call(x);
        double err = (ort.Run(x) - expected).abs().max().item<float>(), spread = expected.std().item<float>();
        return (err, spread, OnnxModel.Load(optimized).Graph.OpCounts());
    }

    [Fact]
    public void Unfolded_batchnorm_is_refused()
    {
        var model = ModelRegistry.Create("seed-cnn", new ModelOptions { NumClasses = 4, InputSize = 16 });
        var e = Assert.Throws<ArgumentException>(() => StaticQuantization.Quantize(OnnxExporter.ToModel(model, Chw), Batches(1)));
        Assert.Contains("fold", e.Message);
    }
}
