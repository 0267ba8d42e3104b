using Kindling.Tests.Cli;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Tests.Distributed;

/// <summary>
/// What the data-parallel tests share: 1,290 small pictures (10 held out: 1,280 to train, 10 steps of the global batch of
/// 128 an epoch), a recipe without BatchNorm or dropout (fastnet at width 0.25, norm none) trained with AdamW at a constant
/// LR on one thread, and the reference: one process, batch 128, two epochs (20 optimizer steps).
/// </summary>
public sealed class DataParallelRuns : IDisposable
{
    readonly TempDir tmp = new();

    public DataParallelRuns()
    {
        Pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(Pictures, 430);
        Reference = Train(0, "reference", epochs: 2);
    }

    public string Pictures { get; }

    /// <summary>The one-process run's folder (20 steps).</summary>
    public string Reference { get; }

    public string Root => tmp.Path;

    /// <summary>The recipe's text for <paramref name="epochs"/> epochs.</summary>
    public string Recipe(int epochs, double timeoutSeconds = 300) => $"""
        data:
          spec: imagefolder:{Pictures}
          validation:
            holdout: 10
          batch_size: 128
          num_workers: 0
          drop_last: true
          channels_last: false
          mean: auto
          std: auto
        transforms:
          train: []
          eval: []
        model:
          name: fastnet
          width_multiplier: 0.25
          norm: none
        optimizer:
          name: adamw
          lr: 0.002
          weight_decay: 0.01
        training:
          epochs: {epochs}
          device: cpu
          threads: 1
          seed: 3
        distributed:
          timeout_seconds: {timeoutSeconds}
        logging:
          tensorboard: false
          plots: false
        """;

    /// <summary>Trains <paramref name="name"/> with <paramref name="ranks"/> ranks (0: one process without mpirun) and returns its folder.</summary>
    public string Train(int ranks, string name, int epochs, double timeoutSeconds = 300) => Train(ranks, name, epochs, timeoutSeconds, []);

    /// <summary>As <see cref="Train(int, string, int, double)"/>, with recipe overrides (--set key=value).</summary>
    public string Train(int ranks, string name, int epochs, double timeoutSeconds, string[] overrides)
    {
        var recipe = Path.Combine(Root, name + ".yaml");
        File.WriteAllText(recipe, Recipe(epochs, timeoutSeconds));
        var run = Path.Combine(Root, name);
        MpiJob.Run(ranks, "Kindling.Cli", ["train", "--config", recipe, "--out", run, "--plain", "--no-doctor", .. overrides.SelectMany(o => new[] { "--set", o })]);
        return run;
    }

    /// <summary>Continues <paramref name="run"/> from its last checkpoint to the end of the next epoch, with <paramref name="ranks"/> ranks; returns that epoch.</summary>
    public int ResumeOneMoreEpoch(string run, int ranks)
    {
        int epoch = (int)TrainingCheckpoint.ReadMeta(LastCheckpoint(run))["epoch"]! + 1;
        var config = Path.Combine(run, "config.yaml");
        File.WriteAllText(config, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(config), @"\n  epochs: \d+\n", $"\n  epochs: {epoch}\n"));
        MpiJob.Run(ranks, "Kindling.Cli", "train", "--resume", run, "--plain");
        return epoch;
    }

    /// <summary>The largest absolute difference between two runs' last weights (every tensor of both must exist in the other).</summary>
    public static double MaxWeightDifference(string runA, string runB) => WeightDifference(runA, runB).Max;

    /// <summary>
    /// The largest absolute difference between two runs' last weights and buffers, and the tensor where it is; with
    /// <paramref name="relative"/>, each difference is divided by 1 + |value| (running variances can be large).
    /// </summary>
    public static (double Max, string Where) WeightDifference(string runA, string runB, bool relative = false)
    {
        var a = Weights(runA);
        var b = Weights(runB);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        (double Max, string Where) worst = (0, "");
        foreach (var (name, tensor) in a)
        {
            var other = b[name].to(float64);
            using var diff = relative ? ((tensor.to(float64) - other).abs() / (other.abs() + 1)).max() : (tensor.to(float64) - other).abs().max();
            if (diff.item<double>() > worst.Max) worst = (diff.item<double>(), name);
        }
        foreach (var t in a.Values.Concat(b.Values)) t.Dispose();
        return worst;
    }

    /// <summary>The optimizer steps a run's last checkpoint has taken.</summary>
    public static long GlobalStep(string run) => (long)TrainingCheckpoint.ReadMeta(LastCheckpoint(run))["global_step"]!;

    public static string LastCheckpoint(string run) => Path.Combine(run, "checkpoints", "last.ckpt");

    static Dictionary<string, Tensor> Weights(string run) => NamedTensors.FromBytes(CheckpointFile.Read(LastCheckpoint(run))["model"]);

    public void Dispose() => tmp.Dispose();
}
