using System.Text.Json;

namespace Kindling.Tests.Cli;

/// <summary>`kindling quantize` end to end on a tiny picture folder: a trained FastNet made INT8 three ways.</summary>
[Collection("Console")]
public class QuantizeCommandTests
{
    static string TrainTiny(string root)
    {
        var pictures = Path.Combine(root, "pictures");
        TinyPictures.Write(pictures, 20);
        var recipe = Path.Combine(root, "tiny.yaml");
        File.WriteAllText(recipe, TinyPictures.Recipe(pictures, epochs: 3, holdout: 15));
        var run = Path.Combine(root, "run");
        var (code, output, error) = CliRunner.Kindling("train", "--config", recipe, "--out", run, "--plain");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        return Path.Combine(run, "checkpoints", "best.ckpt");
    }

    [Fact]
    public void Static_dynamic_and_qat_write_an_int8_model_and_a_report()
    {
        using var tmp = new TempDir();
        var checkpoint = TrainTiny(tmp.Path);
        foreach (var mode in new[] { "static", "dynamic", "qat" })
        {
            var outDir = Path.Combine(tmp.Path, mode);
            var (code, output, error) = CliRunner.Kindling("quantize", "--checkpoint", checkpoint, "--mode", mode, "--calibration-batches", "2",
                "--observer", mode == "static" ? "percentile" : "minmax", "--timing-rounds", "1", "--out", outDir, "--json");
            Assert.True(code == 0, $"{mode}: exit {code}: {error}\n{output}");
            foreach (var file in new[] { "model.fp32.onnx", "model.int8.onnx", "model.int8.optimized.onnx", "report.md", "report.json" })
                Assert.True(File.Exists(Path.Combine(outDir, file)), $"{mode}: {file} missing");
            using var report = JsonDocument.Parse(output);
            var r = report.RootElement;
            Assert.Equal(mode, r.GetProperty("mode").GetString());
            Assert.Equal(15, r.GetProperty("samples").GetInt32());
            Assert.Equal(3, r.GetProperty("timings").GetArrayLength());
            Assert.True(r.GetProperty("int8_accuracy").GetDouble() >= r.GetProperty("fp32_torch_accuracy").GetDouble() - 0.2, output);
            Assert.Equal(r.GetProperty("fp32_torch_accuracy").GetDouble(), r.GetProperty("fp32_onnx_accuracy").GetDouble(), 6);
            var kernels = r.GetProperty("int8_kernels");
            if (mode == "dynamic") Assert.True(kernels.TryGetProperty("DynamicQuantizeMatMul", out _) || kernels.TryGetProperty("MatMulInteger", out _), kernels.ToString());
            else Assert.True(kernels.TryGetProperty("QLinearConv", out _), kernels.ToString());
            Assert.Contains("INT8", File.ReadAllText(Path.Combine(outDir, "report.md")));
        }
    }

    [Fact]
    public void A_bad_mode_is_refused_with_the_choices()
    {
        var (code, _, error) = CliRunner.Kindling("quantize", "--checkpoint", "x.ckpt", "--mode", "int4");
        Assert.NotEqual(0, code);
        Assert.Contains("static, dynamic or qat", error);
    }
}
