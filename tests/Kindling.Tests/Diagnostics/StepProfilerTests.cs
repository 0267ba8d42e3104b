using System.Diagnostics;
using Kindling.Data.Loading;
using Kindling.Diagnostics.Profiling;
using Kindling.Optim;
using Kindling.Runtime;
using Kindling.Tests.Training;
using Kindling.Training;
using static TorchSharp.torch;

namespace Kindling.Tests.Diagnostics;

/// <summary>The Trainer's step profiler: the phases add up to the step, and the verdict follows the slow part.</summary>
[Collection("GlobalGenerator")]
public class StepProfilerTests
{
    public StepProfilerTests() => TorchRuntime.EnsureLoaded();

    static (ProfileSummary Summary, StepProfiler Profiler, double Wall) Profile(nn.Module<Tensor, Tensor> model, Kindling.Data.Datasets.IImageDataset data)
    {
        var profiler = new StepProfiler();
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = 8, Seed = 1 }, DoctorFixtures.Normalized(TinyData.Bands(64)));
        var options = new TrainerOptions { Epochs = 1, Device = "cpu", Optimizer = new OptimizerOptions { Name = "sgd", Lr = 0.01 }, StepTimer = profiler };
        var watch = Stopwatch.StartNew();
        new Trainer(options).Fit(model, loader);
        return (profiler.Summary(), profiler, watch.Elapsed.TotalSeconds);
    }

    static string Show(ProfileSummary s) => s.Verdict + " " + string.Join(", ", s.Phases.Select(p => $"{p.Phase} {p.Ms:F1} ms"));

    [Fact]
    public void ASlowLoaderIsDataBoundAndThePhasesAddUpToTheStep()
    {
        var (summary, profiler, wall) = Profile(PlantedFaults.Slow(0), new SlowDataset(TinyData.Bands(32), 25));
        Assert.Equal(4, profiler.Steps.Count);
        Assert.Equal(3, summary.Steps);
        Assert.True(summary.Bound == "data", Show(summary));
        Assert.StartsWith("data-bound", summary.Verdict);
        // 8 images x 25 ms of sleep per step: at least 200 ms in data.
        Assert.True(summary.Phases[0].Ms >= 199, Show(summary));
        Assert.Equal(1, summary.Phases.Sum(p => p.Share), 6);
        // Every step's phases together cover the fit's wall time (less its set-up).
        double phases = profiler.Steps.Sum(s => s.Sum());
        Assert.True(phases <= wall && phases > 0.7 * wall, $"phases {phases:F3} s, fit {wall:F3} s");
    }

    [Fact]
    public void ASlowModelIsComputeBound()
    {
        var (summary, _, _) = Profile(PlantedFaults.Slow(200), TinyData.Bands(32));
        Assert.Equal("compute", summary.Bound);
        Assert.StartsWith("compute-bound", summary.Verdict);
        Assert.True(summary.Verdict.Contains("(forward the most"), Show(summary));
        Assert.True(summary.Phases.Single(p => p.Phase == StepPhase.Forward).Ms >= 199, Show(summary));
    }

    [Fact]
    public void TheReportWritesJsonAndAPlot()
    {
        using var tmp = new TempDir();
        var (summary, _, _) = Profile(PlantedFaults.Slow(0), TinyData.Bands(16));
        ProfileReport.Write(summary, Path.Combine(tmp.Path, "profile.json"), Path.Combine(tmp.Path, "plots", "profile.png"));
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(tmp.Path, "profile.json")));
        Assert.Equal(6, doc.RootElement.GetProperty("phases").GetArrayLength());
        Assert.Equal(summary.Bound, doc.RootElement.GetProperty("bound").GetString());
        Assert.True(new FileInfo(Path.Combine(tmp.Path, "plots", "profile.png")).Length > 1000);
    }
}
