using Kindling.Data.Datasets;
using Kindling.Data.Transforms;
using Kindling.Generative;
using Kindling.Generative.Diffusion;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Tests.Training;
using Kindling.Tests.Training.Tasks;
using Kindling.Training;
using Kindling.Training.Tasks;
using static TorchSharp.torch;

namespace Kindling.Tests.Generative;

/// <summary>DDPM as a task: the U-Net's time input, the noise loss, DDIM's reproducibility, ancestral sampling, exact resume.</summary>
[Collection("GlobalGenerator")]
public class DiffusionTaskTests
{
    static readonly ImageShape Shape = new(1, 8, 8);

    static DiffusionTask Task(long seed, string embedding = "sinusoidal", int timesteps = 40, string sampler = "ddim")
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(seed);
        var unet = new DiffusionUNet(1, timesteps, new DiffusionUNetOptions { Channels = 8, ChannelMultipliers = [1, 2], TimeEmbedding = embedding, TimeDim = 16 });
        return new DiffusionTask(unet, NoiseSchedule.Cosine(timesteps), Shape, [0.5], [0.5], new DiffusionSampling { Sampler = sampler, Steps = 5 });
    }

    static TrainerOptions Options(int epochs) => new()
    {
        Epochs = epochs,
        Optimizer = new OptimizerOptions { Name = "adam", Lr = 3e-3 },
        Device = "cpu",
        Seed = 5,
        Threads = 1,
    };

    static Kindling.Data.Loading.DataLoader Loader(int count, int seed, bool shuffle) =>
        TinyData.Loader(TinyData.Bands(count, seed: seed), 16, shuffle, new Compose([new ToTensor(), new Normalize([0.5], [0.5])]));

    [Theory]
    [InlineData("sinusoidal")]
    [InlineData("concat")]
    public void TheUNetPredictsNoiseOfTheImagesShapeAndReadsTheTimestep(string embedding)
    {
        using var task = Task(1, embedding);
        using var x = randn(3, 1, 8, 8);
        using var early = task.UNet.forward(x, full([3], 2L));
        using var late = task.UNet.forward(x, full([3], 30L));
        Assert.Equal(x.shape, early.shape);
        Assert.True(early.sub(late).abs().max().item<float>() > 1e-4, "the output does not depend on t");
        // Every block of the sinusoidal form adds the time embedding; the seed's form feeds a time map to the first convolution only.
        int projections = task.UNet.named_parameters().Count(p => p.name.EndsWith("time.weight"));
        Assert.Equal(embedding == "sinusoidal" ? 3 : 0, projections);
    }

    [Fact]
    public void AddNoiseMixesSignalAndNoiseByTheSchedule()
    {
        using var task = Task(1);
        using var x0 = ones(2, 1, 8, 8);
        using var noise = zeros(2, 1, 8, 8);
        using var xt = task.AddNoise(x0, noise, tensor(new long[] { 0, 39 }));
        Assert.Equal(Math.Sqrt(task.Schedule.AlphasCumprod[0]), xt[0].mean().item<float>(), 5);
        Assert.Equal(Math.Sqrt(task.Schedule.AlphasCumprod[39]), xt[1].mean().item<float>(), 5);
    }

    [Fact]
    public void DdimWithEtaZeroIsReproducibleFromASeedWhateverTheBatchSize()
    {
        using var task = Task(2);
        using var a = task.Generate(5, new GenerationOptions { Seed = 11, BatchSize = 5 });
        using var b = task.Generate(5, new GenerationOptions { Seed = 11, BatchSize = 2 });
        using var c = task.Generate(5, new GenerationOptions { Seed = 12 });
        using var fewer = task.Generate(5, new GenerationOptions { Seed = 11, Steps = 2 });
        Assert.Equal([5L, 1, 8, 8], a.shape);
        Assert.True(a.allclose(b, rtol: 0, atol: 1e-5), "DDIM (eta 0) with the same seed gave other images in other batch sizes");
        Assert.False(a.allclose(c, rtol: 0, atol: 1e-3));
        Assert.False(a.allclose(fewer, rtol: 0, atol: 1e-3));
        // Clipped to the pixels' range through the normalize: [-1, 1].
        Assert.True(a.abs().max().item<float>() <= 1 + 1e-5);
        // With eta 1 each image's extra noise comes from its own generator too.
        using var n1 = task.SampleDdim(4, 3, 4, eta: 1, batchSize: 4);
        using var n2 = task.SampleDdim(4, 3, 4, eta: 1, batchSize: 3);
        using var d0 = task.SampleDdim(4, 3, 4, eta: 0, batchSize: 4);
        Assert.True(n1.allclose(n2, rtol: 0, atol: 1e-5));
        Assert.False(n1.allclose(d0, rtol: 0, atol: 1e-3));
        Assert.Throws<ArgumentException>(() => task.Generate(1, new GenerationOptions { Class = 0 }));
        Assert.Throws<ArgumentException>(() => task.Generate(1, new GenerationOptions { Steps = 41 }));
    }

    [Fact]
    public void AncestralSamplingTakesAllStepsAndRefusesAnotherCount()
    {
        using var task = Task(3, timesteps: 12, sampler: "ancestral");
        using var a = task.Generate(3, new GenerationOptions { Seed = 1, BatchSize = 3 });
        using var b = task.Generate(3, new GenerationOptions { Seed = 1, BatchSize = 1 });
        Assert.True(a.allclose(b, rtol: 0, atol: 1e-5));
        Assert.Equal([3L, 1, 8, 8], a.shape);
        Assert.True(task.UNet.training, "Generate must give the modules their mode back");
        var e = Assert.Throws<ArgumentException>(() => task.Generate(1, new GenerationOptions { Steps = 5 }));
        Assert.Contains("all 12 steps", e.Message);
    }

    [Fact]
    public void TheValidationLossUsesFixedNoiseSoTwoMeasurementsAgree()
    {
        using var task = Task(4);
        task.UNet.eval();
        var context = new ValidationContext(CPU, null, false, 1, false);
        double first = task.Validate(Loader(32, 2, false), context).Metrics["loss"];
        double second = task.Validate(Loader(32, 2, false), context).Metrics["loss"];
        Assert.Equal(first, second);
        Assert.InRange(first, 0.1, 10);
    }

    [Fact]
    public void LearnsToPredictTheNoiseAndResumesExactly()
    {
        using var dir = new TempDir();
        var (full, resumed, a, b) = TaskRuns.FullAndResumed(seed => Task(seed), Options(3),
            () => Loader(64, 1, true), () => Loader(32, 2, false), dir.Path, epoch: 2, batch: 1);
        TaskRuns.AssertSameMetrics(full, resumed);
        TaskRuns.AssertSameWeights(a, b);
        Assert.True(full.History[^1].Get("val_loss") < full.History[0].Get("val_loss"), "val_loss did not fall");
    }

    [Fact]
    public void SamplingCanUseTheRunsAveragedWeights()
    {
        using var dir = new TempDir();
        using var trained = Task(6);
        new Trainer(Options(1) with { EmaDecay = 0.9, CheckpointDir = dir.Path }).Fit(trained, Loader(32, 1, true));
        var checkpoint = Path.Combine(dir.Path, "last.ckpt");
        using var fresh = Task(7);
        Assert.True(Kindling.Config.CheckpointTask.LoadAveragedWeights(checkpoint, fresh));
        var averaged = Kindling.Training.NamedTensors.FromBytes(Kindling.Training.CheckpointFile.Read(checkpoint)["ema"]);
        var raw = trained.Network.state_dict();
        bool anyDiffers = false;
        foreach (var (name, p) in fresh.Network.named_parameters())
        {
            Assert.True(p.equal(averaged[name]).all().item<bool>(), name);
            anyDiffers |= !p.equal(raw[name]).all().item<bool>();
        }
        Assert.True(anyDiffers, "the average equals the last weights: EMA did nothing");

        using var plainDir = new TempDir();
        using var plain = Task(8);
        new Trainer(Options(1) with { CheckpointDir = plainDir.Path }).Fit(plain, Loader(16, 1, true));
        Assert.False(Kindling.Config.CheckpointTask.LoadAveragedWeights(Path.Combine(plainDir.Path, "last.ckpt"), fresh));
    }
}
