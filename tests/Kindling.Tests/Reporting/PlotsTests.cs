using Kindling.Metrics;
using Kindling.Reporting;
using Kindling.Training;
using SkiaSharp;

namespace Kindling.Tests.Reporting;

[Collection("GlobalGenerator")]
public class PlotsTests(TinyRun run) : IClassFixture<TinyRun>
{
    static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    static void AssertPng(string path, int minWidth = 400)
    {
        Assert.True(File.Exists(path), path);
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 5_000, $"{path} is only {bytes.Length} bytes");
        Assert.Equal(PngSignature, bytes[..8]);
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        Assert.True(bitmap.Width >= minWidth && bitmap.Height >= 300, $"{path}: {bitmap.Width}x{bitmap.Height}");
        // Not one flat colour: something was drawn.
        var colours = new HashSet<SKColor>();
        for (int y = 0; y < bitmap.Height; y += 7)
            for (int x = 0; x < bitmap.Width; x += 7)
                colours.Add(bitmap.GetPixel(x, y));
        Assert.True(colours.Count > 5, $"{path} has {colours.Count} colours");
    }

    [Fact]
    public void TheRunWritesEveryPlot()
    {
        foreach (var name in new[] { "loss", "accuracy", "lr", "confusion", "f1", "reliability", "test-confusion", "test-f1", "test-reliability" })
            AssertPng(Path.Combine(run.Folder.PlotsDir, name + ".png"));
        // One point per optimizer step plus the starting rate: 3 epochs of 6 steps.
        Assert.Equal(19, run.PlotsCallback.Schedule.Count);
        Assert.Equal(Enumerable.Range(0, 19).Select(i => (long)i), run.PlotsCallback.Schedule.Select(p => p.Step));
    }

    [Fact]
    public void PlotsDrawFromPlainNumbers()
    {
        using var dir = new TempDir();
        var history = Enumerable.Range(1, 30).Select(e => new EpochMetrics
        {
            Epoch = e,
            Values = new Dictionary<string, double>
            {
                ["train_loss"] = 2.0 / e, ["train_accuracy"] = 1 - 0.5 / e, ["val_loss"] = 2.2 / e + 0.01 * e, ["val_accuracy"] = 0.9 - 0.5 / e,
                ["ema_val_accuracy"] = 0.92 - 0.5 / e, ["ema_val_loss"] = 2.1 / e + 0.01 * e,
            },
            Best = e == 20,
        }).ToList();
        AssertPng(Plots.LossCurves(history, Path.Combine(dir.Path, "loss.png")));
        AssertPng(Plots.AccuracyCurves(history, Path.Combine(dir.Path, "accuracy.png")));
        var schedule = Enumerable.Range(0, 500).Select(s => ((long)s, 0.1 * 0.5 * (1 + Math.Cos(Math.PI * (s % 100) / 100)))).ToList();
        AssertPng(Plots.LearningRate(schedule, Path.Combine(dir.Path, "lr.png")));

        var names = new[] { "T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };
        var confusion = new ConfusionMatrix(10);
        var rng = new Random(1);
        var ece = new ExpectedCalibrationError();
        for (int i = 0; i < 2000; i++)
        {
            int actual = i % 10;
            int predicted = rng.NextDouble() < 0.8 ? actual : rng.Next(10);
            confusion.Add(actual, predicted);
            ece.Add(0.5 + 0.5 * rng.NextDouble(), rng.NextDouble() < 0.8);
        }
        AssertPng(Plots.Confusion(confusion, names, Path.Combine(dir.Path, "confusion.png")));
        AssertPng(Plots.ClassF1(confusion.Report(), names, Path.Combine(dir.Path, "f1.png")));
        AssertPng(Plots.Reliability(ece, Path.Combine(dir.Path, "reliability.png")));
        Assert.Throws<ArgumentException>(() => Plots.Confusion(confusion, names[..3], Path.Combine(dir.Path, "bad.png")));
    }
}
