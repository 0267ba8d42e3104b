using System.Text.Json.Nodes;
using Kindling.Tests.Cli;
using Kindling.Training;

namespace Kindling.Tests.Distributed;

/// <summary>
/// Tasks beyond the classifier train data-parallel: a GAN's two optimizers each average their gradients at their own step
/// (the generator every n_critic critic steps on every rank), and MoCo's queue enqueues every rank's keys, as the paper's
/// concat_all_gather does, so its pointer moves by the global batch.
/// </summary>
[Collection("Mpi")]
public class DataParallelTaskTests
{
    // 24 pictures, 6 held out: 18 to train, 2 steps of the global batch of 8 an epoch (drop_last), 4 per rank on 2 ranks.
    static string Recipe(TempDir tmp, string body)
    {
        var pictures = Path.Combine(tmp.Path, "pictures");
        if (!Directory.Exists(pictures)) TinyPictures.Write(pictures, 8);
        var yaml = TinyPictures.Recipe(pictures, epochs: 2, holdout: 6) + "\n  threads: 1\n  seed: 5\nlogging:\n  tensorboard: false\n  plots: false\n" + body;
        var path = Path.Combine(tmp.Path, $"recipe-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml.Replace("  mean: auto\n  std: auto\n", "  drop_last: true\n  mean: auto\n  std: auto\n"));
        return path;
    }

    static JsonObject Meta(string run) => TrainingCheckpoint.ReadMeta(DataParallelRuns.LastCheckpoint(run));

    [Fact]
    public void AWganGpStepsBothPlayersOnEveryRankWithTheGeneratorEveryNCriticSteps()
    {
        using var tmp = new TempDir();
        var recipe = Recipe(tmp, "task: gan\ngan:\n  arch: wgan_gp\n  latent: 4\n  n_critic: 2\n");
        File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("  mean: auto\n  std: auto\n", "  mean: [0.5]\n  std: [0.5]\n")
            .Replace("optimizer:\n  name: adamw\n  lr: 0.01\n", "optimizer:\n  name: adam\n  lr: 0.0001\n  betas: [0.5, 0.9]\n"));
        var run = Path.Combine(tmp.Path, "gan");
        MpiJob.Run(2, "Kindling.Cli", "train", "--config", recipe, "--out", run, "--plain", "--no-doctor");
        var optimizers = Meta(run)["optimizers"]!.AsObject();
        // 2 epochs x 2 steps: 4 critic steps and 2 generator steps, agreed by both ranks (a disagreement would hang or abort).
        Assert.Equal(4, (long)optimizers["discriminator"]!["steps"]!);
        Assert.Equal(2, (long)optimizers["generator"]!["steps"]!);
        var last = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"))[^1];
        Assert.Contains("\"train_wasserstein\"", last);
        Assert.DoesNotContain("NaN", last);
    }

    [Fact]
    public void MocosQueueEnqueuesTheKeysOfEveryRank()
    {
        using var tmp = new TempDir();
        var recipe = Recipe(tmp, """
            task: moco
            moco:
              queue: 20
              projection_dim: 8
              shuffle_bn_groups: 2
            knn:
              every: 0
            """);
        File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("  train: []\n", """
              train:
                - random_resized_crop: {size: 8, scale: [0.5, 1.0]}
                - random_horizontal_flip: {p: 0.5}
              views: 2

            """));
        var run = Path.Combine(tmp.Path, "moco");
        MpiJob.Run(2, "Kindling.Cli", "train", "--config", recipe, "--out", run, "--plain", "--no-doctor");
        // 4 steps of the global batch of 8 keys: 32 keys into a queue of 20, the pointer at 12. Each rank enqueueing only
        // its own 4 keys a step would leave it at 16.
        Assert.Equal(4, DataParallelRuns.GlobalStep(run));
        Assert.Equal(12, (int)Meta(run)["task_state"]!["queue_pointer"]!);
    }
}
