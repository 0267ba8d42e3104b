using System.Text.Json;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Optim;
using Kindling.Reporting;
using Kindling.Runtime;
using Kindling.Training;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Training.Tasks;

/// <summary>A task that is not classification on the engine: reconstruction loss, its own metrics, resume, accumulation, clipping, fp16.</summary>
[Collection("GlobalGenerator")]
public class AutoencoderTaskTests
{
    static nn.Module<Tensor, Tensor> Autoencoder(long seed)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(seed);
        return nn.Sequential(("flat", nn.Flatten()), ("enc", nn.Linear(64, 12)), ("act", nn.ReLU()), ("dec", nn.Linear(12, 64)),
            ("shape", nn.Unflatten(1, [1, 8, 8])));
    }

    static DataLoader Loader(int count, int batch, bool shuffle, int seed = 1) =>
        TinyData.Loader(TinyData.Bands(count, seed: seed), batch, shuffle, new ToTensor());

    static TrainerOptions Options(int epochs = 3) => new()
    {
        Epochs = epochs,
        Optimizer = new OptimizerOptions { Name = "adamw", Lr = 3e-3, WeightDecay = 0.01 },
        Device = "cpu",
        Seed = 4,
    };

    [Fact]
    public void LearnsToReconstructAndReportsItsOwnMetrics()
    {
        using var dir = new TempDir();
        var folder = RunFolder.Create(dir.Path);
        var record = new RunFolderCallback(folder);
        var plots = new PlotsCallback(folder.PlotsDir);
        var task = new AutoencoderTask(Autoencoder(1));
        var result = new Trainer(Options(8) with { CheckpointDir = folder.CheckpointsDir }, [record, plots])
            .Fit(task, Loader(96, 16, shuffle: true), Loader(32, 16, shuffle: false, seed: 2));
        ReportWriter.Write(folder, record.Summary!);

        Assert.Equal("val_loss", record.Summary!.Monitor ?? "val_loss");
        var first = result.History[0];
        var last = result.History[^1];
        Assert.True(last.Get("val_loss") < 0.5 * first.Get("val_loss"), $"val_loss {first.Get("val_loss")} -> {last.Get("val_loss")}");
        Assert.True(last.Get("val_psnr") > first.Get("val_psnr"));
        // The best epoch is the lowest val_loss: the task's direction, not a classifier's.
        Assert.Equal(result.History.MinBy(h => h.Get("val_loss"))!.Epoch, result.BestEpoch);

        var line = JsonDocument.Parse(File.ReadLines(folder.MetricsPath).First()).RootElement;
        var keys = line.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["epoch", "train_loss", "val_loss", "val_psnr", "learning_rate", "grad_norm", "skipped_steps", "seconds", "images_per_second", "best"], keys);
        var report = File.ReadAllText(folder.ReportPath);
        Assert.Contains("| validation psnr |", report);
        Assert.Contains("| train loss |", report);
        Assert.DoesNotContain("accuracy", report);
        Assert.True(File.Exists(Path.Combine(folder.PlotsDir, "loss.png")));
        Assert.True(File.Exists(Path.Combine(folder.PlotsDir, "psnr-curve.png")));
        // The checkpoint holds the autoencoder's own parameter names.
        var state = Kindling.Training.NamedTensors.FromBytes(Kindling.Training.CheckpointFile.Read(folder.BestCheckpoint)["model"]);
        Assert.Contains("enc.weight", state.Keys);
    }

    [Fact]
    public void ResumesExactlyWithAccumulationAndClipping()
    {
        using var dir = new TempDir();
        var options = Options() with { AccumulationSteps = 2, ClipGradNorm = 0.05 };
        var (full, resumed, a, b) = TaskRuns.FullAndResumed(seed => new AutoencoderTask(Autoencoder(seed)), options,
            () => Loader(80, 8, shuffle: true), () => Loader(16, 8, shuffle: false, seed: 2), dir.Path, epoch: 2, batch: 5);
        TaskRuns.AssertSameMetrics(full, resumed);
        TaskRuns.AssertSameWeights(a, b);
        // The clip bound was active: the mean pre-clip norm is above it.
        Assert.True(full.History[0].GradNorm > 0.05);
    }

    [Fact]
    public void AccumulatingTwoBatchesOf8EqualsOneBatchOf16()
    {
        var sgd = Options(1) with { Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.5, Momentum = 0.9 } };
        var single = new AutoencoderTask(Autoencoder(3));
        new Trainer(sgd).Fit(single, Loader(64, 16, shuffle: false));
        var accumulated = new AutoencoderTask(Autoencoder(3));
        new Trainer(sgd with { AccumulationSteps = 2 }).Fit(accumulated, Loader(64, 8, shuffle: false));
        var expected = TaskRuns.Copy(single.Network);
        foreach (var (name, value) in TaskRuns.Copy(accumulated.Network))
            Assert.True(value.allclose(expected[name], rtol: 1e-5, atol: 1e-6), $"{name} differs");
    }

    [Fact]
    public void Fp16MixedTracksFp32AndResumesExactly()
    {
        var losses = new Dictionary<Precision, List<double>>();
        foreach (var precision in new[] { Precision.Fp32, Precision.Fp16Mixed })
        {
            var record = new List<double>();
            var task = new AutoencoderTask(Autoencoder(5));
            new Trainer(Options(1) with { Precision = precision }, [new LossLog(record)]).Fit(task, Loader(64, 8, shuffle: false));
            Assert.All(task.Network.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
            losses[precision] = record;
        }
        for (int i = 0; i < losses[Precision.Fp32].Count; i++)
            Assert.True(Math.Abs(losses[Precision.Fp16Mixed][i] - losses[Precision.Fp32][i]) < 2e-2 * losses[Precision.Fp32][i],
                $"batch {i}: fp16 {losses[Precision.Fp16Mixed][i]} vs fp32 {losses[Precision.Fp32][i]}");

        using var dir = new TempDir();
        var (full, resumed, a, b) = TaskRuns.FullAndResumed(seed => new AutoencoderTask(Autoencoder(seed)), Options(2) with { Precision = Precision.Fp16Mixed },
            () => Loader(48, 8, shuffle: true), () => Loader(16, 8, shuffle: false, seed: 2), dir.Path, epoch: 2, batch: 2);
        TaskRuns.AssertSameMetrics(full, resumed);
        TaskRuns.AssertSameWeights(a, b);
    }

    sealed class LossLog(List<double> losses) : Kindling.Training.Callbacks.ITrainerCallback
    {
        public void OnBatchEnd(TrainerState state, BatchInfo batch) => losses.Add(batch.Loss!.Value);
    }
}
