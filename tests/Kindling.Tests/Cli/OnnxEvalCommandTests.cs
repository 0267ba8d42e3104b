using System.Text.Json;
using Kindling.Config;
using Kindling.Export.Onnx;
using Kindling.Models;
using Kindling.Runtime;

namespace Kindling.Tests.Cli;

/// <summary>`kindling eval` and `kindling predict` on .onnx models: the exported float model scores as its checkpoint, an INT8 one runs, a bare one is refused.</summary>
[Collection("Console")]
public class OnnxEvalCommandTests
{
    static (int Code, string Out, string Error) Ok(params string[] args)
    {
        var result = CliRunner.Kindling(args);
        Assert.True(result.Code == 0, $"{string.Join(' ', args)}: exit {result.Code}: {result.Error}\n{result.Out}");
        return result;
    }

    // A random fastnet brought in with `kindling import`: a checkpoint with a resolved recipe, without training.
    static (string Checkpoint, string Pictures) RandomCheckpoint(string root)
    {
        TorchRuntime.EnsureLoaded();
        var pictures = Path.Combine(root, "pictures");
        TinyPictures.Write(pictures, 6);
        using var model = ModelRegistry.Create("fastnet", new ModelOptions { NumClasses = 3, InChannels = 3, InputSize = 8, WidthMultiplier = 0.25 });
        var weights = Path.Combine(root, "weights.pt");
        Kindling.Export.PyTorchStateDict.Save(model, "fastnet", weights);
        var checkpoint = Path.Combine(root, "random.ckpt");
        Ok("import", "--model", "fastnet", "--set", "model.width_multiplier=0.25", "--data", $"imagefolder:{pictures}", "--weights", weights, "--out", checkpoint);
        return (checkpoint, pictures);
    }

    static void AssertSameMetrics(string checkpointJson, string onnxJson, double tolerance)
    {
        using var a = JsonDocument.Parse(checkpointJson);
        using var b = JsonDocument.Parse(onnxJson);
        var x = a.RootElement;
        var y = b.RootElement;
        // Same keys, in the same order: scripts read both alike.
        Assert.Equal(x.EnumerateObject().Select(p => p.Name), y.EnumerateObject().Select(p => p.Name));
        Assert.Equal(x.GetProperty("samples").GetInt32(), y.GetProperty("samples").GetInt32());
        foreach (var key in new[] { "accuracy", "loss", "top_k", "macro_f1", "ece" })
            Assert.True(Math.Abs(x.GetProperty(key).GetDouble() - y.GetProperty(key).GetDouble()) <= tolerance,
                $"{key}: checkpoint {x.GetProperty(key)}, ONNX {y.GetProperty(key)}");
    }

    [Fact]
    public void An_exported_model_evaluates_and_predicts_as_its_checkpoint()
    {
        using var tmp = new TempDir();
        var (checkpoint, pictures) = RandomCheckpoint(tmp.Path);
        var onnx = Path.Combine(tmp.Path, "model.onnx");
        Ok("export", "--checkpoint", checkpoint, "--format", "onnx", "--out", onnx);

        var metadata = OnnxModel.Load(onnx).Metadata;
        Assert.Equal("""["blue","green","red"]""", metadata[OnnxEvalMetadata.ClassesKey]);
        Assert.Equal("3,8,8", metadata[OnnxEvalMetadata.InputShapeKey]);

        var (_, fromCheckpoint, _) = Ok("eval", "--checkpoint", checkpoint, "--split", "train", "--json");
        var (_, fromOnnx, _) = Ok("eval", "--checkpoint", onnx, "--split", "train", "--json");
        AssertSameMetrics(fromCheckpoint, fromOnnx, 1e-4);

        var picture = Path.Combine(pictures, "green", "000.png");
        var (_, predictedByCheckpoint, _) = Ok("predict", "--checkpoint", checkpoint, picture, "--json");
        var (_, predictedByOnnx, _) = Ok("predict", "--checkpoint", onnx, picture, "--json");
        using var p = JsonDocument.Parse(predictedByCheckpoint);
        using var q = JsonDocument.Parse(predictedByOnnx);
        var top = p.RootElement[0].GetProperty("top");
        var onnxTop = q.RootElement[0].GetProperty("top");
        Assert.Equal(top[0].GetProperty("class").GetString(), onnxTop[0].GetProperty("class").GetString());
        Assert.Equal(top[0].GetProperty("probability").GetDouble(), onnxTop[0].GetProperty("probability").GetDouble(), 4);
    }

    [Fact]
    public void A_quantized_model_evaluates_close_to_its_checkpoint()
    {
        using var tmp = new TempDir();
        var recipe = TinyPictures.WriteQuietRun(tmp.Path, epochs: 2);
        var run = Path.Combine(tmp.Path, "run");
        Ok("train", "--config", recipe, "--out", run, "--plain");
        var checkpoint = Path.Combine(run, "checkpoints", "best.ckpt");
        var quantized = Path.Combine(tmp.Path, "int8");
        Ok("quantize", "--checkpoint", checkpoint, "--calibration-batches", "2", "--timing-rounds", "1", "--threads", "1", "--out", quantized);

        var data = $"imagefolder:{Path.Combine(tmp.Path, "pictures")}";
        var (_, fromCheckpoint, _) = Ok("eval", "--checkpoint", checkpoint, "--data", data, "--json");
        var (_, fromFloat, _) = Ok("eval", "--checkpoint", Path.Combine(quantized, "model.fp32.onnx"), "--data", data, "--json");
        var (_, fromInt8, _) = Ok("eval", "--checkpoint", Path.Combine(quantized, "model.int8.onnx"), "--data", data, "--json");
        AssertSameMetrics(fromCheckpoint, fromFloat, 1e-4);
        using var a = JsonDocument.Parse(fromCheckpoint);
        using var b = JsonDocument.Parse(fromInt8);
        Assert.Equal(24, b.RootElement.GetProperty("samples").GetInt32());
        // 24 pictures: two changed predictions are 8 points.
        Assert.True(Math.Abs(a.RootElement.GetProperty("accuracy").GetDouble() - b.RootElement.GetProperty("accuracy").GetDouble()) <= 0.09,
            $"checkpoint {fromCheckpoint}\nINT8 {fromInt8}");
    }

    [Fact]
    public void A_model_without_eval_metadata_is_refused_with_how_to_make_one()
    {
        TorchRuntime.EnsureLoaded();
        using var tmp = new TempDir();
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 2);
        using var model = ModelRegistry.Create("fastnet", new ModelOptions { NumClasses = 3, InChannels = 3, InputSize = 8, WidthMultiplier = 0.25 });
        var bare = Path.Combine(tmp.Path, "bare.onnx");
        OnnxExporter.Export(model, [3, 8, 8], bare);
        foreach (var args in new[] { new[] { "eval", "--checkpoint", bare, "--data", $"imagefolder:{pictures}" }, new[] { "predict", "--checkpoint", bare, Path.Combine(pictures, "red", "000.png") } })
        {
            var (code, _, error) = CliRunner.Kindling(args);
            Assert.NotEqual(0, code);
            Assert.Contains("carries no Kindling eval metadata", error);
            Assert.Contains("kindling export --checkpoint", error);
        }
        var (fuseCode, _, fuseError) = CliRunner.Kindling("eval", "--checkpoint", bare, "--fuse");
        Assert.NotEqual(0, fuseCode);
        Assert.Contains("--fuse", fuseError);
    }
}
