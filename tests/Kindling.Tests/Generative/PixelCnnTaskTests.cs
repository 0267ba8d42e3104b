using Kindling.Data.Datasets;
using Kindling.Data.Transforms;
using Kindling.Generative;
using Kindling.Generative.PixelCnn;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Tests.Training;
using Kindling.Tests.Training.Tasks;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Tests.Generative;

/// <summary>PixelCNN as a task: the likelihood it reports, that it learns, sampling, and exact resume.</summary>
[Collection("GlobalGenerator")]
public class PixelCnnTaskTests
{
    static readonly ImageShape Shape = new(1, 8, 8);

    static PixelCnnTask Task(long seed, int levels = 256)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(seed);
        return new PixelCnnTask(new PixelCnnNetwork(1, new PixelCnnOptions { Layers = 3, Channels = 8, KernelSize = 3, Levels = levels }), Shape, [0.5], [0.5]);
    }

    static TrainerOptions Options(int epochs) => new()
    {
        Epochs = epochs,
        Optimizer = new OptimizerOptions { Name = "adam", Lr = 1e-2 },
        Device = "cpu",
        Seed = 3,
        Threads = 1,
    };

    static Kindling.Data.Loading.DataLoader Loader(int count, int seed, bool shuffle) =>
        TinyData.Loader(TinyData.Bands(count, seed: seed), 16, shuffle, new Compose([new ToTensor(), new Normalize([0.5], [0.5])]));

    [Fact]
    public void TheLossIsTheCrossEntropyOfThePixelLevelsInNatsAndBitsPerDim()
    {
        using var task = Task(1);
        using var loader = Loader(16, 1, false);
        using var batch = loader.First();
        // The normalize undone: levels are the original bytes.
        using var levels = task.ToLevels(batch.Images);
        var data = TinyData.Bands(16, seed: 1);
        var bytes = new byte[64];
        data.CopyImage(3, bytes, PixelLayout.Chw);
        Assert.Equal(bytes.Select(b => (long)b), levels[3].flatten().data<long>().ToArray());
        // An untrained network's validation NLL is the cross-entropy over 256 levels per dimension, reported in bits too.
        task.PixelCnn.eval();
        using var logits = task.PixelCnn.forward(levels.to(float32) / 255);
        double expected = nn.functional.cross_entropy(logits, levels).item<float>();
        var v = task.Validate(Loader(16, 1, false), new Kindling.Training.Tasks.ValidationContext(CPU, null, false, 1, false)).Metrics;
        Assert.Equal(expected, v["loss"], 4);
        Assert.Equal(v["loss"] / Math.Log(2), v["bits_per_dim"], 9);
    }

    [Fact]
    public void LearnsTheBandsAndSamplesReproduciblyWhateverTheBatchSize()
    {
        using var task = Task(2);
        var result = new Trainer(Options(4)).Fit(task, Loader(96, 1, true), Loader(32, 2, false));
        double first = result.History[0].Get("val_bits_per_dim")!.Value, last = result.History[^1].Get("val_bits_per_dim")!.Value;
        // The noise is uniform over 60 levels (log2 60 = 5.9 bits): the floor a perfect model reaches off the bands.
        Assert.True(last < first - 0.5, $"val_bits_per_dim {first} -> {last}");

        var a = task.Generate(5, new GenerationOptions { Seed = 7, BatchSize = 5 });
        var b = task.Generate(5, new GenerationOptions { Seed = 7, BatchSize = 2 });
        var c = task.Generate(5, new GenerationOptions { Seed = 8 });
        Assert.Equal([5L, 1, 8, 8], a.shape);
        Assert.True(a.equal(b).all().item<bool>(), "the same seed in other batch sizes gave other images");
        Assert.False(a.equal(c).all().item<bool>());
        // In the batches' space, on the pixel grid: (level / 255 - 0.5) / 0.5.
        using var pixels = GeneratedImages.ToPixels(a, [0.5], [0.5]);
        using var scaled = pixels * 255;
        Assert.True(scaled.sub(scaled.round()).abs().max().item<float>() < 1e-3);
        Assert.True(task.PixelCnn.training, "Generate must give the modules their mode back");
        Assert.Throws<ArgumentException>(() => task.Generate(1, new GenerationOptions { Class = 1 }));
        Assert.Throws<ArgumentException>(() => task.Generate(1, new GenerationOptions { Steps = 5 }));
    }

    [Fact]
    public void ResumesExactly()
    {
        using var dir = new TempDir();
        var (full, resumed, a, b) = TaskRuns.FullAndResumed(seed => Task(seed, levels: 16), Options(2),
            () => Loader(48, 1, true), () => Loader(16, 2, false), dir.Path, epoch: 2, batch: 1);
        TaskRuns.AssertSameMetrics(full, resumed);
        TaskRuns.AssertSameWeights(a, b);
    }
}
