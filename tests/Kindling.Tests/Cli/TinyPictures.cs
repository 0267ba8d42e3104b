using SkiaSharp;

namespace Kindling.Tests.Cli;

/// <summary>A tiny picture folder (red, green, blue; small PNGs, 8x8 unless told) that trains in a few steps, for end-to-end runs.</summary>
static class TinyPictures
{
    /// <summary>Writes <paramref name="perClass"/> pictures per class under <paramref name="root"/>: class c is dominated by channel c, plus noise.</summary>
    public static void Write(string root, int perClass, int side = 8)
    {
        var rng = new Random(4);
        foreach (var (name, c) in new[] { ("red", 0), ("green", 1), ("blue", 2) })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            for (int i = 0; i < perClass; i++)
            {
                using var bitmap = new SKBitmap(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Opaque));
                for (int y = 0; y < side; y++)
                    for (int x = 0; x < side; x++)
                    {
                        var v = new byte[3];
                        for (int k = 0; k < 3; k++) v[k] = (byte)(k == c ? 160 + rng.Next(90) : rng.Next(90));
                        bitmap.SetPixel(x, y, new SKColor(v[0], v[1], v[2]));
                    }
                using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(root, name, $"{i:D3}.png"), data.ToArray());
            }
        }
    }

    /// <summary>A recipe training fastnet at width 0.25 on the folder (<paramref name="holdout"/> held out), on the CPU without workers.</summary>
    public static string Recipe(string pictures, int epochs, int holdout = 12) => $"""
        data:
          spec: imagefolder:{pictures}
          validation:
            holdout: {holdout}
          batch_size: 8
          num_workers: 0
          mean: auto
          std: auto
        transforms:
          train: []
          eval: []
        model:
          name: fastnet
          width_multiplier: 0.25
        optimizer:
          name: adamw
          lr: 0.01
        training:
          epochs: {epochs}
          device: cpu
        """;

    /// <summary>
    /// Eight pictures a class under root/pictures and root/tiny.yaml training on them (6 held out) on one thread, without
    /// TensorBoard or plots: the smallest run a CLI test can start. Returns the recipe's path.
    /// </summary>
    public static string WriteQuietRun(string root, int epochs)
    {
        var pictures = Path.Combine(root, "pictures");
        if (!Directory.Exists(pictures)) Write(pictures, 8);
        var recipe = Path.Combine(root, "tiny.yaml");
        File.WriteAllText(recipe, Recipe(pictures, epochs, holdout: 6) + "\n  threads: 1\nlogging:\n  tensorboard: false\n  plots: false\n");
        return recipe;
    }
}
