using System.Text.Json;
using Kindling.Optim;
using Kindling.Reporting;
using Kindling.Runtime;
using Kindling.Training;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Training.Tasks;

/// <summary>
/// An adversarial pair on the engine through manual optimization: two optimizers, the generator stepped every
/// n_critic critic steps, the gradient penalty through autograd.grad; resume, accumulation, clipping and fp16 with it.
/// </summary>
[Collection("GlobalGenerator")]
public class AdversarialTaskTests
{
    // 3,840 critic and 768 generator steps (~12 s): all 8 modes on this machine (7 after 40 epochs, 1 after 25).
    const int Epochs = 60;

    static TrainerOptions Options(int epochs) => new() { Epochs = epochs, Device = "cpu", Seed = 2, Threads = 1 };

    [Fact]
    public void WganGpCoversTheModesOfEightGaussiansAndStepsTheGeneratorEveryNCriticSteps()
    {
        TorchRuntime.EnsureLoaded();
        using var dir = new TempDir();
        var folder = RunFolder.Create(dir.Path);
        var record = new RunFolderCallback(folder);
        var task = new EightGaussians.WganGp(seed: 1);
        var result = new Trainer(Options(Epochs) with { CheckpointDir = folder.CheckpointsDir }, [record, new PlotsCallback(folder.PlotsDir)])
            .Fit(task, EightGaussians.Loader(16384, 256, seed: 3), EightGaussians.Loader(256, 256, seed: 4, shuffle: false));
        ReportWriter.Write(folder, record.Summary!);

        var last = result.History[^1];
        Assert.True(last.Get("val_modes") >= 6, $"modes covered {last.Get("val_modes")}, quality {last.Get("val_quality")}");
        // n_critic counts optimizer steps: 64 critic steps an epoch, one generator step per 5 of them.
        Assert.Equal(Epochs * 64, task.CriticSteps);
        Assert.Equal(Epochs * 64 / 5, task.GeneratorSteps);
        var keys = JsonDocument.Parse(File.ReadLines(folder.MetricsPath).First()).RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["epoch", "train_d_loss", "train_gp", "train_g_loss", "val_modes", "val_quality"], keys.Take(6));
        var report = File.ReadAllText(folder.ReportPath);
        Assert.Contains("| train g loss |", report);
        Assert.Contains("| validation modes |", report);
        Assert.True(File.Exists(Path.Combine(folder.PlotsDir, "d_loss-curve.png")));
        Assert.True(File.Exists(Path.Combine(folder.PlotsDir, "g_loss-curve.png")));
        // Both players' weights and both optimizers are in the checkpoint, by name.
        var sections = Kindling.Training.CheckpointFile.Read(folder.LastCheckpoint);
        Assert.Contains("optimizer.critic", sections.Keys);
        Assert.Contains("optimizer.generator", sections.Keys);
        var names = Kindling.Training.NamedTensors.FromBytes(sections["model"]).Keys;
        Assert.Contains("generator.fc1.weight", names);
        Assert.Contains("critic.out.bias", names);
    }

    [Fact]
    public void ResumesExactlyWithTwoOptimizersAccumulationAndClipping()
    {
        using var dir = new TempDir();
        var options = Options(3) with { AccumulationSteps = 2, ClipGradNorm = 1.0 };
        var (full, resumed, a, b) = TaskRuns.FullAndResumed(seed => new EightGaussians.WganGp(seed, nCritic: 3, width: 16), options,
            () => EightGaussians.Loader(640, 32, seed: 3), () => EightGaussians.Loader(64, 64, seed: 4, shuffle: false), dir.Path, epoch: 2, batch: 6);
        TaskRuns.AssertSameMetrics(full, resumed);
        TaskRuns.AssertSameWeights(a, b);
        Assert.True(full.History.All(h => h.Values.ContainsKey("train_g_loss")));
    }

    [Fact]
    public void Fp16MixedTrainsBothPlayersWithFp32MastersAndResumesExactly()
    {
        var losses = new Dictionary<Precision, double>();
        foreach (var precision in new[] { Precision.Fp32, Precision.Fp16Mixed })
        {
            var task = new EightGaussians.WganGp(seed: 5, nCritic: 2, width: 16);
            var fit = new Trainer(Options(1) with { Precision = precision }).Fit(task, EightGaussians.Loader(256, 32, seed: 3));
            Assert.All(task.Network.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
            Assert.Equal(8, task.CriticSteps + fit.SkippedSteps);
            losses[precision] = fit.History[0].Get("train_d_loss")!.Value;
        }
        // The critic's loss is a difference of two means near zero: compare absolutely, at fp16's few significant digits.
        Assert.True(Math.Abs(losses[Precision.Fp16Mixed] - losses[Precision.Fp32]) < 0.01, $"d_loss fp16 {losses[Precision.Fp16Mixed]} vs fp32 {losses[Precision.Fp32]}");

        using var dir = new TempDir();
        var (full, resumed, a, b) = TaskRuns.FullAndResumed(seed => new EightGaussians.WganGp(seed, nCritic: 2, width: 16), Options(2) with { Precision = Precision.Fp16Mixed },
            () => EightGaussians.Loader(256, 32, seed: 3), () => EightGaussians.Loader(64, 64, seed: 4, shuffle: false), dir.Path, epoch: 2, batch: 3);
        TaskRuns.AssertSameMetrics(full, resumed);
        TaskRuns.AssertSameWeights(a, b);
    }

    /// <summary>A generator loss backpropagates through the critic; the critic's accumulated gradients must not move.</summary>
    [Fact]
    public void BackwardForOneOptimizerLeavesTheOthersGradientsAlone()
    {
        var task = new Probe(new EightGaussians.WganGp(seed: 7, width: 8));
        new Trainer(Options(1) with { AccumulationSteps = 4 }).Fit(task, EightGaussians.Loader(64, 32, seed: 3));
        Assert.NotNull(task.CriticGradBefore);
        Assert.True(task.CriticGradBefore!.equal(task.CriticGradAfter!).all().item<bool>(), "the generator's backward changed the critic's gradient");
        Assert.True(task.GeneratorGradAfter is not null && task.GeneratorGradAfter.abs().sum().item<float>() > 0, "the generator got no gradient");
    }

    /// <summary>Runs one critic backward, then a generator backward through the critic, recording gradients around it.</summary>
    sealed class Probe(EightGaussians.WganGp gan) : TrainingTask
    {
        public Tensor? CriticGradBefore, CriticGradAfter, GeneratorGradAfter;
        public override IReadOnlyList<(string Name, nn.Module Module)> Modules => gan.Modules;
        public override bool AutomaticOptimization => false;
        public override IReadOnlyList<OptimizerSpec> ConfigureOptimizers() => gan.ConfigureOptimizers();
        public override IReadOnlyList<MetricSpec> Metrics => gan.Metrics;
        public override MetricSpec DefaultMonitor => gan.DefaultMonitor;

        public override Tensor? TrainingStep(Kindling.Data.Loading.Batch batch, StepContext step)
        {
            if (step.Batch > 0) return null;
            var real = step.Input(batch.Images);
            step.Backward(-gan.Critic.forward(real).mean(), "critic");
            var criticWeight = gan.Critic.named_parameters().First(p => p.name == "out.weight").parameter;
            CriticGradBefore = criticWeight.grad!.detach().clone().DetachFromDisposeScope();
            step.Backward(-gan.Critic.forward(gan.Generator.forward(randn(batch.Count, 2))).mean(), "generator");
            CriticGradAfter = criticWeight.grad!.detach().clone().DetachFromDisposeScope();
            GeneratorGradAfter = gan.Generator.named_parameters().First(p => p.name == "out.weight").parameter.grad?.detach().clone().DetachFromDisposeScope();
            return null;
        }
    }
}
