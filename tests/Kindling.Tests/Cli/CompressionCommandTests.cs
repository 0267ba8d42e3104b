using System.Text.Json;

namespace Kindling.Tests.Cli;

/// <summary>`kindling prune` and `kindling fuse` end to end: a trained checkpoint pruned, fine-tuned, fused and evaluated again by `kindling eval`.</summary>
[Collection("Console")]
public class CompressionCommandTests(CompressionCommandTests.TrainedSeedCnn trained) : IClassFixture<CompressionCommandTests.TrainedSeedCnn>
{
    /// <summary>A seed CNN trained once for one epoch on 16x16 pictures, shared by the tests.</summary>
    public sealed class TrainedSeedCnn : IDisposable
    {
        readonly TempDir tmp = new();

        public TrainedSeedCnn() => Checkpoint = Train(tmp);

        public string Checkpoint { get; }

        public void Dispose() => tmp.Dispose();
    }

    static string Train(TempDir tmp)
    {
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 16, side: 16);
        var recipe = Path.Combine(tmp.Path, "tiny.yaml");
        File.WriteAllText(recipe, $"""
            data:
              spec: imagefolder:{pictures}
              validation:
                holdout: 12
              batch_size: 12
              num_workers: 0
              mean: auto
              std: auto
            transforms:
              train: []
              eval: []
            model:
              name: seed-cnn
              drop_rate: 0.0
            optimizer:
              name: adamw
              lr: 0.001
            training:
              epochs: 1
              device: cpu
            logging:
              tensorboard: false
            """);
        var run = Path.Combine(tmp.Path, "run");
        var (code, output, error) = CliRunner.Kindling("train", "--config", recipe, "--out", run, "--plain");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        return Path.Combine(run, "checkpoints", "best.ckpt");
    }

    static JsonElement Eval(params string[] args)
    {
        var (code, output, error) = CliRunner.Kindling(["eval", .. args, "--split", "train", "--json"]);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    [Fact]
    public void StructuredPruningWritesASmallerCheckpointThatEvalReadsFusedOrNot()
    {
        using var tmp = new TempDir();
        var checkpoint = trained.Checkpoint;
        var out1 = Path.Combine(tmp.Path, "pruned");
        var (code, output, error) = CliRunner.Kindling("prune", "--checkpoint", checkpoint, "--amount", "0.5", "--structured", "--finetune-epochs", "1", "--finetune-samples", "24", "--out", out1, "--json");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        var summary = JsonDocument.Parse(output).RootElement;
        Assert.Equal(new[] { 32, 32, 64, 64, 128, 128, 256, 256 }, summary.GetProperty("channels_after").EnumerateArray().Select(e => e.GetInt32()));
        Assert.True(summary.GetProperty("parameters_after").GetInt64() < summary.GetProperty("parameters_before").GetInt64() / 2);
        Assert.Equal(24, summary.GetProperty("finetune_samples").GetInt32());
        var step = summary.GetProperty("steps")[0];
        Assert.True(step.GetProperty("accuracy_after_finetune").ValueKind == JsonValueKind.Number, output);
        foreach (var file in new[] { "config.yaml", "summary.json", "sparsity.txt", "sparsity.json", "environment.json", "checkpoints/pruned.ckpt" })
            Assert.True(File.Exists(Path.Combine(out1, file)), $"{file} missing");
        Assert.Contains("channels: [32, 32, 64, 64, 128, 128, 256, 256]", File.ReadAllText(Path.Combine(out1, "config.yaml")));

        // The shrunk model is rebuilt from the recipe in the checkpoint; fusing it changes no prediction.
        var pruned = Path.Combine(out1, "checkpoints", "pruned.ckpt");
        var plain = Eval("--checkpoint", pruned);
        var fused = Eval("--checkpoint", pruned, "--fuse");
        Assert.Equal(48, plain.GetProperty("samples").GetInt32());
        Assert.Equal(plain.GetProperty("accuracy").GetDouble(), fused.GetProperty("accuracy").GetDouble());
        Assert.Equal(plain.GetProperty("loss").GetDouble(), fused.GetProperty("loss").GetDouble(), 4);
    }

    [Fact]
    public void GlobalUnstructuredPruningReportsTheSparsity()
    {
        using var tmp = new TempDir();
        var checkpoint = trained.Checkpoint;
        var out1 = Path.Combine(tmp.Path, "pruned");
        var (code, output, error) = CliRunner.Kindling("prune", "--checkpoint", checkpoint, "--amount", "0.6", "--global", "--iterative-steps", "2", "--out", out1, "--json");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        var summary = JsonDocument.Parse(output).RootElement;
        Assert.Equal(0.6, summary.GetProperty("global_sparsity").GetDouble(), 3);
        Assert.Equal(new[] { 0.3, 0.6 }, summary.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("target").GetDouble()));
        using var sparsity = JsonDocument.Parse(File.ReadAllText(Path.Combine(out1, "sparsity.json")));
        var layers = sparsity.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("sparsity").GetDouble()).ToList();
        Assert.Equal(11, layers.Count); // 8 convolutions, 3 linear layers
        Assert.True(layers.Max() - layers.Min() > 0.05, "global ranking prunes layers unevenly");
        Assert.True(Eval("--checkpoint", Path.Combine(out1, "checkpoints", "pruned.ckpt")).GetProperty("samples").GetInt32() == 48);
    }

    [Fact]
    public void FuseReportsThePlanAndTimesFusedAgainstUnfused()
    {
        var (code, output, error) = CliRunner.Kindling("fuse", "--checkpoint", trained.Checkpoint, "--against", trained.Checkpoint, "--batch", "4", "--rounds", "2", "--json");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        var r = JsonDocument.Parse(output).RootElement;
        Assert.Equal(8, r.GetProperty("folded").GetArrayLength());
        Assert.Equal(0, r.GetProperty("left").GetArrayLength());
        Assert.True(r.GetProperty("max_abs_difference").GetDouble() < 1e-4, output);
        Assert.Equal(new[] { "unfused", "fused", "against" }, r.GetProperty("median_ms").EnumerateObject().Select(p => p.Name));
        Assert.True(r.GetProperty("speedup_fused").GetDouble() > 0);
    }

    [Fact]
    public void BadArgumentsAreRefusedBeforeAnythingRuns()
    {
        var (code, _, error) = CliRunner.Kindling("prune", "--checkpoint", "x.ckpt", "--amount", "0.5", "--structured", "--global");
        Assert.NotEqual(0, code);
        Assert.Contains("--global", error);
        (code, _, error) = CliRunner.Kindling("prune", "--checkpoint", "x.ckpt", "--amount", "1.5");
        Assert.NotEqual(0, code);
        Assert.Contains("--amount", error);
    }
}
