using System.Diagnostics;
using System.Text.Json;
using SkiaSharp;

namespace Kindling.Tests.Cli;

/// <summary>
/// A `kindling train` process killed mid-run (no chance to save) and resumed with `--resume` ends with the
/// same per-epoch metrics as a run that was never interrupted: last.ckpt from the last finished epoch
/// carries everything.
/// </summary>
public class KillAndResumeTests
{
    static string Cli => Path.Combine(AppContext.BaseDirectory, "Kindling.Cli.dll");

    static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Cli);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["CI"] = "true";
        return Process.Start(psi)!;
    }

    static void Run(params string[] args)
    {
        using var p = Start(args);
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(240_000), "kindling train did not finish in 4 minutes");
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {error.Result}\n{output.Result}");
    }

    static string Recipe(string root)
    {
        var pictures = Path.Combine(root, "pictures");
        var rng = new Random(5);
        for (int c = 0; c < 3; c++)
        {
            Directory.CreateDirectory(Path.Combine(pictures, $"class{c}"));
            for (int i = 0; i < 100; i++)
            {
                using var bitmap = new SKBitmap(new SKImageInfo(16, 16, SKColorType.Rgba8888, SKAlphaType.Opaque));
                for (int y = 0; y < 16; y++)
                    for (int x = 0; x < 16; x++)
                        bitmap.SetPixel(x, y, new SKColor((byte)(c == 0 ? 150 + rng.Next(100) : rng.Next(120)), (byte)(c == 1 ? 150 + rng.Next(100) : rng.Next(120)), (byte)rng.Next(255)));
                using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(pictures, $"class{c}", $"{i:D3}.png"), data.ToArray());
            }
        }
        var recipe = Path.Combine(root, "recipe.yaml");
        File.WriteAllText(recipe, $"""
            data:
              spec: imagefolder:{pictures}
              validation:
                holdout: 30
              batch_size: 4
              num_workers: 1
              mean: auto
              std: auto
            transforms:
              train:
                - random_horizontal_flip: {"{p: 0.5}"}
              eval: []
            model:
              name: fastnet
              width_multiplier: 0.5
              drop_rate: 0.2
            optimizer:
              name: adamw
              lr: 0.003
            schedule:
              name: one_cycle_lr
            training:
              epochs: 4
              device: cpu
              threads: 1
              ema: {"{decay: 0.9}"}
            logging:
              tensorboard: false
              plots: false
            """);
        return recipe;
    }

    static List<JsonElement> Metrics(string run) =>
        File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void KilledRunResumesToTheSameMetricsAsAnUninterruptedOne()
    {
        using var tmp = new TempDir();
        var recipe = Recipe(tmp.Path);
        var whole = Path.Combine(tmp.Path, "whole");
        Run("train", "--config", recipe, "--out", whole, "--plain");

        var killed = Path.Combine(tmp.Path, "killed");
        using (var p = Start("train", "--config", recipe, "--out", killed, "--plain"))
        {
            var last = Path.Combine(killed, "checkpoints", "last.ckpt");
            var watch = Stopwatch.StartNew();
            // Kill as soon as epoch 1's last.ckpt appears (it is renamed into place whole): the process is then inside epoch 2.
            while (!File.Exists(last) && !p.HasExited && watch.Elapsed < TimeSpan.FromMinutes(3))
                Thread.Sleep(5);
            Assert.False(p.HasExited, "the run ended before it could be killed");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, "summary.json")), "the run finished before the kill: no interruption was tested");
        Assert.True(File.Exists(Path.Combine(killed, "checkpoints", "last.ckpt")));

        Run("train", "--resume", killed, "--plain");

        var expected = Metrics(whole);
        var actual = Metrics(killed);
        Assert.Equal(4, expected.Count);
        Assert.Equal(expected.Count, actual.Count);
        for (int e = 0; e < expected.Count; e++)
            foreach (var key in new[] { "train_loss", "val_loss", "val_accuracy", "ema_val_loss" })
                Assert.Equal(expected[e].GetProperty(key).GetDouble(), actual[e].GetProperty(key).GetDouble(), 6);
    }
}
