using System.Text.Json;
using Kindling.Export;
using Kindling.Export.Onnx;
using Kindling.Models;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Cli;

/// <summary>`kindling import` and `kindling export` end to end: PyTorch-format weights into a checkpoint that eval reads, and back out unchanged.</summary>
[Collection("Console")]
public class ExportImportCommandTests
{
    [Fact]
    public void ImportedWeightsEvaluateAndExportBackUnchanged()
    {
        TorchRuntime.EnsureLoaded();
        using var tmp = new TempDir();
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 4);
        var options = new ModelOptions { NumClasses = 3, InChannels = 3, InputSize = 8, WidthMultiplier = 0.25 };
        using var original = ModelRegistry.Create("fastnet", options);
        var weights = Path.Combine(tmp.Path, "weights.pt");
        PyTorchStateDict.Save(original, "fastnet", weights);

        var checkpoint = Path.Combine(tmp.Path, "imported.ckpt");
        var (code, output, error) = CliRunner.Kindling("import", "--model", "fastnet", "--set", "model.width_multiplier=0.25", "--data", $"imagefolder:{pictures}",
            "--weights", weights, "--out", checkpoint);
        Assert.True(code == 0, $"import: exit {code}: {error}\n{output}");
        Assert.Contains("fastnet (3 classes, input 3x8x8)", output);

        (code, output, error) = CliRunner.Kindling("eval", "--checkpoint", checkpoint, "--split", "train", "--json");
        Assert.True(code == 0, $"eval: {error}");
        using (var metrics = JsonDocument.Parse(output)) Assert.Equal(12, metrics.RootElement.GetProperty("samples").GetInt32());

        var exported = Path.Combine(tmp.Path, "exported.pt");
        (code, output, error) = CliRunner.Kindling("export", "--checkpoint", checkpoint, "--format", "pytorch", "--out", exported, "--json");
        Assert.True(code == 0, $"export: {error}");
        using (var info = JsonDocument.Parse(output))
        {
            Assert.Equal("fastnet", info.RootElement.GetProperty("model").GetString());
            Assert.Equal(3, info.RootElement.GetProperty("classes").GetInt32());
        }
        // The same checkpoint as ONNX gives the model's logits under ONNX Runtime.
        var onnx = Path.Combine(tmp.Path, "model.onnx");
        (code, output, error) = CliRunner.Kindling("export", "--checkpoint", checkpoint, "--format", "onnx", "--out", onnx);
        Assert.True(code == 0, $"export onnx: {error}");
        Assert.Contains("as ONNX", output);
        // The edge-case check ran on the file just written: a row per input kind, all within the tolerance.
        Assert.Contains("edge cases: ONNX Runtime against the checkpoint", output);
        foreach (var input in new[] { "all-black", "all-white", "noise", "batch-of-one" }) Assert.Contains(input, output);
        // The doctor checks the same pair on request and reports it as a finding (info when it matches).
        (code, output, error) = CliRunner.Kindling("doctor", "--onnx", onnx, "--checkpoint", checkpoint, "--json");
        Assert.True(code == 0, $"doctor --onnx: exit {code}: {error}\n{output}");
        using (var report = JsonDocument.Parse(output))
        {
            var finding = report.RootElement.GetProperty("findings")[0];
            Assert.Equal("onnx-edge-cases", finding.GetProperty("check").GetString());
            Assert.Equal("info", finding.GetProperty("severity").GetString());
            Assert.Contains("batch-of-one", finding.GetProperty("message").GetString());
        }
        using (var runtime = OnnxRuntimeModel.FromFile(onnx, intraOpThreads: 1))
        using (var x = randn(3, 3, 8, 8))
        using (no_grad())
        {
            original.eval();
            using var expectedLogits = original.call(x);
            using var actual = runtime.Run(x);
            Assert.True(actual.allclose(expectedLogits, rtol: 1e-4, atol: 1e-4), "ONNX Runtime's logits differ from the model's");
        }

        using var back = ModelRegistry.Create("fastnet", options);
        PyTorchStateDict.Load(back, "fastnet", exported);
        var expected = original.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(original.named_buffers()).ToDictionary(p => p.Item1, p => p.Item2);
        foreach (var (name, value) in back.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(back.named_buffers()))
            Assert.True(value.equal(expected[name]).all().item<bool>(), $"{name} changed on the way through import and export");
    }

    [Fact]
    public void WeightsOfAnotherShapeAreRefusedByName()
    {
        TorchRuntime.EnsureLoaded();
        using var tmp = new TempDir();
        using var wide = ModelRegistry.Create("fastnet", new ModelOptions { NumClasses = 3, InChannels = 3, InputSize = 8, WidthMultiplier = 0.5 });
        var weights = Path.Combine(tmp.Path, "wide.pt");
        PyTorchStateDict.Save(wide, "fastnet", weights);
        var (code, _, error) = CliRunner.Kindling("import", "--model", "fastnet", "--set", "model.width_multiplier=0.25", "--classes", "3", "--input", "3x8x8",
            "--set", "data.mean=[0.5]", "--set", "data.std=[0.25]", "--weights", weights, "--out", Path.Combine(tmp.Path, "x.ckpt"));
        Assert.Equal(1, code);
        Assert.Contains($"{weights}: '", error);
        Assert.Contains("but fastnet's is", error);

        (code, _, error) = CliRunner.Kindling("import", "--model", "resnet18", "--classes", "3", "--input", "3x8x8", "--set", "data.mean=[0.5]", "--set", "data.std=[0.25]",
            "--weights", weights, "--out", Path.Combine(tmp.Path, "y.ckpt"));
        Assert.Equal(1, code);
        Assert.Contains("does not fit resnet18: missing conv1.weight", error);

        (code, _, error) = CliRunner.Kindling("import", "--model", "fastnet", "--classes", "3", "--input", "3x8x8", "--weights", weights, "--out", Path.Combine(tmp.Path, "z.ckpt"));
        Assert.Equal(1, code);
        Assert.Contains("without --data, give the normalization", error);

        (code, _, error) = CliRunner.Kindling("export", "--checkpoint", Path.Combine(tmp.Path, "none.ckpt"), "--format", "keras", "--out", Path.Combine(tmp.Path, "m"));
        Assert.Equal(2, code);
        Assert.Contains("--format 'keras' is not known", error);
    }
}
